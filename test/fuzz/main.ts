// `npm run fuzz -- --calls 100000 --seed 7`: the long fuzz run. Each seed runs in a child process
// (test/fuzz/child.ts) under a watchdog, so that a crash (the child dies by a signal or without its report) and a
// hang (no heartbeat for --stall seconds) are seen and reported with the seed that replays them:
//   --seed N            one seed (default: from the clock, printed)
//   --seeds A..B        every seed from A to B
//   --calls N           calls per seed (default 100000)
//   --trace             print every call and its outcome (to stderr): replay a seed with it to see what it did
//   --stall S           seconds without a heartbeat from the child (its event loop blocked) that count as a hang
//                       (default 60); the child beats every second while its loop runs, and says every 1000 calls
// Exits 0 only when every seed ran to its end with no finding.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { FuzzReport } from './engine.js';

interface Arguments {
  seeds: number[];
  calls: number;
  trace: boolean;
  stallSeconds: number;
}

function parse(argv: string[]): Arguments {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  let seeds = [Number(value('seed') ?? (Date.now() % 1_000_000))];
  const range = value('seeds');
  if (range !== undefined) {
    const [from, to] = range.split('..').map(Number);
    if (from === undefined || to === undefined || !(to >= from)) throw new Error(`--seeds A..B, got ${range}`);
    seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  return {
    seeds,
    calls: Number(value('calls') ?? 100_000),
    trace: argv.includes('--trace'),
    stallSeconds: Number(value('stall') ?? 60),
  };
}

interface SeedResult {
  seed: number;
  verdict: 'clean' | 'findings' | 'crash' | 'hang';
  report?: FuzzReport;
  detail: string;
}

function runSeed(seed: number, args: Arguments): Promise<SeedResult> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./child.js', import.meta.url)), '--seed', String(seed), '--calls', String(args.calls), ...(args.trace ? ['--trace'] : [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let report: FuzzReport | undefined;
  let stdoutRest = '';
  const stderrTail: string[] = [];
  let lastProgress = performance.now();
  let done = 0;
  let hung = false;

  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const lines = (stdoutRest + text).split('\n');
    stdoutRest = lines.pop()!;
    for (const line of lines) {
      lastProgress = performance.now();
      if (line.startsWith('progress ')) {
        done = Number(line.slice(9));
        if (done % 10_000 === 0) console.log(`  seed ${seed}: ${done} calls`);
      } else if (line.startsWith('report ')) {
        report = JSON.parse(line.slice(7)) as FuzzReport;
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (args.trace) process.stderr.write(text);
    stderrTail.push(...text.split('\n'));
    if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
  });
  const watchdog = setInterval(() => {
    if (performance.now() - lastProgress < args.stallSeconds * 1000) return;
    hung = true;
    child.kill('SIGKILL');
  }, 1000);

  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      const tail = stderrTail.filter(Boolean).slice(-15).join('\n    ');
      if (hung) {
        resolve({ seed, verdict: 'hang', detail: `no heartbeat for ${args.stallSeconds} s after ${done} calls\n    ${tail}` });
      } else if (report === undefined || (code !== 0 && code !== 1)) {
        // Died, or failed at exit after its report (a sanitizer's leak check): child.js exits 1 only for findings.
        resolve({ seed, verdict: 'crash', detail: `exit ${code ?? signal} after about ${done} calls\n    ${tail}` });
      } else if (report.findings.length > 0) {
        const shown = report.findings.slice(0, 10).map((f) => `${f.kind}: ${f.call}: ${f.detail}`).join('\n    ');
        resolve({ seed, verdict: 'findings', report, detail: `${report.findings.length} findings\n    ${shown}` });
      } else {
        resolve({ seed, verdict: 'clean', report, detail: '' });
      }
    });
  });
}

const args = parse(process.argv.slice(2));
console.log(`fuzz: ${args.seeds.length} seed(s) from ${args.seeds[0]}, ${args.calls} calls each`);
const results: SeedResult[] = [];
for (const seed of args.seeds) {
  const result = await runSeed(seed, args);
  results.push(result);
  const r = result.report;
  const figures = r === undefined ? '' : `: ${r.calls} calls (${r.syncCalls} sync, ${r.asyncCalls} async) in ` +
    `${(r.durationMs / 1000).toFixed(1)} s, slowest sync call ${r.slowestSyncCallMs.toFixed(0)} ms, worst loop stall ` +
    `${r.worstLoopStallMs.toFixed(0)} ms${r.busySlowCalls > 0 ? `, ${r.busySlowCalls} sync calls over the limit busy on the CPU (sanitizers)` : ''}` +
    `${r.busyStalls > 0 ? `, ${r.busyStalls} loop stalls over the limit busy on the CPU (sanitizers)` : ''}`;
  console.log(`seed ${seed}: ${result.verdict}${figures}${result.detail ? `\n    ${result.detail}` : ''}`);
  if (result.verdict !== 'clean') console.log(`    replay: npm run fuzz -- --seed ${seed} --calls ${args.calls} --trace`);
}

const outcomes = new Map<string, number>();
for (const r of results) for (const [key, n] of Object.entries(r.report?.outcomes ?? {})) outcomes.set(key, (outcomes.get(key) ?? 0) + n);
const total = results.reduce((sum, r) => sum + (r.report?.calls ?? 0), 0);
const tally = (verdict: SeedResult['verdict']): number => results.filter((r) => r.verdict === verdict).length;
console.log(`\nfuzz summary: ${total} calls over ${results.length} seed(s); crashes ${tally('crash')}, hangs ${tally('hang')}, ` +
  `seeds with findings ${tally('findings')}`);
for (const [key, n] of [...outcomes].sort(([, a], [, b]) => b - a)) console.log(`  ${String(n).padStart(8)}  ${key}`);
process.exitCode = results.every((r) => r.verdict === 'clean') ? 0 : 1;
