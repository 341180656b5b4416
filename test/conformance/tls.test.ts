// TLS over winsock sockets: node:tls takes a Socket's Duplex (socket.toStream()) as its transport on either side,
// with a certificate the test makes. Every round trip is compared byte for byte.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createSecureContext, connect as tlsConnect, createServer as createTlsServer, TLSSocket, type TLSSocket as TLSSocketType } from 'node:tls';

import { startup } from '../../src/index.js';
import { Server, Socket, emitConnections } from '../../src/socket.js';
import { makeSelfSignedCertificate } from '../certificate.js';
import { patternBytes } from '../ecosystem.js';
import { afterEach, describe, test } from '../harness.js';

/** Writes `data` and ends, while reading everything the peer sends back until it ends. */
async function roundTrip(socket: TLSSocketType, data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(socket, 'end');
  socket.end(data);
  await ended;
  return Buffer.concat(chunks);
}

/** A TLS echo: every byte back, then end. */
function echo(socket: TLSSocketType): void {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
}

describe('TLS over winsock', () => {
  startup();
  const credentials = makeSelfSignedCertificate();
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const payload = patternBytes(4 * 1024 * 1024 + 17, 11);

  test('tls.connect({ socket }) over a winsock Socket: 4 MiB echoed by a node:tls server, byte for byte', async () => {
    const server = createTlsServer(credentials, echo);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;
    const transport = await Socket.connect('127.0.0.1', port, { noDelay: true });
    cleanup.push(() => transport.close());
    const secure = tlsConnect({ socket: transport.toStream(), ca: credentials.cert, servername: 'localhost' });
    cleanup.push(() => secure.destroy());
    await once(secure, 'secureConnect');
    assert.equal(secure.authorized, true, String(secure.authorizationError));
    assert.ok(secure.getProtocol() === 'TLSv1.3' || secure.getProtocol() === 'TLSv1.2');
    const back = await roundTrip(secure, payload);
    assert.equal(back.length, payload.length);
    assert.ok(back.equals(payload), 'the echo differs');
  });

  test('a TLS server over a winsock Server: tls.Server through emitConnections, and tls.TLSSocket over a Duplex', async () => {
    // tls.createServer wraps each handed-over connection in a tls.TLSSocket, as it does its own.
    const winsock = Server.listen({ host: '127.0.0.1' });
    const tlsServer = createTlsServer(credentials, echo);
    const serving = emitConnections(winsock, tlsServer);
    cleanup.push(async () => {
      const closing = winsock.close();
      winsock.closeAllConnections();
      await closing;
      await serving;
    });
    const client = tlsConnect({ host: '127.0.0.1', port: winsock.address().port, ca: credentials.cert, servername: 'localhost' });
    cleanup.push(() => client.destroy());
    await once(client, 'secureConnect');
    assert.equal(client.authorized, true, String(client.authorizationError));
    const back = await roundTrip(client, payload);
    assert.ok(back.equals(payload), 'the echo through tls.Server differs');

    // The server side by hand: a TLSSocket made over an accepted connection's Duplex (on a server of its own: the
    // first one's for await takes every connection).
    const plain = Server.listen({ host: '127.0.0.1' });
    cleanup.push(async () => {
      const closing = plain.close();
      plain.closeAllConnections();
      await closing;
    });
    const accepting = plain.accept();
    const client2Transport = await Socket.connect('127.0.0.1', plain.address().port);
    cleanup.push(() => client2Transport.close());
    const accepted = await accepting;
    const serverSide = new TLSSocket(accepted.toStream(), { isServer: true, secureContext: createSecureContext(credentials) });
    cleanup.push(() => serverSide.destroy());
    echo(serverSide);
    // And both ends winsock: the client's TLS over a winsock Socket too.
    const client2 = tlsConnect({ socket: client2Transport.toStream(), ca: credentials.cert, servername: 'localhost' });
    cleanup.push(() => client2.destroy());
    await once(client2, 'secureConnect');
    const back2 = await roundTrip(client2, payload);
    assert.ok(back2.equals(payload), 'the echo through a hand-made TLSSocket differs');
  });

  test('a certificate the client does not trust fails the handshake over winsock as over node:net', async () => {
    const server = createTlsServer(credentials, echo);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const transport = await Socket.connect('127.0.0.1', (server.address() as AddressInfo).port);
    cleanup.push(() => transport.close());
    const secure = tlsConnect({ socket: transport.toStream(), servername: 'localhost' }); // no ca: untrusted
    cleanup.push(() => secure.destroy());
    const [error] = (await once(secure, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
