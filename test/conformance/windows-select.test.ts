// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c), checks that pass on Windows: select and WSAPoll,
// blocking and on the event loop. Each test names the Wine function its checks come from.
import assert from 'node:assert/strict';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';
import { delay, refusedPort } from '../windows-support.js';

const none = { count: 0, read: [], write: [], except: [] };

describe('Windows conformance (Wine ws2_32 tests): select and WSAPoll', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('sock.c test_select: two fresh TCP sockets in every set are ready for nothing, at once', () => {
    const a = scope.tcp();
    const b = scope.tcp();
    const started = performance.now();
    assert.deepEqual(sync.select([a, b], [a, b], [a, b], 0), none);
    assert.ok(performance.now() - started < 100);
    assert.deepEqual(sync.select([a, b], [a, b], [a, b], 1), none);
  });

  test('sock.c test_select: a socket listed twice in a set is one ready socket', () => {
    const { client } = scope.pair();
    assert.deepEqual(sync.select(null, [client, client], null, 0), { count: 1, read: [], write: [client], except: [] });
  });

  test('sock.c test_select: a connected pair is writable; data makes the receiver readable and not exceptional', () => {
    const { client, server } = scope.pair();
    assert.deepEqual(sync.select([client, server], [client, server], [client, server], 0), {
      count: 2, read: [], write: [client, server], except: [],
    });
    assert.equal(sync.send(client, '1234'), 4);
    assert.deepEqual(sync.select([server], [server], [server], 1250), { count: 2, read: [server], write: [server], except: [] });
    assert.equal(sync.recv(server, 1024).toString(), '1234');
  });

  test('sock.c test_select: a listener is readable only with a pending connection, never writable or exceptional', () => {
    const { listener, port } = scope.listener();
    assert.deepEqual(sync.select([listener], [listener], [listener], 100), none);
    const client = scope.tcp();
    sync.ioctlsocket(client, sync.FIONBIO, 1);
    try {
      sync.connect(client, '127.0.0.1', port);
    } catch (error) {
      assert.equal((error as sync.WinsockError).code, 'WSAEWOULDBLOCK');
    }
    assert.deepEqual(sync.select([listener], [listener], [listener], 1250), { count: 1, read: [listener], write: [], except: [] });
    const server = scope.track(sync.accept(listener).socket);
    assert.deepEqual(sync.select([listener, server, client], [listener, server, client], [listener, server, client], 1250), {
      count: 2, read: [], write: [server, client], except: [],
    });
    assert.equal(sync.getsockopt(client, sync.SOL_SOCKET, sync.SO_ERROR), 0);
  });

  test('sock.c test_select: urgent data puts the receiver in the except set; SO_OOBINLINE puts it in the read set', () => {
    const { client, server } = scope.pair();
    assert.equal(sync.send(client, 'A', sync.MSG_OOB), 1);
    assert.deepEqual(sync.select([server], null, [server], 1250).except, [server]);
    assert.equal(sync.recv(server, 1024, sync.MSG_OOB).toString(), 'A');
    sync.setsockopt(server, sync.SOL_SOCKET, sync.SO_OOBINLINE, 1);
    assert.equal(sync.send(client, 'A', sync.MSG_OOB), 1);
    assert.deepEqual(sync.select([server], null, [server], 1250), { count: 1, read: [server], write: [], except: [] });
    assertWinsockError(() => sync.recv(server, 1024, sync.MSG_OOB), 'WSAEINVAL', 'recv');
    assert.equal(sync.recv(server, 1024).toString(), 'A');
  });

  test('sock.c test_select: a connection closed by the peer is readable and recv returns 0', () => {
    const { client, server } = scope.pair();
    scope.close(server);
    assert.deepEqual(sync.select([client], null, null, 1250), { count: 1, read: [client], write: [], except: [] });
    assert.equal(sync.recv(client, 1024).length, 0);
  });

  test('sock.c test_select: a failed nonblocking connect is in the except set only', () => {
    const s = scope.tcp();
    sync.ioctlsocket(s, sync.FIONBIO, 1);
    assertWinsockError(() => sync.connect(s, '127.0.0.1', refusedPort()), 'WSAEWOULDBLOCK', 'connect');
    assert.deepEqual(sync.select([s], [s], [s], 10_000), { count: 1, read: [], write: [], except: [s] });
  });

  test('sock.c test_select: select with every set empty fails with WSAEINVAL', () => {
    assertWinsockError(() => sync.select(null, null, null, 0), 'WSAEINVAL', 'select');
  });

  test('sock.c test_select: closesocket during a select on the socket wakes it with the socket readable', async () => {
    const { listener } = scope.listener();
    const waiting = ws.select([listener], null, null, 5000);
    await delay(200);
    scope.close(listener);
    assert.deepEqual(await waiting, { count: 1, read: [listener], write: [], except: [] });
    assertWinsockError(() => sync.recv(listener, 1, sync.MSG_PEEK), 'WSAENOTSOCK', 'recv');
  });

  test('sock.c test_WSAPoll: an empty array fails with WSAEINVAL', () => {
    assertWinsockError(() => sync.WSAPoll([], 0), 'WSAEINVAL', 'WSAPoll');
  });

  test('sock.c test_WSAPoll: a listener reports POLLRDNORM only with a pending connection, until it is accepted', () => {
    const { listener, port } = scope.listener();
    const fds: sync.PollFd[] = [{ socket: listener, events: sync.POLLRDNORM | sync.POLLRDBAND | sync.POLLWRNORM }];
    assert.equal(sync.WSAPoll(fds, 0), 0);
    assert.equal(fds[0]!.revents, 0);
    const client = scope.tcp();
    sync.connect(client, '127.0.0.1', port);
    assert.equal(sync.WSAPoll(fds, 100), 1);
    assert.equal(fds[0]!.revents, sync.POLLRDNORM);
    scope.track(sync.accept(listener).socket);
    assert.equal(sync.WSAPoll(fds, 0), 0);
    assert.equal(fds[0]!.revents, 0);
  });

  test('sock.c test_WSAPoll: connected sockets report POLLWRNORM, and POLLRDNORM with data', () => {
    const { client, server } = scope.pair();
    const events = sync.POLLRDNORM | sync.POLLRDBAND | sync.POLLWRNORM;
    const fds: sync.PollFd[] = [{ socket: client, events }, { socket: server, events }];
    assert.equal(sync.WSAPoll(fds, 0), 2);
    assert.deepEqual(fds.map((fd) => fd.revents), [sync.POLLWRNORM, sync.POLLWRNORM]);
    sync.send(server, '1234');
    const one: sync.PollFd[] = [{ socket: client, events: sync.POLLRDNORM | sync.POLLRDBAND }];
    assert.equal(sync.WSAPoll(one, 1000), 1);
    assert.equal(one[0]!.revents, sync.POLLRDNORM);
  });

  test('sock.c test_WSAPoll: a connection closed by the peer reports POLLHUP', () => {
    const { client, server } = scope.pair();
    scope.close(client);
    const fds: sync.PollFd[] = [{ socket: server, events: 0 }];
    assert.equal(sync.WSAPoll(fds, 1000), 1);
    assert.equal(fds[0]!.revents! & sync.POLLHUP, sync.POLLHUP);
  });

  test('sock.c test_WSAPoll: a failed nonblocking connect reports POLLHUP and POLLERR, with POLLWRNORM when asked', () => {
    const s = scope.tcp();
    sync.ioctlsocket(s, sync.FIONBIO, 1);
    assertWinsockError(() => sync.connect(s, '127.0.0.1', refusedPort()), 'WSAEWOULDBLOCK', 'connect');
    const fds: sync.PollFd[] = [{ socket: s, events: sync.POLLRDNORM | sync.POLLRDBAND | sync.POLLWRNORM }];
    assert.equal(sync.WSAPoll(fds, 10_000), 1);
    assert.equal(fds[0]!.revents, sync.POLLWRNORM | sync.POLLHUP | sync.POLLERR);
    assert.equal(sync.getsockopt(s, sync.SOL_SOCKET, sync.SO_ERROR), sync.WSAECONNREFUSED);
    assert.equal(sync.getsockopt(s, sync.SOL_SOCKET, sync.SO_ERROR), sync.WSAECONNREFUSED);
  });

  test('sock.c test_WSAPoll: UDP sockets are writable, bound or not; a datagram makes the receiver readable', () => {
    const client = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    const server = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    const events = sync.POLLRDNORM | sync.POLLRDBAND | sync.POLLWRNORM;
    const fds: sync.PollFd[] = [{ socket: client, events }, { socket: server, events }];
    assert.equal(sync.WSAPoll(fds, 0), 2);
    assert.deepEqual(fds.map((fd) => fd.revents), [sync.POLLWRNORM, sync.POLLWRNORM]);
    sync.bind(client, '127.0.0.1', 0);
    sync.sendto(server, 'data\0', '127.0.0.1', sync.getsockname(client).port);
    const one: sync.PollFd[] = [{ socket: client, events }];
    assert.equal(sync.WSAPoll(one, 1000), 1);
    assert.equal(one[0]!.revents, sync.POLLWRNORM | sync.POLLRDNORM);
  });

  test('sock.c test_WSAPoll: closesocket during a WSAPoll on the socket wakes it with POLLNVAL', async () => {
    const { client } = scope.pair();
    const fds: sync.PollFd[] = [{ socket: client, events: sync.POLLRDNORM | sync.POLLRDBAND }];
    const waiting = ws.WSAPoll(fds, 2000);
    await delay(200);
    scope.close(client);
    assert.equal(await waiting, 1);
    assert.equal(fds[0]!.revents, sync.POLLNVAL);
  });
});
