// The short fuzz run of `npm test`: 10,000 calls with hostile arguments, in-process (the long form, in child
// processes that can crash and hang safely, is `npm run fuzz`). FUZZ_SEED picks another seed; the default is fixed
// so that CI is reproducible.
import assert from 'node:assert/strict';

import { runFuzz } from '../fuzz/engine.js';
import { describe, test } from '../harness.js';

const seed = Number(process.env.FUZZ_SEED ?? 1);
const calls = Number(process.env.FUZZ_CALLS ?? 10_000);

describe('fuzz', () => {
  // Named with a fixed count: knownGaps (test/harness.ts) finds tests by name. FUZZ_CALLS changes the count.
  test('10,000 random calls: no unexpected error, no blocking call, no hang', async () => {
    const report = await runFuzz({ seed, calls });
    const errors = Object.entries(report.outcomes).sort(([, a], [, b]) => b - a);
    console.log(`fuzz seed ${seed}: ${report.calls} calls (${report.syncCalls} sync, ${report.asyncCalls} async) in ` +
      `${(report.durationMs / 1000).toFixed(1)} s; slowest sync call ${report.slowestSyncCallMs.toFixed(0)} ms, worst loop ` +
      `stall ${report.worstLoopStallMs.toFixed(0)} ms, ${report.settledAtEnd} calls settled at the end; findings ` +
      `${report.findings.length}\n  ${errors.map(([key, n]) => `${n} ${key}`).join('\n  ')}`);
    const distinct = [...new Map(report.findings.map((finding) => [`${finding.kind}: ${finding.detail}`, finding])).values()];
    assert.deepEqual(distinct.slice(0, 20), []);
  });
});
