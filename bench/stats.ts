// Medians and ranges of the runs, the figures the report shows, and issue 17's goals.
import type { SideName } from './workloads.js';

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, runs: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}

/** One row of the results: a measured quantity of one workload. */
export interface Metric {
  id: string;
  workload: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  digits: number;
}

export const METRICS: readonly Metric[] = [
  { id: 'bulk.throughput', workload: 'bulk', label: 'bulk, in 64 KiB writes', unit: 'GiB/s', higherIsBetter: true, digits: 2 },
  { id: 'bulk.cpu', workload: 'bulk', label: 'bulk CPU, client + server', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.cpuClient', workload: 'bulk', label: 'bulk CPU, client', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.cpuServer', workload: 'bulk', label: 'bulk CPU, server', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.userClient', workload: 'bulk', label: '… client user', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.systemClient', workload: 'bulk', label: '… client system', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.userServer', workload: 'bulk', label: '… server user', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.systemServer', workload: 'bulk', label: '… server system', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.startup', workload: 'bulk', label: 'bulk startup: the same pair moving one chunk, client + server', unit: 's', higherIsBetter: false, digits: 3 },
  { id: 'bulk.beyondStartup', workload: 'bulk', label: 'bulk CPU beyond startup, client + server', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.beyondUser', workload: 'bulk', label: '… user', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.beyondSystem', workload: 'bulk', label: '… system', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.slope', workload: 'bulk', label: 'bulk CPU per extra GiB, 1 → 4 GiB (--long, --slope), client + server', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.slopeUser', workload: 'bulk', label: '… user', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'bulk.slopeSystem', workload: 'bulk', label: '… system', unit: 's/GiB', higherIsBetter: false, digits: 3 },
  { id: 'syscalls.client', workload: 'syscalls', label: 'bulk syscalls, client (strace -c -f)', unit: 'per GiB', higherIsBetter: false, digits: 0 },
  { id: 'syscalls.server', workload: 'syscalls', label: 'bulk syscalls, server (strace -c -f)', unit: 'per GiB', higherIsBetter: false, digits: 0 },
  { id: 'syscalls.clientBeyondStartup', workload: 'syscalls', label: 'bulk syscalls beyond startup, client', unit: 'per GiB', higherIsBetter: false, digits: 0 },
  { id: 'syscalls.serverBeyondStartup', workload: 'syscalls', label: 'bulk syscalls beyond startup, server', unit: 'per GiB', higherIsBetter: false, digits: 0 },
  { id: 'pingpong.rate', workload: 'pingpong', label: 'ping-pong, 64 B', unit: 'round trips/s', higherIsBetter: true, digits: 0 },
  { id: 'pingpong.p50', workload: 'pingpong', label: 'ping-pong latency p50', unit: 'µs', higherIsBetter: false, digits: 1 },
  { id: 'pingpong.p99', workload: 'pingpong', label: 'ping-pong latency p99', unit: 'µs', higherIsBetter: false, digits: 1 },
  { id: 'connrate.rate', workload: 'connrate', label: 'connect + 1 byte + close', unit: 'connections/s', higherIsBetter: true, digits: 0 },
  { id: 'idle.rss', workload: 'idle', label: 'server RSS, idle connections', unit: 'MiB', higherIsBetter: false, digits: 1 },
  { id: 'idle.most.rss', workload: 'idle', label: 'server RSS, the most idle connections', unit: 'MiB', higherIsBetter: false, digits: 1 },
  { id: 'instructions.ready', workload: 'callgrind', label: 'client instructions per round trip, answer there already', unit: 'instructions', higherIsBetter: false, digits: 0 },
  { id: 'instructions.ready.waits', workload: 'callgrind', label: '… epoll waits', unit: 'per round trip', higherIsBetter: false, digits: 2 },
  { id: 'instructions.ready.compiles', workload: 'callgrind', label: '… of which TurboFan compiles (0 in a steady state)', unit: 'per round trip', higherIsBetter: false, digits: 0 },
  { id: 'instructions.waiting', workload: 'callgrind', label: 'client instructions per round trip, answer waited for', unit: 'instructions', higherIsBetter: false, digits: 0 },
  { id: 'instructions.waiting.waits', workload: 'callgrind', label: '… epoll waits', unit: 'per round trip', higherIsBetter: false, digits: 2 },
  { id: 'instructions.waiting.compiles', workload: 'callgrind', label: '… of which TurboFan compiles (0 in a steady state)', unit: 'per round trip', higherIsBetter: false, digits: 0 },
  ...[1, 10, 100, 1000].flatMap((connections): Metric[] => [{
    id: `scale.${connections}`, workload: 'scale', label: `server instructions per message, ${connections} connections`,
    unit: 'instructions', higherIsBetter: false, digits: 0,
  }, {
    id: `scale.${connections}.compiles`, workload: 'scale', label: '… of which TurboFan compiles (0 in a steady state)',
    unit: 'per message', higherIsBetter: false, digits: 0,
  }]),
];

/** Every run's value of every metric, by metric id and side. */
export class Results {
  private readonly values = new Map<string, number[]>();

  add(metric: string, side: SideName, value: number): void {
    const key = `${metric}|${side}`;
    const list = this.values.get(key) ?? [];
    list.push(value);
    this.values.set(key, list);
  }

  runs(metric: string, side: SideName): number[] {
    return this.values.get(`${metric}|${side}`) ?? [];
  }

  summary(metric: string, side: SideName): Summary {
    return summarize(this.runs(metric, side));
  }

  /** The median of `side` over the median of `base`: how many times the base's figure. */
  ratio(metric: string, side: SideName, base: SideName): number {
    return this.summary(metric, side).median / this.summary(metric, base).median;
  }

  toJSON(): Record<string, number[]> {
    return Object.fromEntries(this.values);
  }
}

/** Server instructions per message at 1,000 connections minus those at 100: what growing costs each message. */
export function scaleGrowth(results: Results, side: SideName): number {
  return results.summary('scale.1000', side).median - results.summary('scale.100', side).median;
}

/** A goal of issue 17 for one side: a figure of this run and the bound it must keep. */
export interface Goal {
  text: string;
  side: SideName;
  figure(results: Results): number;
  /** The figure must be at least this (higher is better) or at most this (lower is better). */
  target: number;
  atLeast: boolean;
  /** How the figure reads: a ratio (1.15×) or a count of instructions (+120). */
  unit: 'ratio' | 'instructions';
  /** The callgrind counts the figure is made of: it is only judged when each is a steady state (no compiles). */
  counts: readonly Count[];
  /** What the verdict holds for, beyond this run (the regime of a wall-clock figure), if anything. */
  scope?(results: Results): string;
}

/** One side's callgrind count of one metric ('instructions.ready', 'scale.1000', ...). */
export interface Count {
  metric: string;
  side: SideName;
}

/** A goal's verdict in one run: met, not met, or not judged (and why). */
export interface Verdict {
  figure: number;
  verdict: 'met' | 'not met' | 'not judged';
  why: string;
}

const ratioGoal = (text: string, side: SideName, metric: string, base: SideName, target: number, atLeast: boolean,
  counted = false): Goal => ({
  text, side, figure: (results) => results.ratio(metric, side, base), target, atLeast, unit: 'ratio',
  counts: counted ? [{ metric, side }, { metric, side: base }] : [],
});

/** Bulk's regime: C's and node:net's throughput in this run (the goal asks for every regime of the machine). */
const bulkRegime = (results: Results): string =>
  `this run's regime only: C ${results.summary('bulk.throughput', 'c').median.toFixed(2)} GiB/s, node:net ` +
  `${results.summary('bulk.throughput', 'net').median.toFixed(2)} GiB/s`;

export const GOALS: readonly Goal[] = [
  ratioGoal('waited round trip at 1 connection ≤ 1.15× the floor', 'ours', 'instructions.waiting', 'floor', 1.15, false, true),
  ratioGoal('answer already there ≤ 0.30× node:net', 'ours', 'instructions.ready', 'net', 0.3, false, true),
  ratioGoal('server per message at 1,000 connections ≤ 0.8× node:net', 'ours', 'scale.1000', 'net', 0.8, false, true),
  {
    text: 'growth from 100 to 1,000 connections, beyond the floor\'s (instructions per message)', side: 'ours',
    figure: (results) => scaleGrowth(results, 'ours') - scaleGrowth(results, 'floor'), target: 0, atLeast: false,
    unit: 'instructions',
    counts: (['ours', 'floor'] as const).flatMap((side) => [{ metric: 'scale.100', side }, { metric: 'scale.1000', side }]),
  },
  ratioGoal('Socket ≤ 1.25× winsock/promises, answer there already', 'socket', 'instructions.ready', 'ours', 1.25, false, true),
  ratioGoal('Socket ≤ 1.25× winsock/promises, answer waited for', 'socket', 'instructions.waiting', 'ours', 1.25, false, true),
  { ...ratioGoal('bulk wall clock ≥ 1× node:net', 'ours', 'bulk.throughput', 'net', 1, true), scope: bulkRegime },
  { ...ratioGoal('bulk wall clock ≥ 0.9× C', 'ours', 'bulk.throughput', 'c', 0.9, true), scope: bulkRegime },
  ratioGoal('bulk CPU s/GiB (client + server) ≤ 1.15× C', 'ours', 'bulk.cpu', 'c', 1.15, false),
  ratioGoal('bulk CPU s/GiB beyond startup (client + server) ≤ 1.15× C (not the issue\'s own figure: bench/notes.md)',
    'ours', 'bulk.beyondStartup', 'c', 1.15, false),
  ratioGoal('bulk CPU per extra GiB from 1 to 4 GiB (client + server) ≤ 1.15× C (not the issue\'s own figure either)',
    'ours', 'bulk.slope', 'c', 1.15, false),
  ratioGoal('idle-connection RSS ≤ node:net', 'ours', 'idle.rss', 'net', 1, false),
  ratioGoal('idle-connection RSS ≤ node:net at the most connections', 'ours', 'idle.most.rss', 'net', 1, false),
  ratioGoal('ping-pong rate ≥ 1.00× node:net (as on 2026-11-29)', 'ours', 'pingpong.rate', 'net', 1, true),
  ratioGoal('connection rate ≥ 1.78× node:net (as on 2026-11-29)', 'ours', 'connrate.rate', 'net', 1.78, true),
];

export function goalMet(goal: Goal, figure: number): boolean {
  return goal.atLeast ? figure >= goal.target : figure <= goal.target;
}

/**
 * Judges `goal` from one run's results: not judged when a figure it needs was not measured, or when one of its
 * callgrind counts had TurboFan compiles inside the counted window (not a steady state, so not comparable).
 */
export function judge(goal: Goal, results: Results): Verdict {
  const figure = goal.figure(results);
  const unsteady = goal.counts.filter((count) => results.summary(`${count.metric}.compiles`, count.side).max > 0);
  if (unsteady.length > 0) {
    return { figure, verdict: 'not judged', why: unsteady.map((count) => `${count.side}'s ${count.metric} is not a steady ` +
      `state (${results.summary(`${count.metric}.compiles`, count.side).max.toFixed(0)} instructions of TurboFan ` +
      'compiles per round trip or message in its window)').join('; ') };
  }
  if (!Number.isFinite(figure)) return { figure, verdict: 'not judged', why: 'not measured in this run' };
  return { figure, verdict: goalMet(goal, figure) ? 'met' : 'not met', why: goal.scope?.(results) ?? '' };
}
