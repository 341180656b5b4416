// `npm run bench`: builds the C reference, runs every workload for every side, interleaved, then the callgrind
// instruction counts, and writes docs/performance.md and docs/performance.svg (with --quick: one short run of each,
// written to build/bench/ only; with --only=pingpong,instructions,... or --sides=ours,net,...: just those, also to
// build/bench/ only).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { hardDescriptorLimit } from './processes.js';
import { chart, markdown, type Machine } from './report.js';
import { Results, summarize } from './stats.js';
import { SIDES, SIDE_LABELS, Sides, type Sample, type SideName, type Sizes } from './workloads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..'); // dist-bench/run.js -> the repository
const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (workload: string): boolean => only === undefined || only.includes(workload);
const sidesArg = process.argv.find((arg) => arg.startsWith('--sides='))?.slice('--sides='.length).split(',');
const sidesRun = SIDES.filter((side) => sidesArg === undefined || sidesArg.includes(side));
const out = join(root, 'build/bench');
mkdirSync(out, { recursive: true });

const sizes: Sizes = quick
  ? { runs: 1, bulkBytes: 2 ** 28, bulkChunk: 65536, pingRounds: 5000, pingWarmup: 500, connections: 500,
      idleConnections: 2000, callgrindRounds: [2000, 4000], callgrindWaitingRounds: [1000, 2000] }
  : { runs: 5, bulkBytes: 2 ** 30, bulkChunk: 65536, pingRounds: 20000, pingWarmup: 2000, connections: 3000,
      idleConnections: 10000, callgrindRounds: [5000, 25000], callgrindWaitingRounds: [5000, 20000] };

// The idle workload needs a descriptor per connection in the server and in the client, and some to spare.
const descriptorsWanted = sizes.idleConnections + 1024;
const hard = hardDescriptorLimit();
if (hard < descriptorsWanted) {
  sizes.idleConnections = Math.max(0, hard - 1024);
  console.warn(`descriptor hard limit is ${hard}: the idle workload holds ${sizes.idleConnections} connections`);
}
const descriptors = Math.min(hard, descriptorsWanted);

const reference = join(out, 'reference');
execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', reference, join(root, 'bench/reference.c')], { stdio: 'inherit' });
const sides = new Sides(root, reference, descriptors);
const results = new Results();
const began = performance.now();

function log(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Runs `measure` for every side, `sizes.runs` times, interleaved (net, ours, socket, C, net, ...). */
async function interleaved(workload: string, measure: (side: SideName) => Promise<Sample>): Promise<void> {
  for (let run = 1; run <= sizes.runs; run++) {
    const line: string[] = [];
    for (const side of sidesRun) {
      const sample = await measure(side);
      for (const [name, value] of Object.entries(sample)) results.add(`${workload}.${name}`, side, value);
      line.push(`${side} ${Object.values(sample).map((v) => v.toPrecision(4)).join('/')}`);
    }
    log(`${workload} run ${run}/${sizes.runs}: ${line.join(', ')}`);
  }
}

if (wanted('bulk')) await interleaved('bulk', (side) => sides.bulk(side, sizes));
if (wanted('pingpong')) await interleaved('pingpong', (side) => sides.pingpong(side, sizes));
if (wanted('connrate')) await interleaved('connrate', (side) => sides.connrate(side, sizes));
if (wanted('idle') && sizes.idleConnections > 0) await interleaved('idle', (side) => sides.idle(side, sizes));

// Instructions per round trip, in three settings: the C server answering at once (whether the answer is there
// when the client looks depends on how fast the server wakes up), one answer ahead (it is always there), and
// answering after 300 µs (every round trip waits for readiness).
const callgrindModes = [
  { metric: 'instructions', delayUs: 0, rounds: sizes.callgrindRounds, repeats: quick ? 1 : 3 },
  { metric: 'instructions.ready', delayUs: -1, rounds: sizes.callgrindRounds, repeats: 1 },
  { metric: 'instructions.waiting', delayUs: 300, rounds: sizes.callgrindWaitingRounds, repeats: 1 },
];
for (const { metric, delayUs, rounds: [shortRun, longRun], repeats } of callgrindModes.filter((mode) => wanted(mode.metric))) {
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const side of sidesRun) {
      if (side === 'c' && repeat > 1) continue; // a blocking C client's count does not vary
      const file = (rounds: number): string => join(out, `callgrind.${side}.${delayUs}.${rounds}.out`);
      const short = await sides.instructions(side, shortRun, delayUs, file(shortRun));
      const long = await sides.instructions(side, longRun, delayUs, file(longRun));
      const perRoundTrip = (long.instructions - short.instructions) / (longRun - shortRun);
      results.add(metric, side, perRoundTrip);
      if (metric === 'instructions') results.add(`${metric}.waits`, side, (long.epollWaits - short.epollWaits) / (longRun - shortRun));
      const answer = delayUs < 0 ? 'answer ahead' : `answer after ${delayUs} µs`;
      log(`callgrind ${SIDE_LABELS[side]}, ${answer}: ${short.instructions} / ${long.instructions} ` +
        `instructions, ${perRoundTrip.toFixed(0)} per round trip`);
    }
  }
}

const elapsed = (performance.now() - began) / 1000;
const machine = describeMachine();
writeFileSync(join(out, 'results.json'), `${JSON.stringify({ machine, sizes, results }, null, 2)}\n`);
const notes = readFileSync(join(root, 'bench/notes.md'), 'utf8');
const docs = quick || only !== undefined || sidesArg !== undefined ? out : join(root, 'docs');
mkdirSync(docs, { recursive: true });
writeFileSync(join(docs, 'performance.md'), markdown(results, machine, sizes, descriptors, notes, elapsed));
writeFileSync(join(docs, 'performance.svg'), chart(results));
log(`\nwrote ${join(docs, 'performance.md')} and performance.svg in ${elapsed.toFixed(0)} s`);
for (const side of sidesRun) {
  const parts = ['bulk.throughput', 'pingpong.rate', 'connrate.rate', 'idle.rss', 'instructions']
    .filter((metric) => results.runs(metric, side).length > 0)
    .map((metric) => `${metric} ${summarize(results.runs(metric, side)).median.toPrecision(4)}`);
  log(`${SIDE_LABELS[side]}: ${parts.join(', ')}`);
}

function describeMachine(): Machine {
  const firstLine = (command: string, args: string[]): string => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      return `${command}: unavailable`;
    }
  };
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: cpus().length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    kernel: firstLine('uname', ['-r']),
    node: process.version,
    cc: firstLine('cc', ['--version']),
    valgrind: firstLine('valgrind', ['--version']),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}
