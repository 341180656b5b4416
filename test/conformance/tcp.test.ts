import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertArgumentError, assertWinsockError } from '../support.js';

describe('TCP: bind, listen, accept, connect, send, recv, shutdown', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('echo over IPv4 loopback, with byte counts as Winsock returns them', () => {
    const { client, server, port } = scope.pair();
    assert.equal(ws.send(client, 'this is a test'), 14);
    const received = ws.recv(server, 512);
    assert.ok(Buffer.isBuffer(received));
    assert.equal(received.toString(), 'this is a test');
    assert.equal(ws.send(server, received), 14);
    const into = Buffer.alloc(512);
    assert.equal(ws.recv(client, into), 14);
    assert.equal(into.subarray(0, 14).toString(), 'this is a test');
    assert.equal(ws.getpeername(client).port, port);
    assert.equal(ws.getpeername(server).port, ws.getsockname(client).port);
  });

  test('echo over IPv6 loopback', () => {
    const { client, server } = scope.pair('::1');
    assert.equal(ws.send(client, Buffer.from([1, 2, 3])), 3);
    assert.deepEqual([...ws.recv(server, 16)], [1, 2, 3]);
    assert.equal(ws.getpeername(server).address, '::1');
    assert.equal(ws.getpeername(server).family, ws.AF_INET6);
  });

  test('accept() reports the peer address and a connected SOCKET', () => {
    const { listener, port } = scope.listener();
    const client = scope.tcp();
    ws.connect(client, { address: '127.0.0.1', port });
    const accepted = ws.accept(listener);
    scope.track(accepted.socket);
    assert.ok(accepted.socket instanceof ws.SOCKET);
    assert.equal(accepted.address, '127.0.0.1');
    assert.equal(accepted.family, ws.AF_INET);
    assert.equal(accepted.port, ws.getsockname(client).port);
  });

  test('send and recv take every kind of byte view', () => {
    const { client, server } = scope.pair();
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    assert.equal(ws.send(client, backing.subarray(2, 5)), 3);
    assert.equal(ws.send(client, new DataView(backing.buffer, 0, 2)), 2);
    assert.equal(ws.send(client, new Uint16Array([0x0102]).buffer), 2);
    assert.equal(ws.send(client, 'é'), 2); // strings go as UTF-8
    const target = new Uint8Array(16);
    let total = 0;
    while (total < 9) total += ws.recv(server, target.subarray(1 + total));
    assert.deepEqual([...target.subarray(1, 6)], [1, 2, 3, 9, 9]);
    assert.deepEqual([...target.subarray(8, 10)], [0xc3, 0xa9]);
    assert.equal(target[0], 0, 'recv wrote only inside the view it was given');
  });

  test('MSG_PEEK leaves the bytes queued', () => {
    const { client, server } = scope.pair();
    ws.send(client, 'peek');
    assert.equal(ws.recv(server, 4, ws.MSG_PEEK).toString(), 'peek');
    assert.equal(ws.recv(server, 4, ws.MSG_WAITALL).toString(), 'peek');
  });

  test('connect to a closed port fails with WSAECONNREFUSED (10061), address and port in the error', () => {
    const { listener, port } = scope.listener();
    scope.close(listener);
    const s = scope.tcp();
    const error = assertWinsockError(() => ws.connect(s, '127.0.0.1', port), 'WSAECONNREFUSED', 'connect');
    assert.equal(error.errno, 10061);
    assert.equal(error.posixCode, 'ECONNREFUSED');
    assert.equal(error.address, '127.0.0.1');
    assert.equal(error.port, port);
    assert.equal(
      error.message,
      `connect WSAECONNREFUSED 127.0.0.1:${port}: No connection could be made because the target machine actively refused it.`,
    );
    assert.equal(ws.getLastError(), 10061);
  });

  test('bind to an address in use fails with WSAEADDRINUSE (10048)', () => {
    const { port } = scope.listener();
    const second = scope.tcp();
    const error = assertWinsockError(() => ws.bind(second, '127.0.0.1', port), 'WSAEADDRINUSE', 'bind');
    assert.equal(error.port, port);
  });

  test('bind to an address this host does not have fails with WSAEADDRNOTAVAIL', () => {
    assertWinsockError(() => ws.bind(scope.tcp(), '192.0.2.1', 0), 'WSAEADDRNOTAVAIL', 'bind');
  });

  test('a non-numeric address fails with WSAEINVAL, a wrong-family one with WSAEAFNOSUPPORT or WSAEFAULT', () => {
    assertWinsockError(() => ws.connect(scope.tcp(), 'localhost', 80), 'WSAEINVAL', 'connect');
    assertWinsockError(() => ws.bind(scope.tcp(), '999.1.1.1', 0), 'WSAEINVAL', 'bind');
  });

  test('listen on an unbound socket fails with WSAEINVAL', () => {
    assertWinsockError(() => ws.listen(scope.tcp()), 'WSAEINVAL', 'listen');
  });

  test('accept on a socket that is not listening fails with WSAEINVAL', () => {
    const s = scope.tcp();
    ws.bind(s, '127.0.0.1', 0);
    assertWinsockError(() => ws.accept(s), 'WSAEINVAL', 'accept');
  });

  test('send, recv and getpeername on an unconnected socket fail with WSAENOTCONN (10057)', () => {
    const s = scope.tcp();
    assertWinsockError(() => ws.send(s, 'x'), 'WSAENOTCONN', 'send');
    assertWinsockError(() => ws.recv(s, 1), 'WSAENOTCONN', 'recv');
    assertWinsockError(() => ws.getpeername(s), 'WSAENOTCONN', 'getpeername');
  });

  test('connect on a connected socket fails with WSAEISCONN', () => {
    const { client, port } = scope.pair();
    assertWinsockError(() => ws.connect(client, '127.0.0.1', port), 'WSAEISCONN', 'connect');
  });

  test('recv after the peer closes returns 0 (an empty Buffer)', () => {
    const { client, server } = scope.pair();
    ws.send(server, 'bye');
    scope.close(server);
    assert.equal(ws.recv(client, 16).toString(), 'bye');
    assert.equal(ws.recv(client, Buffer.alloc(16)), 0);
    assert.equal(ws.recv(client, 16).length, 0);
  });

  test('shutdown(SD_SEND) is seen by the peer as end of stream, and the other direction still works', () => {
    const { client, server } = scope.pair();
    ws.send(client, 'last words');
    ws.shutdown(client, ws.SD_SEND);
    assert.equal(ws.recv(server, 64).toString(), 'last words');
    assert.equal(ws.recv(server, 64).length, 0);
    ws.send(server, 'reply');
    assert.equal(ws.recv(client, 64).toString(), 'reply');
  });

  test('send after shutdown(SD_SEND) fails with WSAESHUTDOWN (10058), recv after SD_RECEIVE too', () => {
    const { client, server } = scope.pair();
    ws.shutdown(client, ws.SD_SEND);
    assertWinsockError(() => ws.send(client, 'x'), 'WSAESHUTDOWN', 'send');
    ws.shutdown(server, ws.SD_RECEIVE);
    assertWinsockError(() => ws.recv(server, 1), 'WSAESHUTDOWN', 'recv');
  });

  test('shutdown on an unconnected socket fails with WSAENOTCONN, a bad direction with WSAEINVAL', () => {
    assertWinsockError(() => ws.shutdown(scope.tcp(), ws.SD_BOTH), 'WSAENOTCONN', 'shutdown');
    const { client } = scope.pair();
    assertWinsockError(() => ws.shutdown(client, 7), 'WSAEINVAL', 'shutdown');
  });

  test('send to a peer that reset the connection fails with WSAECONNRESET (10054)', async () => {
    const { client, server } = scope.pair();
    ws.send(client, 'unread'); // closing with unread data makes the peer's stack send a reset
    await new Promise((resolve) => setTimeout(resolve, 50));
    scope.close(server);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = assertWinsockError(() => {
      for (let i = 0; i < 100; i++) ws.send(client, 'more');
    }, 'WSAECONNRESET', 'send');
    assert.equal(error.errno, 10054);
  });

  test('recv on a connection the peer reset fails with WSAECONNRESET', async () => {
    const { client, server } = scope.pair();
    ws.send(client, 'unread');
    await new Promise((resolve) => setTimeout(resolve, 50));
    scope.close(server);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assertWinsockError(() => ws.recv(client, 16), 'WSAECONNRESET', 'recv');
  });

  test('bad arguments are TypeError/RangeError, never a crash', () => {
    const s = scope.tcp();
    assertArgumentError(() => ws.bind(s, '127.0.0.1', 65536), RangeError);
    assertArgumentError(() => ws.bind(s, '127.0.0.1', -1), RangeError);
    assertArgumentError(() => ws.bind(s, '127.0.0.1'), TypeError);
    assertArgumentError(() => ws.connect(s, 12 as unknown as string, 80), TypeError);
    assertArgumentError(() => ws.connect(s, null as unknown as string, 80), TypeError);
    assertArgumentError(() => ws.listen(s, -5), RangeError);
    assertArgumentError(() => ws.recv(s, -1), RangeError);
    assertArgumentError(() => ws.recv(s, 2 ** 31), RangeError);
    assertArgumentError(() => ws.recv(s, 'buffer' as unknown as number), TypeError);
    assertArgumentError(() => ws.send(s, 42 as unknown as string), TypeError);
    assertArgumentError(() => ws.send(s, 'x', 0.5), RangeError);
    assertArgumentError(() => ws.shutdown(s, undefined as unknown as number), TypeError);
  });

  test('a detached buffer is a TypeError (reading 0 bytes into it would look like the peer closing)', () => {
    const { client, server } = scope.pair();
    const buffer = new ArrayBuffer(8);
    const view = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    assertArgumentError(() => ws.send(client, view), TypeError);
    assertArgumentError(() => ws.recv(server, view), TypeError);
    assertArgumentError(() => ws.send(client, buffer), TypeError);
  });

  test('views of a SharedArrayBuffer send and receive', () => {
    const { client, server } = scope.pair();
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    shared.set([1, 2, 3, 4]);
    assert.equal(ws.send(client, shared.subarray(0, 4)), 4);
    const into = new Uint8Array(new SharedArrayBuffer(8));
    assert.equal(ws.recv(server, into.subarray(2)), 4);
    assert.deepEqual([...into], [0, 0, 1, 2, 3, 4, 0, 0]);
  });

  test('send after a nonblocking connect that select saw complete works (no stale "not connected")', () => {
    const { listener, port } = scope.listener();
    const s = scope.tcp();
    ws.ioctlsocket(s, ws.FIONBIO, 1);
    assertWinsockError(() => ws.connect(s, '127.0.0.1', port), 'WSAEWOULDBLOCK', 'connect');
    assert.deepEqual(ws.select(null, [s], null, 5000).write, [s]);
    const server = scope.track(ws.accept(listener).socket);
    assert.equal(ws.send(s, 'after select'), 12);
    assert.equal(ws.recv(server, 64).toString(), 'after select');
  });

  test('an accepted socket inherits the listener\'s nonblocking mode, as in Winsock', () => {
    const { listener, port } = scope.listener();
    ws.ioctlsocket(listener, ws.FIONBIO, 1);
    const client = scope.tcp();
    ws.connect(client, '127.0.0.1', port);
    ws.select([listener], null, null, 5000);
    const accepted = scope.track(ws.accept(listener).socket);
    assertWinsockError(() => ws.recv(accepted, 1), 'WSAEWOULDBLOCK', 'recv');
  });

  test('ioctlsocket refuses commands Winsock\'s ioctlsocket does not take (WSAEINVAL), never passing them on', () => {
    const s = scope.tcp();
    for (const command of [0x8906, 0x5413, 0, -1]) {
      assertWinsockError(() => ws.ioctlsocket(s, command, 0), 'WSAEINVAL', 'ioctlsocket');
    }
    assert.equal(ws.ioctlsocket(s, ws.SIOCATMARK), ws.ioctlsocket(s, ws.SIOCATMARK)); // supported, answers
  });
});
