// What every JavaScript side of the benchmark shares: its command line, the result line it prints, percentiles.
// The protocol is the C reference's (bench/reference.c), so any client can run against any server.
import { readSync, writeSync } from 'node:fs';

export const PING_SIZE = 64;

export interface Command {
  role: 'server' | 'client';
  workload: 'bulk' | 'pingpong' | 'connrate' | 'idle' | 'scale';
  /** The numbers after the workload: a server's count, or a client's port and sizes. */
  numbers: number[];
}

export function parseCommand(argv: string[] = process.argv.slice(2)): Command {
  const [role, workload, ...rest] = argv;
  if ((role !== 'server' && role !== 'client') || !['bulk', 'pingpong', 'connrate', 'idle', 'scale'].includes(workload ?? '')) {
    throw new Error(`usage: server|client bulk|pingpong|connrate|idle|scale ... (got ${argv.join(' ')})`);
  }
  return { role, workload: workload as Command['workload'], numbers: rest.map(Number) };
}

/** A client of one workload: the server's port, then the workload's sizes. */
type Client = (port: number, ...sizes: number[]) => Promise<void>;

/**
 * Runs the role and workload of the command line: `serve(workload, count)` as the server, or the workload's
 * client. The C reference is the only client of the idle workload, and the C epoll client (bench/scale.c) the only
 * one of the scale workload, whose server echoes 64-byte messages on `count` connections at once.
 */
export async function runSide(
  serve: (workload: Command['workload'], count: number) => Promise<void>,
  clients: Record<Exclude<Command['workload'], 'idle' | 'scale'>, Client>,
): Promise<void> {
  const { role, workload, numbers } = parseCommand();
  if (role === 'server' && workload === 'scale') collectWhenAsked();
  if (role === 'server') return serve(workload, numbers[0] ?? 0);
  if (workload === 'idle') throw new Error('idle: the C reference is the client of every idle server');
  if (workload === 'scale') throw new Error('scale: bench/scale.c is the client of every scale server');
  const [port = 0, ...sizes] = numbers;
  return clients[workload](port, ...sizes);
}

/**
 * The scale server under callgrind: on SIGUSR2 (sent by the runner before it zeroes the counters) it empties its
 * young generation and answers "collected", so that every counted window starts with it empty, as a client's does
 * (`checkpoint`). The signal's handle is unref'd by Node: it does not keep the server alive.
 */
function collectWhenAsked(): void {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
    writeSync(1, 'collected\n');
  });
}

/** A server's first line: the runner starts the client once it has read it. */
export function announcePort(port: number): void {
  process.stdout.write(`port ${port}\n`);
}

/** A client's last line: one JSON object the runner parses. */
export function report(result: Record<string, number>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The bulk server's answer: how many bytes it counted, 8 bytes little-endian. */
export function countMessage(total: number): Buffer {
  const message = Buffer.alloc(8);
  message.writeBigUInt64LE(BigInt(total));
  return message;
}

export function checkCount(message: Buffer, expected: number): void {
  const counted = Number(message.readBigUInt64LE(0));
  if (counted !== expected) throw new Error(`bulk: server counted ${counted} of ${expected} bytes`);
}

/** Latencies in seconds, as the C reference reports them: the p50 and p99 of a sorted copy. */
export function latencyReport(seconds: number, latencies: Float64Array): Record<string, number> {
  const rounds = latencies.length;
  if (rounds === 0) return { seconds, rounds };
  const sorted = latencies.slice().sort();
  return { seconds, rounds, p50: sorted[Math.floor((rounds - 1) / 2)]!, p99: sorted[Math.floor((rounds * 99 - 1) / 100)]! };
}

/** The idle server's "ready" line, after a full collection so garbage from accepting is not counted as RSS. */
export function announceIdleReady(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.stdout.write('ready\n');
}

/** performance.now() in seconds. */
export function now(): number {
  return performance.now() / 1000;
}

/** How many stretches the warm-up is cut into (see `warmUp`). */
export const WARMUP_STRETCHES = 4;

/**
 * Runs `warmup` round trips as WARMUP_STRETCHES stretches of `roundTrips`, the function the counted stretch runs
 * too. The end of a stretch takes branches that the round trips never take (the loop's exit, the call that settles
 * the stretch's promise, node:net's stream code seeing no next write): the first time, V8 deoptimises the code that
 * takes them and compiles it again a few thousand round trips later. With one warm-up stretch that recompile fell
 * inside the counted window, whatever the warm-up's length; with several, it happens in the second stretch.
 */
export async function warmUp(roundTrips: (latencies: Float64Array) => Promise<void>, warmup: number): Promise<void> {
  const stretch = Math.ceil(warmup / WARMUP_STRETCHES);
  for (let done = 0; done < warmup; done += stretch) await roundTrips(new Float64Array(Math.min(stretch, warmup - done)));
}

/**
 * A point where a client under callgrind lets the runner zero or dump the counters (bench/workloads.ts): with
 * BENCH_CHECKPOINTS=1 it writes `name` and waits for a line on stdin; otherwise it does nothing. Only the rounds
 * between "zero" and "counted" are counted, so warm-up, JIT compiles and startup are not. "warm" is two exchanges,
 * "warm" and then "zero" (the runner zeroes at the second), so that whatever the first exchange compiles or loads
 * is done before the counters start; a scavenge between them empties the young generation.
 */
export async function checkpoint(name: 'warm' | 'counted'): Promise<void> {
  if (process.env['BENCH_CHECKPOINTS'] !== '1') return;
  now(); // the first performance.now() loads Node's perf_hooks modules: before the counted stretch, not in it
  exchange(name);
  if (name !== 'warm') return;
  // Every window starts with an empty young generation: where the warm-up left it half full, one run counted a
  // scavenge (some 470,000 instructions) more than the next, 3% of winsock/promises' count over 3,000 round trips.
  (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
  exchange('zero');
}

/**
 * Writes `line` and blocks until a line comes on stdin, with plain read(2) and write(2): process.stdout and
 * process.stdin are streams of the same classes as node:net's sockets, and using them here made node:net's side
 * deoptimise its stream code at every checkpoint and compile it again inside the counted stretch.
 */
function exchange(line: string): void {
  writeSync(1, `${line}\n`);
  const answer = Buffer.alloc(16);
  for (;;) {
    try {
      if (readSync(0, answer, 0, answer.length, null) <= 0) throw new Error('checkpoint: stdin closed');
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}
