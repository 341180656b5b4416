// One fuzz run in its own process, started by test/fuzz/main.ts: `child.js --seed N --calls N [--trace]`.
// Progress and the report go to stdout as lines; the trace goes to stderr with writeSync, so that the last calls
// before a crash are on record even when the process dies in the middle of one.
import { writeSync } from 'node:fs';

import { runFuzz } from './engine.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const seed = option('seed', 1);
const calls = option('calls', 10_000);
const started = performance.now();
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to stderr, synchronously. Once anything has used `process.stderr` (a warning), libuv has made
 * the pipe nonblocking, and a write to a full pipe fails with EAGAIN: that threw out of the run, and Node could not
 * print the error either (a silent exit 1, taken for a crash). So a full pipe is waited out, 1 ms at a time.
 */
function writeAll(text: string): void {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(2, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

// Each trace line starts with the seconds since the start, so that a slow call shows in the trace.
const trace = process.argv.includes('--trace')
  ? (line: string): void => writeAll(`${((performance.now() - started) / 1000).toFixed(3)} ${line}\n`)
  : undefined;

// A heartbeat every second while the event loop runs: main.ts's watchdog calls the run hung when none comes for
// --stall seconds, so a slow stretch of calls (a sanitizer build on a loaded machine) is not taken for a hang, and a
// call that never returns is.
const heartbeat = setInterval(() => console.log('alive'), 1000);
heartbeat.unref();
const report = await runFuzz({ seed, calls, trace, progress: (done) => console.log(`progress ${done}`) });
clearInterval(heartbeat);
console.log(`report ${JSON.stringify(report)}`);
console.log(`summary: seed ${seed}, ${report.calls} calls (${report.syncCalls} sync, ${report.asyncCalls} async) in ` +
  `${(report.durationMs / 1000).toFixed(1)} s, ${report.findings.length} findings`);
// Ends by itself (no process.exit), so that LeakSanitizer's check at exit runs under scripts/with-asan.sh.
process.exitCode = report.findings.length === 0 ? 0 : 1;
