// The fairness budget (src/fairness.ts): past it, a call that completes at once still makes its syscall at the call,
// and what it got reaches the caller on the loop's next turn, in call order. The first test failed on the code
// before 2026-11-30, where a call past the budget queued without trying: closing the socket right after lost it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope } from '../support.js';

/** More calls back to back than the budget (256) allows without a turn of the event loop. */
const PAST_THE_BUDGET = 300;

describe('fairness: calls past the budget', () => {
  ws.startup();
  const scope = new SocketScope();
  const open: { close(): void }[] = [];
  afterEach(() => {
    scope.closeAll();
    for (const thing of open.splice(0)) thing.close();
  });

  /** Waits (at most 5 s) until `count` bytes can be read from `s` at once. */
  async function untilReadable(s: sync.SOCKET, count: number): Promise<void> {
    for (let waited = 0; sync.ioctlsocket(s, sync.FIONREAD) < count; waited++) {
      assert.ok(waited < 5000, `only ${sync.ioctlsocket(s, sync.FIONREAD)} of ${count} bytes arrived`);
      await sleep(1);
    }
  }

  test('a send past the budget hands its bytes to the kernel at the call: closing right after loses none', async () => {
    const { client, server } = scope.pair();
    const data = Buffer.from(Array.from({ length: PAST_THE_BUDGET }, (_, i) => i % 256));
    const sends = [...data].map((byte) => ws.send(client, Buffer.of(byte)));
    scope.close(client);
    const outcomes = await Promise.allSettled(sends);
    assert.deepEqual(outcomes.filter((outcome) => outcome.status === 'rejected'), []);
    const received: Buffer[] = [];
    for (let chunk = await ws.recv(server, 4096); chunk.length > 0; chunk = await ws.recv(server, 4096)) received.push(chunk);
    assert.deepEqual(Buffer.concat(received), data);
  });

  test('recv calls past the budget get their bytes in call order, and the loop has a turn before the last of them', async () => {
    const { client, server } = scope.pair();
    const data = Buffer.from(Array.from({ length: PAST_THE_BUDGET }, (_, i) => (i * 7) % 256));
    sync.send(client, data);
    await untilReadable(server, data.length);
    let settled = 0;
    let settledBeforeTurn = -1;
    // Queued before the calls: Node runs immediates in order, so this one sees what was delivered without a turn.
    setImmediate(() => (settledBeforeTurn = settled));
    const reads = Array.from({ length: PAST_THE_BUDGET }, () => ws.recv(server, 1).finally(() => settled++));
    assert.deepEqual(Buffer.concat(await Promise.all(reads)), data);
    assert.ok(settledBeforeTurn >= 0 && settledBeforeTurn < PAST_THE_BUDGET, `${settledBeforeTurn} settled before the turn`);
  });

  test('failing tries past the budget reject with their own error', async () => {
    const { listener } = scope.listener();
    const sends = Array.from({ length: PAST_THE_BUDGET }, () => ws.send(listener, 'x'));
    const outcomes = await Promise.allSettled(sends);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.equal((outcome.reason as { code?: string }).code, 'WSAENOTCONN');
    }
  });

  test('Socket reads past the budget at the end of the stream resolve null, armed or not', async () => {
    const server = Server.listen({ host: '127.0.0.1' });
    open.push(server);
    const accepting = server.accept();
    const client = await Socket.connect('127.0.0.1', server.address().port);
    open.push(client);
    const peer = await accepting;
    open.push(peer);
    await client.end();
    assert.equal(await peer.read(), null);
    // 100 bytes: a pool-sized read, armed; 65536: read through a scratch buffer and CallSite.fulfilled.
    const reads = Array.from({ length: PAST_THE_BUDGET }, (_, i) => peer.read(i % 2 === 0 ? 100 : 65536));
    assert.deepEqual(new Set(await Promise.all(reads)), new Set([null]));
  });
});
