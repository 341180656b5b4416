// Hostile arguments and lifecycle edges found while building the fuzzer (test/fuzz/) and the fault tests: each failed
// with the wrong kind of error, or left a call waiting forever, before it was fixed. Every test here is a
// regression test for one of those bugs.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError, distIndexPath } from '../support.js';

/** Asserts a TypeError with Node's code for an argument of the right type but an unacceptable value. */
function assertInvalidValue(call: () => unknown): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.equal((error as { code?: string }).code, 'ERR_INVALID_ARG_VALUE');
    return true;
  });
}

describe('robustness: hostile arguments and lifecycle edges', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('views over a SharedArrayBuffer are sent and received like any other bytes', async () => {
    const { client, server } = scope.pair();
    const shared = new Uint8Array(new SharedArrayBuffer(16));
    shared.set([1, 2, 3, 4], 2);
    assert.equal(sync.send(client, shared.subarray(2, 6)), 4);
    assert.equal(sync.send(client, new DataView(shared.buffer, 3, 2)), 2);
    const into = new Uint8Array(new SharedArrayBuffer(8));
    let total = 0;
    while (total < 6) total += sync.recv(server, into.subarray(total));
    assert.deepEqual([...into.subarray(0, 6)], [1, 2, 3, 4, 2, 3]);
    assert.equal(await ws.send(server, shared.subarray(2, 4)), 2);
    assert.equal(await ws.recvInto(client, new Uint8Array(new SharedArrayBuffer(4))), 2);
  });

  test('a detached buffer is a TypeError in the sync and the async send alike, never a crash', async () => {
    const { client } = scope.pair();
    const buffer = new ArrayBuffer(8);
    const view = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    const refused = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
    assert.throws(() => sync.send(client, buffer), refused);
    assert.throws(() => sync.send(client, view), refused);
    await assert.rejects(ws.send(client, view), refused);
    await assert.rejects(ws.send(client, buffer), refused);
  });

  test('Socket.connect and Server.listen refuse options that are not objects, and a host that is not a string', async () => {
    const refused = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
    await assert.rejects(Socket.connect('127.0.0.1', 1, null as unknown as object), refused);
    assert.throws(() => Server.listen(null as unknown as object), refused);
    assert.throws(() => Server.listen({ host: 5 as unknown as string }), refused);
  });

  test('Socket.close() and Server.close() after the last cleanup() closed their sockets do nothing, and do not throw', async () => {
    const server = Server.listen({ host: '127.0.0.1' });
    const accepting = server.accept();
    const client = await Socket.connect('127.0.0.1', server.address().port);
    const peer = await accepting;
    ws.cleanup();
    try {
      for (const thing of [client, peer, server]) thing.close();
    } finally {
      ws.startup();
    }
    assert.equal(server.closed, true);
    server.close(); // and again, with Winsock started
    client.close();
  });

  test('strings with a null byte are refused with a TypeError, not cut short at it', async () => {
    const s = scope.tcp();
    assertInvalidValue(() => sync.bind(s, '127.0.0.1\0.example', 0));
    assertInvalidValue(() => sync.connect(s, '127.0.0.1\0', 1));
    assertInvalidValue(() => sync.getaddrinfo('localhost\0evil.example', '80'));
    assertInvalidValue(() => sync.getaddrinfo('localhost', '80\0'));
    await assert.rejects(ws.getaddrinfo('localhost\0', 80), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    await assert.rejects(ws.connect(s, '127.0.0.1\0', 1), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });

  test('two sockets streaming to each other in one thread do not starve timers', async () => {
    const { client, server } = scope.pair();
    const total = 128 << 20;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    // Every send and recv here can complete at once: without a turn of the event loop now and then, this pair ran
    // as one chain of promise jobs until the last byte, and the interval above never fired in between.
    await Promise.all([
      (async () => {
        for (let sent = 0; sent < total; ) sent += await ws.send(client, Buffer.alloc(65536));
      })(),
      (async () => {
        for (let received = 0; received < total; ) received += (await ws.recv(server, 65536)).length;
      })(),
    ]);
    clearInterval(ticker);
    assert.ok(ticks >= 3, `a 1 ms interval fired ${ticks} times while 128 MiB went through`);
  });

  test('a SOCKET posted to a worker arrives as a plain object, which the API refuses there', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(pathToFileURL(distIndexPath).href)}).then((ws) => {
        ws.startup();
        parentPort.once('message', (s) => {
          try { ws.getsockname(s); parentPort.postMessage('accepted'); }
          catch (error) { parentPort.postMessage(error.name + ' ' + error.code); }
        });
      });`,
      { eval: true },
    );
    try {
      const s = scope.listener().listener;
      worker.postMessage(s);
      const [answer] = (await once(worker, 'message')) as [string];
      assert.equal(answer, 'TypeError ERR_INVALID_ARG_TYPE');
      assert.equal(sync.getsockname(s).address, '127.0.0.1'); // the original is untouched
    } finally {
      await worker.terminate();
    }
  });

  test('no argument JavaScript can make constructs a SOCKET, a look-alike of the native key included', () => {
    for (const args of [[], [Symbol('winsock SOCKET construction key')], [Symbol.for('winsock SOCKET construction key')], [{}], [1, 2]]) {
      assert.throws(() => Reflect.construct(sync.SOCKET, args), TypeError);
    }
  });

  test('the last cleanup() rejects calls still waiting with WSAEINTR, as closesocket does', async () => {
    const { listener } = scope.listener();
    const { client } = scope.pair();
    const pending = [ws.accept(listener), ws.recv(client, 1), ws.send(client, 'x').then(() => ws.recv(client, 1))];
    await new Promise((resolve) => setTimeout(resolve, 10));
    ws.cleanup(); // the count this file's startup() took: the last one
    try {
      const outcomes = await Promise.allSettled(pending);
      assert.deepEqual(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as ws.WinsockError).code), [
        'WSAEINTR', 'WSAEINTR', 'WSAEINTR',
      ]);
    } finally {
      ws.startup();
    }
    assertWinsockError(() => sync.getsockname(listener), 'WSAENOTSOCK', 'getsockname');
  });
});
