// Socket and Server: connect over every address, for await, await using, close semantics, the Duplex adapter.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { AF_INET, AF_INET6, WinsockError, startup } from '../../src/index.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';

describe('Socket and Server', () => {
  startup();
  const open: { close(): void }[] = [];
  const keep = <T extends { close(): void }>(thing: T): T => (open.push(thing), thing);
  afterEach(() => {
    for (const thing of open.splice(0)) thing.close();
  });

  async function connectedPair(host = '127.0.0.1'): Promise<{ server: Server; client: Socket; peer: Socket }> {
    const server = keep(Server.listen({ host }));
    const accepting = server.accept();
    const client = keep(await Socket.connect(host, server.address().port));
    const peer = keep(await accepting);
    return { server, client, peer };
  }

  test('Socket.connect tries every address: localhost reaches an IPv4-only listener', async () => {
    const server = keep(Server.listen({ host: '127.0.0.1' }));
    const accepting = server.accept();
    const client = keep(await Socket.connect('localhost', server.address().port));
    const peer = keep(await accepting);
    assert.equal(client.remoteAddress.port, server.address().port);
    assert.equal(peer.remoteAddress.port, client.localAddress.port);
  });

  test('the default listener is dual-stack: IPv4 and IPv6 clients both connect', async () => {
    const server = keep(Server.listen());
    const { port, address } = server.address();
    assert.equal(address, '::');
    for (const host of ['127.0.0.1', '::1']) {
      const accepting = server.accept();
      const client = keep(await Socket.connect(host, port));
      const peer = keep(await accepting);
      await client.write(host);
      assert.equal(String(await peer.read()), host);
    }
  });

  test('ipv6Only refuses IPv4 clients', async () => {
    const server = keep(Server.listen({ host: '::', ipv6Only: true }));
    await assert.rejects(Socket.connect('127.0.0.1', server.address().port), { code: 'WSAECONNREFUSED' });
  });

  test('a taken port fails with WSAEADDRINUSE (10048)', async () => {
    const server = keep(Server.listen({ host: '127.0.0.1' }));
    assert.throws(() => Server.listen({ host: '127.0.0.1', port: server.address().port }), {
      code: 'WSAEADDRINUSE',
      errno: 10048,
    });
  });

  test('Socket.connect to nobody rejects with the last WSAECONNREFUSED; an unknown host with 11001', async () => {
    const server = Server.listen({ host: '127.0.0.1' });
    const { port } = server.address();
    server.close();
    await assert.rejects(Socket.connect('127.0.0.1', port), { code: 'WSAECONNREFUSED', syscall: 'connect', port });
    await assert.rejects(Socket.connect('no-such-host.invalid', port), { code: 'WSAHOST_NOT_FOUND', errno: 11001 });
  });

  test('a numeric host connects without a lookup, and one of the wrong family fails as getaddrinfo does', async () => {
    const server = keep(Server.listen({ host: '127.0.0.1' }));
    const { port } = server.address();
    const accepting = server.accept();
    const client = keep(await Socket.connect('127.0.0.1', port, { family: AF_INET }));
    keep(await accepting);
    assert.deepEqual(client.remoteAddress, { family: AF_INET, address: '127.0.0.1', port });
    // AF_INET6 asked for an IPv4 literal: getaddrinfo's refusal, not an attempt at the IPv4 address.
    const refused = await Socket.connect('127.0.0.1', port, { family: AF_INET6 }).then(() => null, (error: unknown) => error);
    assert.ok(refused instanceof WinsockError, String(refused));
    assert.equal(refused.syscall, 'getaddrinfo');
  });

  test('write, read, end: the peer reads every chunk, then null', async () => {
    const { client, peer } = await connectedPair();
    await client.write('hello ');
    await client.end('world');
    const chunks: Buffer[] = [];
    for await (const chunk of peer) chunks.push(chunk);
    assert.equal(Buffer.concat(chunks).toString(), 'hello world');
    assert.equal(await peer.read(), null);
    assert.equal(await peer.sendAll('after half-close'), 16); // the other direction still works
    assert.equal(String(await client.read()), 'after half-close');
  });

  test('close is idempotent and rejects a pending read with WSAEINTR', async () => {
    const { client } = await connectedPair();
    const reading = client.read();
    client.close();
    client.close();
    assert.equal(client.closed, true);
    await assert.rejects(reading, (error: unknown) => error instanceof WinsockError && error.errno === 10004);
  });

  test('for await over a Server yields connections and ends when the server closes', async () => {
    const server = keep(Server.listen({ host: '127.0.0.1' }));
    const served: string[] = [];
    const serving = (async () => {
      for await (const connection of server) {
        served.push(String(await connection.read()));
        connection.close();
      }
    })();
    for (const word of ['one', 'two', 'three']) {
      const client = await Socket.connect('127.0.0.1', server.address().port);
      await client.end(word);
      assert.equal(await client.read(), null);
      client.close();
    }
    server.close();
    await serving;
    assert.deepEqual(served, ['one', 'two', 'three']);
  });

  test('await using closes the socket and the server at the end of the block', async () => {
    let escapedSocket: Socket;
    let escapedServer: Server;
    {
      await using server = Server.listen({ host: '127.0.0.1' });
      const accepting = server.accept();
      await using client = await Socket.connect('127.0.0.1', server.address().port);
      keep(await accepting);
      escapedSocket = client;
      escapedServer = server;
    }
    assert.equal(escapedSocket.closed, true);
    assert.equal(escapedServer.closed, true);
  });

  test('a Socket works with a node:net server', async () => {
    const echo = createServer((connection) => connection.pipe(connection));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    try {
      const client = keep(await Socket.connect('127.0.0.1', (echo.address() as AddressInfo).port));
      await client.end('ping');
      const chunks: Buffer[] = [];
      for await (const chunk of client) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString(), 'ping');
    } finally {
      echo.close();
    }
  });

  test('toStream(): pipeline through the Duplex moves 8 MiB with backpressure and half-close', async () => {
    const { client, peer } = await connectedPair();
    const payload = Buffer.alloc(8 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    // the peer echoes through its own Duplex: a stream pipeline in both directions
    const peerStream = peer.toStream();
    const echoing = pipeline(peerStream, new PassThrough({ highWaterMark: 1024 }), peerStream);
    const clientStream = client.toStream();
    const received: Buffer[] = [];
    await Promise.all([
      pipeline(Readable.from([payload.subarray(0, 1 << 20), payload.subarray(1 << 20)]), clientStream),
      pipeline(clientStream, new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received.push(chunk);
          callback();
        },
      })),
    ]);
    await echoing;
    assert.ok(Buffer.concat(received).equals(payload));
  });

  test('destroying the Duplex closes the socket', async () => {
    const { client, peer } = await connectedPair();
    const stream = client.toStream();
    stream.destroy();
    await once(stream, 'close');
    assert.equal(client.closed, true);
    assert.equal(await peer.read(), null);
  });
});
