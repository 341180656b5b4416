// Issue 14, "no spin": an async select or WSAPoll waiting for what the event loop's readable/writable readiness
// cannot tell apart (exceptfds, POLLPRI, the priority bands) while ordinary data waits on the socket. On main,
// readiness fired, the attempt found nothing to report, and it watched again at once: the loop spun at 100% for
// the whole wait, and a recv queued behind it waited as long. The bound here is the issue's: an event-loop
// utilisation of at most 0.05 over a 1-second wait.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope } from '../support.js';

const MAX_UTILISATION = 0.05;

/**
 * Runs `wait(1000)` and returns what it resolved with and the event loop's utilisation while it ran. A short wait on
 * the same path comes first, unmeasured: the first run of a path pays for compiling it (under Wine, about 0.1 of a
 * second's utilisation on a loaded machine), which is not what a spin is.
 */
async function measured<T>(wait: (timeout: number) => Promise<T>): Promise<{ value: T; utilisation: number; ms: number }> {
  await wait(100);
  const start = performance.eventLoopUtilization();
  const began = performance.now();
  const value = await wait(1000);
  const ms = performance.now() - began;
  return { value, utilisation: performance.eventLoopUtilization(start).utilization, ms };
}

describe('no spin: waits the event loop cannot satisfy are not retried in a loop', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  /** A connected pair with ordinary data waiting at `server`. */
  function pairWithData(): { client: sync.SOCKET; server: sync.SOCKET } {
    const { client, server } = scope.pair();
    sync.send(client, 'ordinary data');
    // Let it arrive before the first poll, so the wait starts with the socket readable.
    assert.equal(sync.select([server], null, null, 2000).count, 1);
    return { client, server };
  }

  test('async select on exceptfds while ordinary data waits: event-loop utilisation <= 0.05 over 1 s', async () => {
    const { server } = pairWithData();
    const { value, utilisation, ms } = await measured((timeout) => ws.select(null, null, [server], timeout));
    assert.equal(value.count, 0);
    assert.ok(ms >= 900, `returned after ${ms} ms`);
    assert.ok(utilisation <= MAX_UTILISATION, `event-loop utilisation ${utilisation.toFixed(3)}`);
  });

  test('async WSAPoll asking only for POLLPRI while ordinary data waits: event-loop utilisation <= 0.05 over 1 s', async () => {
    const { server } = pairWithData();
    const fds: ws.PollFd[] = [{ socket: server, events: ws.POLLPRI }];
    const { value, utilisation } = await measured((timeout) => ws.WSAPoll(fds, timeout));
    assert.equal(value, 0);
    assert.ok(utilisation <= MAX_UTILISATION, `event-loop utilisation ${utilisation.toFixed(3)}`);
  });

  test('async WSAPoll asking only for a priority band the socket never reports: event-loop utilisation <= 0.05', async () => {
    const { client, server } = pairWithData();
    const fds: ws.PollFd[] = [
      { socket: server, events: ws.POLLRDBAND },
      { socket: client, events: ws.POLLWRBAND },
    ];
    const { utilisation } = await measured((timeout) => ws.WSAPoll(fds, timeout));
    assert.ok(utilisation <= MAX_UTILISATION, `event-loop utilisation ${utilisation.toFixed(3)}`);
  });

  test('a recv queued behind an async select on exceptfds completes at once', async () => {
    const { server } = pairWithData();
    const waiting = ws.select(null, null, [server], 2000);
    const began = performance.now();
    const data = await ws.recv(server, 64, { timeout: 1000 });
    assert.equal(data.toString(), 'ordinary data');
    assert.ok(performance.now() - began < 500, 'the recv waited behind the select');
    assert.equal((await waiting).count, 0);
  });

  test('async select on exceptfds still wakes for out-of-band data', async () => {
    const { client, server } = scope.pair();
    const waiting = ws.select(null, null, [server], 5000);
    setTimeout(() => sync.send(client, '!', sync.MSG_OOB), 50);
    const result = await waiting;
    assert.equal(result.count, 1);
    assert.deepEqual(result.except, [server]);
  });
});
