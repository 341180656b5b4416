// docs/performance.md and its chart, written from the results of one `npm run bench`.
import { GOALS, METRICS, judge, scaleGrowth, type Results } from './stats.js';
import { SIDE_LABELS, SIDES, scaleStretch, type SideName, type Sizes } from './workloads.js';

export interface Machine {
  cpu: string;
  cpus: number;
  memory: string;
  kernel: string;
  node: string;
  cc: string;
  valgrind: string;
  date: string;
  /** os.loadavg() (1, 5 and 15 minutes) when the run began and when it ended. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

function format(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratioText(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

function resultsTable(results: Results): string {
  const rows = ['| workload | unit | side | median | min | max | ×node:net | ×C |', '|---|---|---|--:|--:|--:|--:|--:|'];
  for (const metric of METRICS) {
    for (const side of SIDES) {
      const summary = results.summary(metric.id, side);
      if (summary.runs === 0) continue;
      rows.push(`| ${metric.label} | ${metric.unit} | ${SIDE_LABELS[side]} | ${format(summary.median, metric.digits)} | ` +
        `${format(summary.min, metric.digits)} | ${format(summary.max, metric.digits)} | ` +
        `${ratioText(results.ratio(metric.id, side, 'net'))} | ${ratioText(results.ratio(metric.id, side, 'c'))} |`);
    }
  }
  return rows.join('\n');
}

function goalsTable(results: Results): string {
  const rows = ['| goal (issue 17) | side | this run | verdict |', '|---|---|--:|---|'];
  for (const goal of GOALS) {
    const { figure, verdict, why } = judge(goal, results);
    const shown = !Number.isFinite(figure) ? '–'
      : goal.unit === 'ratio' ? ratioText(figure) : `${figure >= 0 ? '+' : ''}${format(figure, 0)}`;
    const text = verdict === 'met' ? 'met' : `**${verdict}**`;
    rows.push(`| ${goal.text} | ${SIDE_LABELS[goal.side]} | ${shown} | ${why === '' ? text : `${text} (${why})`} |`);
  }
  return rows.join('\n');
}

/** Issue 17's first table: client instructions per round trip in both modes, and each side over the floor. */
function floorTable(results: Results): string {
  const rows = ['| side | answer already there | ×floor | answer waited for | ×floor |', '|---|--:|--:|--:|--:|'];
  for (const side of ['floor', 'ours', 'socket', 'net', 'c'] as const) {
    const [ready, waiting] = [results.summary('instructions.ready', side), results.summary('instructions.waiting', side)];
    if (ready.runs === 0 && waiting.runs === 0) continue;
    rows.push(`| ${SIDE_LABELS[side]} | ${format(ready.median, 0)} | ${ratioText(results.ratio('instructions.ready', side, 'floor'))} | ` +
      `${format(waiting.median, 0)} | ${ratioText(results.ratio('instructions.waiting', side, 'floor'))} |`);
  }
  return rows.join('\n');
}

/** Issue 17's second table: server instructions per message at N connections, and the growth from 100 to 1,000. */
function scaleTable(results: Results, connections: number[]): string {
  const sides = ['floor', 'ours', 'net', 'socket'] as const;
  const rows = [`| N | ${sides.map((side) => SIDE_LABELS[side]).join(' | ')} |`, `|--:|${sides.map(() => '--:').join('|')}|`];
  for (const n of connections) {
    rows.push(`| ${n} | ${sides.map((side) => format(results.summary(`scale.${n}`, side).median, 0)).join(' | ')} |`);
  }
  if (connections.includes(100) && connections.includes(1000)) {
    rows.push(`| growth 100 → 1,000 | ${sides.map((side) => {
      const growth = scaleGrowth(results, side);
      return Number.isFinite(growth) ? `${growth >= 0 ? '+' : ''}${format(growth, 0)}` : '–';
    }).join(' | ')} |`);
  }
  return rows.join('\n');
}

/**
 * Bulk CPU seconds per GiB, split into user and system time of each process (wait4's rusage): the median of the
 * runs and, under it, their range, since the spread between runs of one side is wide on this shared machine.
 */
function bulkCpuTable(results: Results): string {
  const columns = ['userClient', 'systemClient', 'userServer', 'systemServer', 'cpu', 'startup', 'beyondUser',
    'beyondSystem', 'beyondStartup'] as const;
  const rows = ['| side | client user | client system | server user | server system | total | ×C | startup (s) | ' +
    'beyond startup: user | system | total | ×C |', '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|'];
  for (const side of SIDES) {
    if (results.summary('bulk.cpu', side).runs === 0) continue;
    const cells = columns.map((column) => {
      const { median, min, max } = results.summary(`bulk.${column}`, side);
      return `${format(median, 3)} (${format(min, 3)}–${format(max, 3)})`;
    });
    rows.push(`| ${SIDE_LABELS[side]} | ${cells.slice(0, 5).join(' | ')} | ${ratioText(results.ratio('bulk.cpu', side, 'c'))} | ` +
      `${cells.slice(5).join(' | ')} | ${ratioText(results.ratio('bulk.beyondStartup', side, 'c'))} |`);
  }
  return rows.join('\n');
}

function loadText(machine: Machine): string {
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(', ');
  const loaded = Math.max(machine.loadAtStart[0] ?? 0, machine.loadAtEnd[0] ?? 0) > machine.cpus / 2;
  return `- Load average (1, 5, 15 minutes, os.loadavg() as uptime prints it): ${load(machine.loadAtStart)} at the start, ` +
    `${load(machine.loadAtEnd)} at the end. ${loaded
      ? `**The machine was loaded** by other work during this run (a 1-minute load above half its ${machine.cpus} ` +
        'CPUs at the start or the end): the wall-clock figures (throughput, rates, latencies) are lower and ' +
        'noisier than on an idle machine. Callgrind\'s instruction counts do not depend on load.'
      : 'The machine was not loaded by other work.'}`;
}

export function markdown(results: Results, machine: Machine, sizes: Sizes, descriptors: number, notes: string,
  elapsedSeconds: number, form: string): string {
  return `# Performance

Measured by \`${form}\` (bench/run.ts) on ${machine.date}, in ${Math.round(elapsedSeconds)} s. The tables below
are that run's output, all from the same run; the sections after them are kept in bench/notes.md.

## Machine

- CPU: ${machine.cpu}, ${machine.cpus} vCPUs; memory ${machine.memory}
- Linux ${machine.kernel}, Node ${machine.node}, ${machine.cc}, ${machine.valgrind}
- Loopback (127.0.0.1); every server and client in a process of its own; descriptor limit ${descriptors}
${loadText(machine)}

## Results

Each wall-clock figure is the median of ${sizes.runs} runs, with the smallest and largest; the sides run interleaved
(node:net, winsock/promises, winsock Socket, floor, C, node:net, ...), so a slow patch of the VM hits all of them.
Ratios are of medians: above 1 is faster for rates and throughput, above 1 is more for latency, memory, CPU and
instructions. The sides: **floor** is bench/floor/floor.c, the least a correct Node-API binding on the event loop
does (one uv_poll per socket, the syscall tried first, each promise settled inside \`napi_open_callback_scope\` with
the socket's async context), driven by the same JavaScript as winsock/promises (bench/sides/floor.ts).

Instruction counts are user-space instructions under \`valgrind --tool=callgrind\`, all threads of the process, in
the steady state: the process runs its warm-up uninstrumented (\`--instr-atstart=no\`; a client's warm-up in four
stretches of the same function, then a scavenge), the bench turns instrumentation on and zeroes callgrind's
counters (\`callgrind_control --instr=on\`, \`--zero\`), the process runs the counted stretch, and the bench dumps
them (\`callgrind_control --dump\`); the count is the dump's total over the counted round trips or messages.
Startup, warm-up and JIT compiles are outside the window; the "of which TurboFan compiles" rows show what was
compiled inside it, 0 in a steady state (one run each; bench/notes.md says how closely the counts repeat). Client rows: the ping-pong client of each side
against the C server, ${sizes.callgrindRoundsThere} round trips counted after ${sizes.callgrindWarmup} with the answer there already
and ${sizes.callgrindRounds} when waited for; "answer there already" has the
server 256 answers ahead (it sends 256 extra first), "answer waited for" has it hold each answer 300 µs (2 ms in the counted stretch), so that
every round trip goes through the event loop. Scale rows: the server of each side under callgrind, driven by the
C epoll client (bench/scale.c, one process) over N connections at once, each next message held 300 µs (2 ms when counted) after its
echo so that every message is waited for; ${sizes.scaleMessages} messages counted after ${sizes.scaleWarmup}, and at
least ${sizes.scaleMessagesPerConnection} counted after ${sizes.scaleWarmupPerConnection} per connection (at 1,000
connections: ${scaleStretch(sizes, 1000).messages} after ${scaleStretch(sizes, 1000).warmup}).
Bulk CPU is the user + system seconds of the client and server processes (wait4's rusage, bench/rusage.c), per GiB;
syscalls per GiB come from one further bulk run of ${sizes.straceBytes / 2 ** 20} MiB under \`strace -f -c\`.
"Startup" is the same pair moving one ${sizes.bulkChunk / 1024} KiB chunk right after (CPU seconds of both processes,
or their syscalls); "beyond startup" is the run's figure less that, per GiB moved. With \`--slope\` or \`--long\`,
"per extra GiB" is what a 4 GiB pair run after the 1 GiB one used beyond it, per extra GiB: the JIT's warm-up,
which the one-chunk pair does not have, is left out too.

### Distance to the floor (client instructions per 64-byte round trip)

${floorTable(results)}

### Server instructions per echoed 64-byte message, N connections at once

${scaleTable(results, sizes.scaleConnections)}

### Bulk CPU seconds per GiB: median (min–max) of the runs

${bulkCpuTable(results)}

### Every figure

${resultsTable(results)}

![Ratios to node:net](performance.svg)

## Goals

Issue 17's goals, each from this run's figures.

${goalsTable(results)}

## Workloads

- **bulk**: the client sends ${sizes.bulkBytes / 2 ** 30} GiB in ${sizes.bulkChunk / 1024} KiB writes, then ends its
  side; the server reads (64 KiB at a time) to the end and answers with the count. Timed by the client from the first
  write to the answer.
- **ping-pong**: one connection, TCP_NODELAY on both ends; the client sends 64 bytes and waits for the server's 64
  back, ${sizes.pingRounds} times after ${sizes.pingWarmup} for warm-up. Latency is per round trip.
- **connection rate**: ${sizes.connections} times in a row, the client connects, sends one byte and waits for the
  end of stream; the server accepts, reads the byte and closes.
- **idle connections**: the C client opens ${sizes.idleConnections.join(' (first row), then ')} connections to the server
  (each process has its own descriptor limit, ${descriptors} here), which accepts them
  all and keeps a read waiting on each; then the server's VmRSS is read from /proc after a full garbage collection
  (\`--expose-gc\`) and half a second of rest.
- **scale**: N = ${sizes.scaleConnections.join(', ')} connections to one server, driven by bench/scale.c (epoll); the
  server echoes each 64-byte message; only counted under callgrind (see above). Each run's server listens on a new
  port, so TIME_WAIT sockets of earlier runs (other 4-tuples) never stand in the way of new connections.
- Sides: **node:net** with 'data' events and write()/'drain'; **winsock/promises** with \`send\` and \`recvInto\`
  into a reused buffer; **winsock Socket** with \`write\` and \`read\` (a new Buffer per read) and
  \`Socket.connect\`/\`Server.accept\`; **floor** (bench/floor/floor.c, built by the bench with \`cc -O2 -shared\`
  against the running Node's headers, from npm's \`nodedir\` when set) with \`send\` and \`recv\` into a reused
  buffer; **C** with blocking sockets (bench/reference.c, \`cc -O2\`).

## Reproduce

\`\`\`sh
npm ci
npm run bench            # the default form: 3 runs each, 20,000 counted round trips and messages after 50,000; rewrites docs/
npm run bench -- --long  # 5 runs each, 50,000 counted after 50,000, and N = 10 connections too
npm run bench -- --quick # one short run of each, to check that everything works; writes build/bench/ only
npm run bench -- --quick --docs   # the same, written to docs/ (the header names the form)
npm run bench -- --only=instructions,scale --sides=floor,ours   # a part; writes build/bench/ only
npm run bench -- --only=bulk --slope   # bulk with CPU per extra GiB from 1 to 4 GiB (also part of --long)
npm run bench -- --only=instructions --sides=ours,socket --profile   # each count's costliest functions, JIT code named
npx tsc -p bench/tsconfig.json && node dist-bench/young-generation.js   # what each scale server keeps young per connection
\`\`\`

This run (${form}) took ${Math.round(elapsedSeconds / 60)} minutes. Needs cc, valgrind and strace (without strace the
syscall rows are left out, and the bench says so). The raw runs are in build/bench/results.json.

${notes.trim()}
`;
}

/** Horizontal bars of each of our sides' (and C's) median as a ratio to node:net, on a log scale. */
export function chart(results: Results): string {
  const sides: SideName[] = ['ours', 'socket', 'floor', 'c'];
  const colors: Record<string, string> = { ours: '#2f6fb5', socket: '#7fb0e0', floor: '#e0a040', c: '#9a9a9a' };
  const barHeight = 14;
  const groupGap = 18;
  const left = 250;
  const width = 760;
  const plotWidth = width - left - 90;
  const [lo, hi] = [1 / 32, 8];
  const x = (ratio: number): number => left + ((Math.log2(Math.min(hi, Math.max(lo, ratio))) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) * plotWidth;
  const parts: string[] = [];
  let y = 50;
  for (const metric of METRICS.filter((m) => !/\.(waits|compiles)$/.test(m.id) && !/^bulk\.(cpu|user|system|startup|beyond|slope)/.test(m.id))) {
    if (results.summary(metric.id, 'net').runs === 0) continue;
    parts.push(`<text x="${left - 10}" y="${y + barHeight * 1.5 + 4}" text-anchor="end" font-size="12">${metric.label}</text>`);
    parts.push(`<text x="${left - 10}" y="${y + barHeight * 1.5 + 18}" text-anchor="end" font-size="10" fill="#666">` +
      `${metric.higherIsBetter ? 'higher' : 'lower'} is better</text>`);
    for (const side of sides) {
      const ratio = results.ratio(metric.id, side, 'net');
      if (Number.isFinite(ratio)) {
        const [from, to] = [x(Math.min(1, ratio)), x(Math.max(1, ratio))];
        parts.push(`<rect x="${from.toFixed(1)}" y="${y}" width="${Math.max(1, to - from).toFixed(1)}" height="${barHeight - 2}" fill="${colors[side]}"/>`);
        parts.push(`<text x="${(ratio >= 1 ? to + 4 : from - 4).toFixed(1)}" y="${y + barHeight - 4}" font-size="10" ` +
          `text-anchor="${ratio >= 1 ? 'start' : 'end'}">${ratio.toFixed(2)}×</text>`);
      }
      y += barHeight;
    }
    y += groupGap;
  }
  const ticks = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8];
  const axis = ticks.map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="40" y2="${y - groupGap + 4}" stroke="${t === 1 ? '#000' : '#ddd'}"/>` +
    `<text x="${x(t)}" y="${y - groupGap + 18}" font-size="10" text-anchor="middle">${t >= 1 ? t : `1/${1 / t}`}</text>`);
  const legend = sides.map((side, i) => `<rect x="${left - 230 + i * 170}" y="12" width="12" height="12" fill="${colors[side]}"/>` +
    `<text x="${left - 230 + i * 170 + 16}" y="22" font-size="12">${SIDE_LABELS[side]}</text>`);
  const height = y - groupGap + 34;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="13" font-weight="bold">× node:net (log scale)</text>
${[...axis, ...legend, ...parts].join('\n')}
</svg>
`;
}
