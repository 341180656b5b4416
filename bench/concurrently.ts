// Runs the bench's callgrind counts several at a time: most of those processes wait far more than they compute.

/**
 * Runs `tasks`, at most `limit` at a time, starting them in their order; once every task has settled, fails with
 * the first failure if there was one (a count that failed does not stop the counts already running).
 */
export async function runConcurrently(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number from 1 up, not ${limit}`);
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => { failures.push(error); });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
