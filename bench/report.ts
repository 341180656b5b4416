// docs/performance.md and its chart, written from the results of one `npm run bench`.
import { GOALS, METRICS, goalMet, type Results } from './stats.js';
import { SIDE_LABELS, SIDES, type SideName, type Sizes } from './workloads.js';

export interface Machine {
  cpu: string;
  cpus: number;
  memory: string;
  kernel: string;
  node: string;
  cc: string;
  valgrind: string;
  date: string;
}

const OURS: readonly SideName[] = ['ours', 'socket'];

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
  const rows = ['| goal (issue 6) | winsock/promises | winsock Socket |', '|---|--:|--:|'];
  for (const goal of GOALS) {
    const cells = OURS.map((side) => {
      const ratio = results.ratio(goal.metric, side, goal.base);
      if (!Number.isFinite(ratio)) return '–';
      return `${ratioText(ratio)} ${goalMet(goal, ratio) ? 'met' : '**not met**'}`;
    });
    rows.push(`| ${goal.text} | ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}

export function markdown(results: Results, machine: Machine, sizes: Sizes, descriptors: number, notes: string,
  elapsedSeconds: number): string {
  return `# Performance

Measured by \`npm run bench\` (bench/run.ts) on ${machine.date}, in ${Math.round(elapsedSeconds)} s. The tables below
are that run's output; the sections after them are kept in bench/notes.md.

## Machine

- CPU: ${machine.cpu}, ${machine.cpus} vCPUs; memory ${machine.memory}
- Linux ${machine.kernel}, Node ${machine.node}, ${machine.cc}, ${machine.valgrind}
- Loopback (127.0.0.1); every server and client in a process of its own; descriptor limit ${descriptors}

## Results

Each figure is the median of ${sizes.runs} runs, with the smallest and largest; the sides run interleaved
(node:net, winsock/promises, winsock Socket, C, node:net, ...), so a slow patch of the VM hits all of them. Ratios
are of medians: above 1 is faster for rates and throughput, above 1 is more for latency, memory and instructions.
The instruction counts are user-space instructions of the ping-pong client process under
\`valgrind --tool=callgrind\` against the C server: the difference between ${sizes.callgrindRounds[1]} and
${sizes.callgrindRounds[0]} round trips, divided by ${sizes.callgrindRounds[1] - sizes.callgrindRounds[0]}, which
cancels startup (the median of the repeats listed as runs), with the calls to epoll_pwait per round trip under it.
Whether the C server's answer is there already when the client (slowed down some fifty times by callgrind) looks
for it depends on how fast the server's process wakes up on this VM, and the waits row shows how often it was not.
Two more rows take that out: "every answer there already" has the server one answer ahead (it sends an extra one
first), and "every answer waited for" has it hold each answer for 300 µs
(${sizes.callgrindWaitingRounds[1]} − ${sizes.callgrindWaitingRounds[0]} round trips), so that every round trip
goes through the event loop, as it does between two event-loop processes.

${resultsTable(results)}

![Ratios to node:net](performance.svg)

## Goals

${goalsTable(results)}

## Workloads

- **bulk**: the client sends ${sizes.bulkBytes / 2 ** 30} GiB in ${sizes.bulkChunk / 1024} KiB writes, then ends its
  side; the server reads (64 KiB at a time) to the end and answers with the count. Timed by the client from the first
  write to the answer.
- **ping-pong**: one connection, TCP_NODELAY on both ends; the client sends 64 bytes and waits for the server's 64
  back, ${sizes.pingRounds} times after ${sizes.pingWarmup} for warm-up. Latency is per round trip.
- **connection rate**: ${sizes.connections} times in a row, the client connects, sends one byte and waits for the
  end of stream; the server accepts, reads the byte and closes.
- **idle connections**: the C client opens ${sizes.idleConnections} connections to the server, which accepts them
  all and keeps a read waiting on each; then the server's VmRSS is read from /proc after a full garbage collection
  (\`--expose-gc\`) and half a second of rest.
- Sides: **node:net** with 'data' events and write()/'drain'; **winsock/promises** with \`send\` and \`recvInto\`
  into a reused buffer; **winsock Socket** with \`write\` and \`read\` (a new Buffer per read) and
  \`Socket.connect\`/\`Server.accept\`; **C** with blocking sockets (bench/reference.c, \`cc -O2\`).

## Reproduce

\`\`\`sh
npm ci
npm run bench            # about ${Math.max(1, Math.round(elapsedSeconds / 60))} minutes; rewrites docs/performance.md and docs/performance.svg
npm run bench -- --quick # one short run of each, to check that everything works; writes build/bench/ only
\`\`\`

Needs cc and valgrind. The raw runs are in build/bench/results.json.

${notes.trim()}
`;
}

/** Horizontal bars of each of our sides' (and C's) median as a ratio to node:net, on a log scale. */
export function chart(results: Results): string {
  const sides: SideName[] = ['ours', 'socket', 'c'];
  const colors: Record<string, string> = { ours: '#2f6fb5', socket: '#7fb0e0', c: '#9a9a9a' };
  const barHeight = 14;
  const groupGap = 18;
  const left = 250;
  const width = 760;
  const plotWidth = width - left - 90;
  const [lo, hi] = [1 / 32, 8];
  const x = (ratio: number): number => left + ((Math.log2(Math.min(hi, Math.max(lo, ratio))) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) * plotWidth;
  const parts: string[] = [];
  let y = 50;
  for (const metric of METRICS.filter((m) => !m.id.endsWith('.waits'))) {
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
    for (const goal of GOALS.filter((g) => g.metric === metric.id && g.base === 'net')) {
      const gx = x(goal.target).toFixed(1);
      parts.push(`<line x1="${gx}" x2="${gx}" y1="${y - 3 * barHeight - 3}" y2="${y + 1}" stroke="#c0392b" stroke-width="2" stroke-dasharray="3,2"/>`);
    }
    y += groupGap;
  }
  const ticks = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8];
  const axis = ticks.map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="40" y2="${y - groupGap + 4}" stroke="${t === 1 ? '#000' : '#ddd'}"/>` +
    `<text x="${x(t)}" y="${y - groupGap + 18}" font-size="10" text-anchor="middle">${t >= 1 ? t : `1/${1 / t}`}</text>`);
  const legend = sides.map((side, i) => `<rect x="${left + i * 170}" y="12" width="12" height="12" fill="${colors[side]}"/>` +
    `<text x="${left + i * 170 + 16}" y="22" font-size="12">${SIDE_LABELS[side]}</text>`);
  legend.push(`<line x1="${left + 510}" x2="${left + 510}" y1="10" y2="26" stroke="#c0392b" stroke-width="2" stroke-dasharray="3,2"/>` +
    `<text x="${left + 516}" y="22" font-size="12">goal</text>`);
  const height = y - groupGap + 34;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="13" font-weight="bold">× node:net (log scale)</text>
${[...axis, ...legend, ...parts].join('\n')}
</svg>
`;
}
