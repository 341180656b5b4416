// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c), checks that pass on Windows: connect, accept,
// shutdown, send and recv on TCP. Each test names the Wine function its checks come from.
import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import * as async from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';
import { refusedPort } from '../windows-support.js';

describe('Windows conformance (Wine ws2_32 tests): TCP connections', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('sock.c test_connect: connect on a listening socket fails with WSAEINVAL', () => {
    const { listener, port } = scope.listener();
    assertWinsockError(() => ws.connect(listener, '127.0.0.1', port), 'WSAEINVAL', 'connect');
  });

  test('sock.c test_connect: connect on a connected or accepted socket fails with WSAEISCONN', () => {
    const { client, server, port } = scope.pair();
    assertWinsockError(() => ws.connect(client, '127.0.0.1', port), 'WSAEISCONN', 'connect');
    assertWinsockError(() => ws.connect(server, '127.0.0.1', port), 'WSAEISCONN', 'connect');
  });

  test('sock.c test_connecting_socket: a second connect while one is under way fails with WSAEALREADY', () => {
    const s = scope.tcp();
    ws.ioctlsocket(s, ws.FIONBIO, 1);
    ws.bind(s, '0.0.0.0', 0);
    assertWinsockError(() => ws.connect(s, '192.0.2.0', 255), 'WSAEWOULDBLOCK', 'connect');
    assertWinsockError(() => ws.connect(s, '192.0.2.0', 255), 'WSAEALREADY', 'connect');
    const name = ws.getsockname(s);
    assert.equal(name.family, ws.AF_INET);
    assert.notEqual(name.port, 0);
  });

  test('sock.c test_connecting_socket: recv and send while a connect is under way fail with WSAENOTCONN', () => {
    const s = scope.tcp();
    ws.ioctlsocket(s, ws.FIONBIO, 1);
    assertWinsockError(() => ws.connect(s, '192.0.2.0', 255), 'WSAEWOULDBLOCK', 'connect');
    assertWinsockError(() => ws.recv(s, 4), 'WSAENOTCONN', 'recv');
    assertWinsockError(() => ws.send(s, 'data'), 'WSAENOTCONN', 'send');
  });

  test('sock.c test_select: a failed nonblocking connect keeps WSAECONNREFUSED in SO_ERROR, read twice', () => {
    const s = scope.tcp();
    ws.ioctlsocket(s, ws.FIONBIO, 1);
    assertWinsockError(() => ws.connect(s, '127.0.0.1', refusedPort()), 'WSAEWOULDBLOCK', 'connect');
    const ready = ws.select([s], [s], [s], 10_000);
    assert.deepEqual(ready, { count: 1, read: [], write: [], except: [s] });
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_ERROR), ws.WSAECONNREFUSED);
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_ERROR), ws.WSAECONNREFUSED);
    assert.deepEqual(ws.select([s], [s], [s], 10_000), { count: 1, read: [], write: [], except: [s] });
  });

  test('sock.c test_select: after a failed connect, a connect that succeeds clears SO_ERROR and makes the socket writable', () => {
    const { port } = scope.listener();
    const s = scope.tcp();
    ws.ioctlsocket(s, ws.FIONBIO, 1);
    assertWinsockError(() => ws.connect(s, '127.0.0.1', refusedPort()), 'WSAEWOULDBLOCK', 'connect');
    assert.deepEqual(ws.select(null, null, [s], 10_000).except, [s]);
    assertWinsockError(() => ws.connect(s, '127.0.0.1', port), 'WSAEWOULDBLOCK', 'connect');
    assert.deepEqual(ws.select([s], [s], [s], 5_000), { count: 1, read: [], write: [s], except: [] });
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_ERROR), 0);
  });

  test('sock.c test_accept: accept gives the address and port of the connecting client', () => {
    const { listener, port } = scope.listener();
    const client = scope.tcp();
    ws.connect(client, '127.0.0.1', port);
    const accepted = ws.accept(listener);
    scope.track(accepted.socket);
    assert.equal(accepted.family, ws.AF_INET);
    assert.equal(accepted.address, '127.0.0.1');
    assert.equal(accepted.port, ws.getsockname(client).port);
  });

  test('sock.c test_accept: closesocket while an accept waits on the socket makes the accept fail', async () => {
    const { listener } = scope.listener();
    const waiting = async.accept(listener);
    await new Promise((resolve) => setTimeout(resolve, 200));
    scope.close(listener);
    await assert.rejects(waiting, (error: unknown) => error instanceof ws.WinsockError);
  });

  test('sock.c test_accept_inheritance: an accepted socket inherits keep-alive, inline urgent data, no-delay and linger from the listener', () => {
    const listener = scope.tcp();
    ws.setsockopt(listener, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1);
    ws.setsockopt(listener, ws.SOL_SOCKET, ws.SO_KEEPALIVE, 1);
    ws.setsockopt(listener, ws.SOL_SOCKET, ws.SO_OOBINLINE, 1);
    ws.setsockopt(listener, ws.IPPROTO_TCP, ws.TCP_NODELAY, 1);
    ws.setOption(listener, 'SO_LINGER', { onoff: true, linger: 555 });
    ws.bind(listener, '127.0.0.1', 0);
    ws.listen(listener, 1);
    const client = scope.tcp();
    ws.connect(client, '127.0.0.1', ws.getsockname(listener).port);
    const server = scope.track(ws.accept(listener).socket);
    assert.equal(ws.getsockopt(server, ws.SOL_SOCKET, ws.SO_REUSEADDR), 1);
    assert.equal(ws.getsockopt(server, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 1);
    assert.equal(ws.getsockopt(server, ws.SOL_SOCKET, ws.SO_OOBINLINE), 1);
    assert.equal(ws.getsockopt(server, ws.IPPROTO_TCP, ws.TCP_NODELAY), 1);
    assert.deepEqual(ws.getOption(server, 'SO_LINGER'), { onoff: true, linger: 555 });
  });

  test('sock.c test_accept_inheritance: an accepted socket inherits the buffer sizes and timeouts of the listener exactly', () => {
    const listener = scope.tcp();
    ws.setOption(listener, 'SO_SNDBUF', 0x123);
    ws.setOption(listener, 'SO_RCVBUF', 0x123);
    ws.setOption(listener, 'SO_SNDTIMEO', 0x123);
    ws.setOption(listener, 'SO_RCVTIMEO', 0x123);
    ws.bind(listener, '127.0.0.1', 0);
    ws.listen(listener, 1);
    const client = scope.tcp();
    ws.connect(client, '127.0.0.1', ws.getsockname(listener).port);
    const server = scope.track(ws.accept(listener).socket);
    for (const name of ['SO_SNDBUF', 'SO_RCVBUF', 'SO_SNDTIMEO', 'SO_RCVTIMEO'] as const) {
      assert.equal(ws.getOption(server, name), 0x123, name);
    }
  });

  test('sock.c test_simultaneous_async_recv: two receives waiting on one socket take the data in the order they were made', async () => {
    const { client, server } = scope.pair();
    const message = Buffer.from('-- Lorem ipsum dolor sit amet -\0');
    const first = Buffer.alloc(16);
    const second = Buffer.alloc(16);
    const waiting = [async.recvInto(client, first), async.recvInto(client, second)];
    assert.equal(ws.send(server, message), 32);
    assert.deepEqual(await Promise.all(waiting), [16, 16]);
    assert.ok(first.equals(message.subarray(0, 16)));
    assert.ok(second.equals(message.subarray(16)));
  });

  test('sock.c test_nonblocking_async_recv: on a nonblocking socket recv fails with WSAEWOULDBLOCK, and an async recv waits for the data', async () => {
    const { client, server } = scope.pair();
    ws.ioctlsocket(client, ws.FIONBIO, 1);
    ws.ioctlsocket(server, ws.FIONBIO, 1);
    assertWinsockError(() => ws.recv(client, 5), 'WSAEWOULDBLOCK', 'recv');
    const buffer = Buffer.alloc(5);
    const waiting = async.recvInto(client, buffer);
    assert.equal(ws.send(server, 'data'), 4);
    assert.equal(await waiting, 4);
    assert.equal(buffer.subarray(0, 4).toString(), 'data');
  });

  test('sock.c test_WSARecv: a stream receive smaller than the data takes what fits and leaves the rest, without WSAEMSGSIZE', () => {
    const { client, server } = scope.pair();
    assert.equal(ws.send(client, 'test'), 4);
    assert.deepEqual(ws.select([server], null, null, 1000).read, [server]);
    assert.equal(ws.recv(server, 2).toString(), 'te');
    assert.equal(ws.recv(server, 2).toString(), 'st');
    assert.equal(ws.send(client, 'deadbeefs'), 9);
    const buffer = Buffer.alloc(9);
    let received = 0;
    while (received < 9) received += ws.recv(server, buffer.subarray(received));
    assert.equal(buffer.toString(), 'deadbeefs');
  });

  test('sock.c test_shutdown: shutdown on an unconnected socket fails with WSAENOTCONN, SD_SEND and SD_RECEIVE', () => {
    const s = scope.tcp();
    assertWinsockError(() => ws.shutdown(s, ws.SD_SEND), 'WSAENOTCONN', 'shutdown');
    assertWinsockError(() => ws.shutdown(s, ws.SD_RECEIVE), 'WSAENOTCONN', 'shutdown');
  });

  test('sock.c test_shutdown: shutdown on a listening socket fails with WSAENOTCONN and it keeps listening', () => {
    const { listener, port } = scope.listener();
    assertWinsockError(() => ws.shutdown(listener, ws.SD_BOTH), 'WSAENOTCONN', 'shutdown');
    assertWinsockError(() => ws.shutdown(listener, ws.SD_SEND), 'WSAENOTCONN', 'shutdown');
    const client = scope.tcp();
    ws.connect(client, '127.0.0.1', port);
    scope.track(ws.accept(listener).socket);
  });

  test('sock.c test_shutdown: SD_SEND twice succeeds, send then fails with WSAESHUTDOWN, the peer reads end of stream twice', () => {
    const { client, server } = scope.pair();
    ws.ioctlsocket(client, ws.FIONBIO, 1);
    ws.shutdown(client, ws.SD_SEND);
    ws.shutdown(client, ws.SD_SEND);
    assertWinsockError(() => ws.send(client, 'test'), 'WSAESHUTDOWN', 'send');
    assert.equal(ws.recv(server, 5).length, 0);
    assert.equal(ws.recv(server, 5).length, 0);
  });

  test('sock.c test_shutdown: after SD_RECEIVE recv fails with WSAESHUTDOWN, and the socket can still send', () => {
    const { client, server } = scope.pair();
    ws.shutdown(server, ws.SD_RECEIVE);
    assertWinsockError(() => ws.recv(server, 5), 'WSAESHUTDOWN', 'recv');
    assert.equal(ws.send(server, 'test\0'), 5);
    assert.equal(ws.recv(client, 5).toString(), 'test\0');
    ws.shutdown(client, ws.SD_RECEIVE);
    assertWinsockError(() => ws.recv(client, 5), 'WSAESHUTDOWN', 'recv');
    assertWinsockError(() => ws.recv(client, 5), 'WSAESHUTDOWN', 'recv');
    ws.shutdown(server, ws.SD_SEND);
    assertWinsockError(() => ws.send(server, 'test'), 'WSAESHUTDOWN', 'send');
  });

  test('sock.c test_shutdown: the names of a shut-down socket still read back', () => {
    const { client, port } = scope.pair();
    ws.shutdown(client, ws.SD_BOTH);
    assert.equal(ws.getpeername(client).port, port);
    assert.notEqual(ws.getsockname(client).port, 0);
  });

  test('sock.c test_empty_recv: a zero-length recv succeeds with 0 and leaves the data to the next recv', () => {
    const { client, server } = scope.pair();
    assert.equal(ws.send(server, 'data\0'), 5);
    assert.deepEqual(ws.select([client], null, null, 5_000).read, [client]);
    assert.equal(ws.recv(client, Buffer.alloc(0)), 0);
    assert.equal(ws.recv(client, 5).toString(), 'data\0');
  });

  test('sock.c test_timeout: a blocking recv past SO_RCVTIMEO fails with WSAETIMEDOUT, and the socket still works', () => {
    const { client, server } = scope.pair();
    ws.setOption(client, 'SO_RCVTIMEO', 100);
    assertWinsockError(() => ws.recv(client, 1), 'WSAETIMEDOUT', 'recv');
    assertWinsockError(() => ws.recv(client, 1), 'WSAETIMEDOUT', 'recv');
    assert.equal(ws.send(server, 'a'), 1);
    assert.equal(ws.recv(client, 1).toString(), 'a');
  });

  test('sock.c test_tcp_reset: after the peer resets, select reports the socket readable and writable, not exceptional', () => {
    const { client, server } = scope.pair();
    ws.setOption(server, 'SO_LINGER', { onoff: true, linger: 0 });
    scope.close(server);
    assert.deepEqual(ws.select([client], [client], [client], 5_000), { count: 2, read: [client], write: [client], except: [] });
    assert.deepEqual(ws.select(null, null, [client], 0), { count: 0, read: [], write: [], except: [] });
  });

  test('sock.c test_tcp_reset: after the peer resets, recv fails with WSAECONNRESET', () => {
    const { client, server } = scope.pair();
    ws.setOption(server, 'SO_LINGER', { onoff: true, linger: 0 });
    scope.close(server);
    assert.equal(ws.select([client], null, null, 5_000).count, 1);
    assertWinsockError(() => ws.recv(client, 10), 'WSAECONNRESET', 'recv');
  });

  test('sock.c test_send: a send larger than the buffers completes on a blocking socket and arrives whole', () => {
    const { client, server } = scope.pair();
    const size = 1024 * 1024;
    const data = Buffer.alloc(size, 0x41);
    const receiver = (async () => {
      const buffer = Buffer.alloc(size);
      let total = 0;
      ws.ioctlsocket(server, ws.FIONBIO, 1);
      while (total < size) {
        ws.select([server], null, null, 1000);
        try {
          total += ws.recv(server, buffer.subarray(total));
        } catch (error) {
          if (!(error instanceof ws.WinsockError && error.code === 'WSAEWOULDBLOCK')) throw error;
        }
        await new Promise(setImmediate);
      }
      return buffer;
    })();
    ws.ioctlsocket(client, ws.FIONBIO, 1);
    let sent = 0;
    return (async () => {
      while (sent < size) {
        try {
          sent += ws.send(client, data.subarray(sent));
        } catch (error) {
          if (!(error instanceof ws.WinsockError && error.code === 'WSAEWOULDBLOCK')) throw error;
          await new Promise(setImmediate);
        }
      }
      assert.ok((await receiver).equals(data));
    })();
  });
});
