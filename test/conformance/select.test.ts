// select and WSAPoll: sync (blocking the thread like Winsock's) and on the event loop.
import assert from 'node:assert/strict';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertArgumentError, assertWinsockError } from '../support.js';

describe('select and WSAPoll', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('select reports readable, writable and pending-connection sockets, as SOCKET objects', () => {
    const { listener, port } = scope.listener();
    const { client, server } = scope.pair();
    assert.deepEqual(sync.select([server, listener], [client], null, 0), { count: 1, read: [], write: [client], except: [] });
    sync.send(client, 'x');
    const connecting = scope.tcp();
    sync.connect(connecting, '127.0.0.1', port);
    const ready = sync.select([server, listener], null, null, 1000);
    assert.equal(ready.count, 2);
    assert.deepEqual(ready.read, [server, listener]);
  });

  test('select times out with count 0, and sees a closed connection as readable', () => {
    const { client, server } = scope.pair();
    const started = performance.now();
    assert.equal(sync.select([server], null, null, 50).count, 0);
    assert.ok(performance.now() - started >= 45);
    scope.close(client);
    assert.deepEqual(sync.select([server], null, null, 1000).read, [server]);
    assert.equal(sync.recv(server, 1).length, 0);
  });

  test('select with every set empty fails with WSAEINVAL; a closed socket with WSAENOTSOCK', () => {
    assertWinsockError(() => sync.select([], [], [], 0), 'WSAEINVAL', 'select');
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    ws.closesocket(s);
    assertWinsockError(() => sync.select([s], null, null, 0), 'WSAENOTSOCK', 'select');
    assertArgumentError(() => sync.select([42 as unknown as ws.SOCKET], null, null, 0), TypeError);
    assertArgumentError(() => sync.select(null, null, null, -5), RangeError);
  });

  test('async select resolves when a socket becomes readable, without blocking the loop', async () => {
    const { client, server } = scope.pair();
    const waiting = ws.select([server], null, null, 5000);
    // Only the loop can make the socket readable here: a select that held the loop would never see the timer's send,
    // and would end at its 5 s timeout with nothing ready. (Counting a timer's ticks instead failed under Wine on a
    // loaded machine, where the loop was free but slow.)
    setTimeout(() => sync.send(client, 'wake'), 50);
    assert.deepEqual(await waiting, { count: 1, read: [server], write: [], except: [] });
    assert.equal(String(await ws.recv(server, 8)), 'wake');
  });

  test('async select times out with count 0, and rejects on abort', async () => {
    const { server } = scope.pair();
    assert.equal((await ws.select([server], null, null, 30)).count, 0);
    const controller = new AbortController();
    const waiting = ws.select([server], null, null, null, { signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal((await ws.select([server], null, null, 0)).count, 0); // no wait was left behind
  });

  test('async select sees a failed connect in exceptfds', async () => {
    const { listener, port } = scope.listener();
    scope.close(listener);
    const s = scope.tcp();
    const connecting = ws.connect(s, '127.0.0.1', port).catch((error: unknown) => error);
    const ready = await ws.select(null, null, [s], 2000);
    assert.ok(ready.count >= 0);
    assert.equal(((await connecting) as ws.WinsockError).code, 'WSAECONNREFUSED');
  });

  test('WSAPoll sets revents as WSAPOLLFD does', () => {
    const { client, server } = scope.pair();
    const fds: ws.PollFd[] = [
      { socket: server, events: ws.POLLRDNORM },
      { socket: client, events: ws.POLLWRNORM },
    ];
    assert.equal(sync.WSAPoll(fds, 0), 1);
    assert.equal(fds[0]!.revents, 0);
    assert.ok((fds[1]!.revents! & ws.POLLWRNORM) !== 0);
    sync.send(client, 'x');
    assert.equal(sync.WSAPoll([fds[0]!], 1000), 1);
    assert.ok((fds[0]!.revents! & ws.POLLRDNORM) !== 0);
  });

  test('WSAPoll reports a closed connection with POLLHUP or readable, and an empty array is WSAEINVAL', () => {
    const { client, server } = scope.pair();
    scope.close(client);
    const fds: ws.PollFd[] = [{ socket: server, events: ws.POLLRDNORM }];
    assert.equal(sync.WSAPoll(fds, 1000), 1);
    assert.ok((fds[0]!.revents! & (ws.POLLHUP | ws.POLLRDNORM)) !== 0);
    assertWinsockError(() => sync.WSAPoll([], 0), 'WSAEINVAL', 'WSAPoll');
    assertArgumentError(() => sync.WSAPoll([{ socket: server, events: 'in' as unknown as number }], 0), TypeError);
  });

  test('a socket closed by a getter while the arguments are read is WSAENOTSOCK, never polled', () => {
    const { client, server } = scope.pair();
    const fds = [
      { socket: server, events: ws.POLLRDNORM },
      {
        get socket(): ws.SOCKET {
          scope.close(server); // closes an entry already read
          return client;
        },
        events: ws.POLLWRNORM,
      },
    ];
    assertWinsockError(() => sync.WSAPoll(fds, 0), 'WSAENOTSOCK', 'WSAPoll');
  });

  test('async WSAPoll resolves when an entry becomes ready', async () => {
    const { client, server } = scope.pair();
    const fds: ws.PollFd[] = [{ socket: server, events: ws.POLLRDNORM }];
    const waiting = ws.WSAPoll(fds, 5000);
    setTimeout(() => sync.send(client, 'x'), 20);
    assert.equal(await waiting, 1);
    assert.ok((fds[0]!.revents! & ws.POLLRDNORM) !== 0);
    assert.equal(await ws.WSAPoll([{ socket: client, events: ws.POLLRDNORM }], 20), 0);
  });

  test('select over POSIX poll(2) takes more than FD_SETSIZE on POSIX, not on Windows', () => {
    const sockets = Array.from({ length: 65 }, () => scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, 0))); // UDP: always writable
    if (process.platform === 'win32') {
      assertWinsockError(() => sync.select(sockets, null, null, 0), 'WSAEINVAL', 'select');
    } else {
      assert.equal(sync.select(null, sockets, null, 0).count, 65);
    }
  });
});
