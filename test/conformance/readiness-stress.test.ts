// Many sockets waiting at once, each woken by data, by room to write, by a timeout, an abort or a close, all in the
// same turns of the event loop: no wakeup may be lost and no call may be settled twice. It runs on whichever
// readiness backend the leg uses: uv_poll under `npm test`, the addon's own poller under `npm run test:thread`, Bun,
// Deno and Wine's thread-poller run (.ci/run), where events cross from the poller's thread to JavaScript.
import assert from 'node:assert/strict';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope } from '../support.js';

const PAIRS = 32;
const ROUNDS = 30;
const BULK = 1 << 20;
/**
 * The whole test's time limit, under the runners' own (vitest 30 s, node --test under Wine 60 s) so that a lost
 * wakeup is reported as one, with how many calls it left waiting. The test takes 3 to 7 s here on either backend.
 */
const BUDGET_MS = 25_000;

/** Settles with `work`, or rejects at `deadline` naming `what` and how many calls never ended (a lost wakeup). */
async function withinDeadline<T>(what: string, work: Promise<T>[], deadline: number, unfinished: () => number): Promise<T[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: ${unfinished()} calls still waiting after ${BUDGET_MS} ms`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([Promise.all(work), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The code of a rejection (WinsockError's, or the name of an AbortError), or 'resolved'. */
const outcome = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => 'resolved',
    (error: { code?: unknown; name?: string }) => (typeof error.code === 'string' ? error.code : String(error.name)),
  );

describe('readiness under stress', () => {
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());
  sync.startup();

  test('32 connections waiting at once: round trips, bulk sends, timeouts, aborts and closes each end once', async () => {
    const deadline = Date.now() + BUDGET_MS;
    const { listener, port } = scope.listener();
    sync.listen(listener, PAIRS);
    const pairs = await Promise.all(
      Array.from({ length: PAIRS }, async () => {
        const client = scope.tcp();
        const [{ socket: server }] = await Promise.all([ws.accept(listener), ws.connect(client, '127.0.0.1', port)]);
        scope.track(server);
        return { client, server };
      }),
    );

    // Round trips on every connection at once: each wait is woken by the other side's data.
    let waiting = 0;
    const counted = <T>(call: Promise<T>): Promise<T> => {
      waiting++;
      return call.finally(() => waiting--);
    };
    const roundTrips = pairs.map(async ({ client, server }, i) => {
      for (let round = 0; round < ROUNDS; round++) {
        const message = `${i}:${round}`;
        const echoed = counted(ws.recv(server, 64)).then((data) => counted(ws.send(server, data)));
        await counted(ws.send(client, message));
        await echoed;
        let answer = '';
        while (answer.length < message.length) answer += String(await counted(ws.recv(client, 64)));
        assert.equal(answer, message);
      }
    });
    await withinDeadline('round trips', roundTrips, deadline, () => waiting);

    // On every connection at once: a send larger than the buffers waits for room, which the peer's reads make.
    const bulk = pairs.map(async ({ client, server }) => {
      const sending = counted(ws.send(client, Buffer.alloc(BULK, 7)));
      let received = 0;
      while (received < BULK) received += (await counted(ws.recv(server, 65536))).length;
      assert.equal(await sending, BULK);
      assert.equal(received, BULK);
    });
    await withinDeadline('bulk sends', bulk, deadline, () => waiting);

    // Then, still all at once: a read that times out, one that is aborted, and one that closesocket cancels, while
    // the reads of the other half of the connections are woken by data.
    const endings = pairs.map(async ({ client, server }, i) => {
      const timedOut = outcome(counted(ws.recv(client, 1, { timeout: 20 + (i % 5) })));
      const controller = new AbortController();
      const aborted = outcome(counted(ws.recv(server, 1, { signal: controller.signal })));
      setTimeout(() => controller.abort(), 1 + (i % 3));
      assert.equal(await timedOut, 'WSAETIMEDOUT');
      assert.equal(await aborted, 'AbortError');
      if (i % 2 === 0) {
        const cancelled = outcome(counted(ws.recv(client, 1)));
        setTimeout(() => scope.close(client), i % 4);
        assert.equal(await cancelled, 'WSAEINTR');
        // The peer sees the close as the end of the stream (or a reset, where the OS reports it so).
        const atEnd = await counted(ws.recv(server, 1)).then((data) => `${data.length} bytes`, (error: { code?: string }) => error.code);
        assert.ok(atEnd === '0 bytes' || atEnd === 'WSAECONNRESET', `after the peer closed: ${atEnd}`);
      } else {
        const read = counted(ws.recv(client, 16));
        setTimeout(() => void ws.send(server, `late ${i}`), i % 4);
        assert.equal(String(await read), `late ${i}`);
      }
    });
    await withinDeadline('timeouts, aborts and closes', endings, deadline, () => waiting);
    assert.equal(waiting, 0, 'every call ended');
  });
});
