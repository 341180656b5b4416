// `npm run bench`: brings the addon up to date (bench/addon-build.ts: make alone when only sources changed),
// builds the C reference, the scale client, the rusage wrapper and the floor binding, runs every workload for every
// side, interleaved, then the callgrind counts (client per round trip, server per message at
// N connections), and writes docs/performance.md and docs/performance.svg. --quick: one short run of each, written
// to build/bench/ only; --long: more runs and longer counted stretches (the default is the shorter form), and the
// bulk slope; --slope: the bulk slope (a 4 GiB pair after each 1 GiB one) in any form; with
// --only=bulk,syscalls,pingpong,connrate,idle,instructions,scale or --sides=ours,net,...: just those, also to
// build/bench/ only; --docs: to docs/ all the same; --jobs=N: callgrind counts at once (3 by default); --profile:
// each callgrind count's costliest functions, V8's generated code named (bench/jit-names.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildAddon } from './addon-build.js';
import { runConcurrently } from './concurrently.js';
import { profileLines } from './jit-names.js';
import { hardDescriptorLimit } from './processes.js';
import { chart, markdown, type Machine } from './report.js';
import { GOALS, Results, judge, summarize } from './stats.js';
import { COUNTED_HOLD_US, SIDES, SIDE_LABELS, Sides, scaleStretch, type Sample, type SideName, type Sizes } from './workloads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..'); // dist-bench/run.js -> the repository
const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (workload: string): boolean => only === undefined || only.includes(workload);
const sidesArg = process.argv.find((arg) => arg.startsWith('--sides='))?.slice('--sides='.length).split(',');
const sidesRun = SIDES.filter((side) => sidesArg === undefined || sidesArg.includes(side));
const out = join(root, 'build/bench'); // made after the addon's build: node-gyp rebuild empties build/

const long = process.argv.includes('--long');
// The bulk slope (a 4 GiB pair after each 1 GiB one: CPU per GiB without startup and JIT warm-up) adds some 90 s to
// the default form, so it runs with --long, or on its own with --slope.
const slope = long || process.argv.includes('--slope');
// --quick still measures every goal once (idle at 10,000 and 18,000, scale up to 1,000), with short counted stretches.
// Warm-ups: 50,000 round trips or messages, since V8 tiers up some functions on winsock/promises' path late (toBytes
// after some 13,000 sends, checkOptions after 20,000 to 50,000 waited calls: a cheap early return spends little of
// a function's tier-up budget, bench/notes.md); and at N connections at least 20 messages per connection before the
// counters start and 10 per connection counted, so that every connection's first waits and the garbage of its
// first messages are behind it. The default counts 5,000 (every window starts with an empty young generation and
// scavenges only when the new space is full, so a shorter window repeats as well: bench/notes.md), --long 50,000;
// N = 10 only in --long.
const perConnection = { scaleWarmupPerConnection: 20, scaleMessagesPerConnection: 10 };
const sizes: Sizes = quick
  ? { runs: 1, bulkBytes: 2 ** 28, bulkSlopeBytes: slope ? 2 ** 30 : 0, bulkChunk: 65536, pingRounds: 5000, pingWarmup: 500, connections: 500,
      idleConnections: [10000, 18000], callgrindWarmup: 50000, callgrindRounds: 1000, callgrindRoundsThere: 1000,
      scaleConnections: [1, 100, 1000],
      scaleWarmup: 50000, scaleMessages: 1000, ...perConnection, straceBytes: 2 ** 27 }
  : { runs: long ? 5 : 3, bulkBytes: 2 ** 30, bulkSlopeBytes: slope ? 2 ** 32 : 0, bulkChunk: 65536, pingRounds: 20000, pingWarmup: 2000,
      connections: 3000, idleConnections: [10000, 18000], callgrindWarmup: 50000, callgrindRounds: long ? 50000 : 5000,
      callgrindRoundsThere: long ? 50000 : 20000,
      scaleConnections: long ? [1, 10, 100, 1000] : [1, 100, 1000], scaleWarmup: 50000, scaleMessages: long ? 50000 : 5000, ...perConnection,
      straceBytes: 2 ** 28 };

// The idle workload needs a descriptor per connection in the server and in the client (separate processes, each
// with its own limit), and some to spare: 18,000 + 1,024 fits the hard limit of 20,000 this machine has.
const hard = hardDescriptorLimit();
sizes.idleConnections = sizes.idleConnections.map((count) => {
  if (count + 1024 <= hard) return count;
  console.warn(`descriptor hard limit is ${hard}: the idle workload holds ${Math.max(0, hard - 1024)} connections, not ${count}`);
  return Math.max(0, hard - 1024);
}).filter((count) => count > 0);
const descriptors = Math.min(hard, Math.max(...sizes.idleConnections, ...sizes.scaleConnections, 0) + 1024);

const compile = (output: string, source: string, flags: string[] = []): string => {
  execFileSync('cc', ['-O2', '-Wall', '-Wextra', ...flags, '-o', join(out, output), join(root, 'bench', source)],
    { stdio: 'inherit' });
  return join(out, output);
};
const addonBuild = buildAddon(root); // before the clock starts: it is not part of any workload
mkdirSync(out, { recursive: true });
const reference = compile('reference', 'reference.c');
const scaleClient = compile('scale', 'scale.c');
const rusage = compile('rusage', 'rusage.c');
compile('floor.node', 'floor/floor.c', ['-shared', '-fPIC', `-I${nodeHeaders()}`]);
const profile = process.argv.includes('--profile');
const sides = new Sides(root, reference, scaleClient, rusage, descriptors, profile);
const results = new Results();
const began = performance.now();
const loadAtStart = loadavg();
log(addonBuild);
log(`load average at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}`);

/** A line of progress, with the seconds since the bench began (what each part of a run takes). */
function log(text: string): void {
  process.stdout.write(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${text}\n`);
}

/** The headers of the running Node: npm's nodedir (the project's .npmrc / npm config), else next to the binary. */
function nodeHeaders(): string {
  const configured = process.env['npm_config_nodedir'];
  const candidates = [configured, join(dirname(process.execPath), '..')].filter((dir): dir is string => !!dir);
  const found = candidates.map((dir) => join(dir, 'include/node')).find((dir) => existsSync(join(dir, 'node_api.h')));
  if (found === undefined) throw new Error(`no node_api.h under ${candidates.join(' or ')}: set npm's nodedir`);
  return found;
}

/** Runs `measure` for every side, `sizes.runs` times, interleaved (net, ours, socket, floor, C, net, ...). */
async function interleaved(workload: string, measure: (side: SideName) => Promise<Sample>, runs = sizes.runs,
  only: readonly SideName[] = sidesRun): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    const line: string[] = [];
    for (const side of only) {
      const sample = await measure(side);
      for (const [name, value] of Object.entries(sample)) results.add(`${workload}.${name}`, side, value);
      line.push(`${side} ${Object.values(sample).map((v) => v.toPrecision(4)).join('/')}`);
    }
    log(`${workload} run ${run}/${runs}: ${line.join(', ')}`);
  }
}

if (wanted('bulk')) await interleaved('bulk', (side) => sides.bulk(side, sizes));
if (wanted('syscalls')) {
  if (hasStrace()) await interleaved('syscalls', (side) => sides.bulkSyscalls(side, sizes.straceBytes, sizes.bulkChunk), 1);
  else log('syscalls: strace is not installed (apt-get install strace), so syscalls per GiB are not measured');
}
if (wanted('pingpong')) await interleaved('pingpong', (side) => sides.pingpong(side, sizes));
if (wanted('connrate')) await interleaved('connrate', (side) => sides.connrate(side, sizes));
if (wanted('idle')) {
  for (const [i, count] of sizes.idleConnections.entries()) {
    await interleaved(i === 0 ? 'idle' : 'idle.most', async (side) => ({ rss: (await sides.idle(side, count)).rss! }));
  }
}

// The callgrind counts run several at a time (--jobs=N, 3 by default): a count does not depend on load, and most
// of these processes wait (on a held answer, on a peer's wake-up) far more than they compute, so running them one
// after another left the 2 CPUs mostly idle. Each count's epoll-waits row shows whether its process still waited
// for every waited-for answer. The longest (waited-for, and the scale server at one connection) go first.
const jobs = Number(process.argv.find((arg) => arg.startsWith('--jobs='))?.slice('--jobs='.length) ?? 3);
const counts: { order: number; run: () => Promise<void> }[] = [];

// Client instructions per round trip in the steady state, against the C server 256 answers ahead (the answer is
// always there) and holding each answer 300 µs in the warm-up and 2 ms in the counted stretch (every round trip
// waits for readiness).
const callgrindModes = [
  { metric: 'instructions.ready', delayUs: -1 },
  { metric: 'instructions.waiting', delayUs: 300 },
];
for (const { metric, delayUs } of callgrindModes.filter((mode) => wanted(mode.metric) || wanted('instructions'))) {
  for (const side of sidesRun) {
    counts.push({ order: delayUs > 0 ? 0 : 2, run: async () => {
      const file = join(out, `callgrind.${side}.${delayUs}.out`);
      // The C client has no JIT to warm up: 1,000 round trips fault its pages in (50,000 took 39 s of the loaded
      // machine's default run in the waited mode, for the same count of 78).
      const warmup = side === 'c' ? Math.min(1000, sizes.callgrindWarmup) : sizes.callgrindWarmup;
      const rounds = delayUs < 0 ? sizes.callgrindRoundsThere : sizes.callgrindRounds;
      const counted = await sides.instructions(side, warmup, rounds, delayUs, file);
      results.add(metric, side, counted.instructions);
      results.add(`${metric}.waits`, side, counted.epollWaits);
      results.add(`${metric}.compiles`, side, counted.compiles);
      const answer = delayUs < 0 ? 'answer there already' : `answer after ${COUNTED_HOLD_US} µs`;
      log(`callgrind ${SIDE_LABELS[side]}, ${answer}: ${counted.instructions.toFixed(0)} instructions per round trip ` +
        `(${rounds} counted after ${warmup}), ${counted.epollWaits.toFixed(2)} epoll waits, ` +
        `${counted.compiles.toFixed(0)} in TurboFan compiles`);
      if (profile) log(`where they went, per round trip:\n${profileLines(`${file}.1`, rounds).join('\n')}`);
    } });
  }
}

// Server instructions per echoed message with N connections at once (the C epoll client drives them).
if (wanted('scale')) {
  for (const connections of sizes.scaleConnections) {
    for (const side of sidesRun.filter((s) => s !== 'c')) {
      counts.push({ order: connections === 1 ? 1 : 3, run: async () => {
        const file = join(out, `callgrind.scale.${side}.${connections}.out`);
        const { warmup, messages } = scaleStretch(sizes, connections);
        const counted = await sides.scale(side, connections, warmup, messages, file);
        results.add(`scale.${connections}`, side, counted.instructions);
        results.add(`scale.${connections}.waits`, side, counted.epollWaits);
        results.add(`scale.${connections}.compiles`, side, counted.compiles);
        log(`scale ${SIDE_LABELS[side]}, ${connections} connections: ${counted.instructions.toFixed(0)} server ` +
          `instructions per message (${messages} counted after ${warmup}), ${counted.epollWaits.toFixed(3)} epoll ` +
          `waits, ${counted.compiles.toFixed(0)} in TurboFan compiles`);
        if (profile) log(`where they went, per message:\n${profileLines(`${file}.1`, messages).join('\n')}`);
      } });
    }
  }
}
await runConcurrently(counts.sort((a, b) => a.order - b.order).map((count) => count.run), jobs);

const elapsed = (performance.now() - began) / 1000;
const loadAtEnd = loadavg();
log(`load average at the end: ${loadAtEnd.map((l) => l.toFixed(2)).join(', ')}`);
const machine = { ...describeMachine(), loadAtStart, loadAtEnd };
writeFileSync(join(out, 'results.json'), `${JSON.stringify({ machine, sizes, results }, null, 2)}\n`);
const notes = readFileSync(join(root, 'bench/notes.md'), 'utf8');
// --docs writes docs/ even from a quick or partial run (its header names the form it was made with).
const docs = !process.argv.includes('--docs') && (quick || only !== undefined || sidesArg !== undefined) ? out : join(root, 'docs');
mkdirSync(docs, { recursive: true });
const form = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
writeFileSync(join(docs, 'performance.md'), markdown(results, machine, sizes, descriptors, notes, elapsed, form));
writeFileSync(join(docs, 'performance.svg'), chart(results));
log(`\nwrote ${join(docs, 'performance.md')} and performance.svg in ${elapsed.toFixed(0)} s`);
for (const side of sidesRun) {
  const parts = ['bulk.throughput', 'bulk.cpu', 'bulk.beyondStartup', 'pingpong.rate', 'connrate.rate', 'idle.rss',
    'instructions.ready', 'instructions.waiting', 'scale.1000']
    .filter((metric) => results.runs(metric, side).length > 0)
    .map((metric) => `${metric} ${summarize(results.runs(metric, side)).median.toPrecision(4)}`);
  log(`${SIDE_LABELS[side]}: ${parts.join(', ')}`);
}

for (const goal of GOALS) {
  const { figure, verdict, why } = judge(goal, results);
  log(`goal: ${goal.text} (${SIDE_LABELS[goal.side]}): ${Number.isFinite(figure) ? figure.toPrecision(4) : '–'}, ${verdict}${why === '' ? '' : ` (${why})`}`);
}

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function describeMachine(): Omit<Machine, 'loadAtStart' | 'loadAtEnd'> {
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
