// Medians and ranges of the runs, and the figures the report shows.
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
  { id: 'bulk.throughput', workload: 'bulk', label: 'bulk, 1 GiB in 64 KiB writes', unit: 'GiB/s', higherIsBetter: true, digits: 2 },
  { id: 'pingpong.rate', workload: 'pingpong', label: 'ping-pong, 64 B', unit: 'round trips/s', higherIsBetter: true, digits: 0 },
  { id: 'pingpong.p50', workload: 'pingpong', label: 'ping-pong latency p50', unit: 'µs', higherIsBetter: false, digits: 1 },
  { id: 'pingpong.p99', workload: 'pingpong', label: 'ping-pong latency p99', unit: 'µs', higherIsBetter: false, digits: 1 },
  { id: 'connrate.rate', workload: 'connrate', label: 'connect + 1 byte + close', unit: 'connections/s', higherIsBetter: true, digits: 0 },
  { id: 'idle.rss', workload: 'idle', label: 'server RSS, idle connections', unit: 'MiB', higherIsBetter: false, digits: 1 },
  { id: 'instructions', workload: 'callgrind', label: 'client instructions per round trip', unit: 'instructions', higherIsBetter: false, digits: 0 },
  { id: 'instructions.waits', workload: 'callgrind', label: '… of which waits in epoll', unit: 'per round trip', higherIsBetter: false, digits: 2 },
  { id: 'instructions.ready', workload: 'callgrind', label: 'client instructions per round trip, every answer there already', unit: 'instructions', higherIsBetter: false, digits: 0 },
  { id: 'instructions.waiting', workload: 'callgrind', label: 'client instructions per round trip, every answer waited for', unit: 'instructions', higherIsBetter: false, digits: 0 },
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

/** A goal of issue 6, as a ratio of one of our sides' median to another side's. */
export interface Goal {
  text: string;
  metric: string;
  base: SideName;
  /** The ratio must be at least this (higher is better) or at most this (lower is better). */
  target: number;
  atLeast: boolean;
}

export const GOALS: readonly Goal[] = [
  { text: 'bulk ≥ 0.9× C', metric: 'bulk.throughput', base: 'c', target: 0.9, atLeast: true },
  { text: 'bulk ≥ 1.6× node:net', metric: 'bulk.throughput', base: 'net', target: 1.6, atLeast: true },
  { text: 'ping-pong ≥ 1.12× node:net', metric: 'pingpong.rate', base: 'net', target: 1.12, atLeast: true },
  { text: 'instructions per round trip ≤ 0.4× node:net', metric: 'instructions', base: 'net', target: 0.4, atLeast: false },
  { text: '… the same when every answer is there already', metric: 'instructions.ready', base: 'net', target: 0.4, atLeast: false },
  { text: '… the same when every answer is waited for', metric: 'instructions.waiting', base: 'net', target: 0.4, atLeast: false },
  { text: 'connection rate ≥ 1.2× node:net', metric: 'connrate.rate', base: 'net', target: 1.2, atLeast: true },
  { text: 'idle-connection RSS ≤ node:net', metric: 'idle.rss', base: 'net', target: 1, atLeast: false },
];

export function goalMet(goal: Goal, ratio: number): boolean {
  return goal.atLeast ? ratio >= goal.target : ratio <= goal.target;
}
