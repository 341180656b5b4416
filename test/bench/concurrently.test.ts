// bench/concurrently.ts: the bench's callgrind counts run at most --jobs at a time, in their order, and a failed
// count fails the bench only once the others have settled.
import { describe, expect, test } from 'vitest';

import { runConcurrently } from '../../bench/concurrently.js';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('runConcurrently', () => {
  test('never runs more than the limit at once, and starts the tasks in their order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const tasks = [30, 5, 20, 5, 10, 1].map((ms, index) => async () => {
      started.push(index);
      running++;
      most = Math.max(most, running);
      await tick(ms);
      running--;
    });
    await runConcurrently(tasks, 3);
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(running).toBe(0);
  });

  test('one at a time with a limit of 1', async () => {
    let running = 0;
    let most = 0;
    await runConcurrently(Array.from({ length: 4 }, () => async () => {
      most = Math.max(most, ++running);
      await tick(2);
      running--;
    }), 1);
    expect(most).toBe(1);
  });

  test('a failure rejects only after every other task has settled', async () => {
    const finished: number[] = [];
    const failure = new Error('count failed');
    const tasks = [
      async () => { await tick(1); throw failure; },
      async () => { await tick(20); finished.push(1); },
      async () => { await tick(5); finished.push(2); },
    ];
    await expect(runConcurrently(tasks, 2)).rejects.toBe(failure);
    expect(finished.sort()).toEqual([1, 2]);
  });

  test('a limit that is not a whole number from 1 up is a RangeError, not a run that never starts', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(runConcurrently([async () => {}], limit)).rejects.toBeInstanceOf(RangeError);
    }
  });
});
