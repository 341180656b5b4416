// A fuzz run: `calls` calls drawn from test/fuzz/operations.ts by a seeded generator, then everything closed and
// every call still pending waited for. What counts as a finding:
//   - a call that fails with anything but a TypeError/RangeError carrying a Node ERR_* code, a WinsockError with a
//     known code, the caller's own exception passed through (FuzzTrap), an AbortError for a call given a signal, or
//     DataCloneError for a SOCKET posted to another thread;
//   - a synchronous call that takes more than a second (the fuzzer gives every socket 10 ms timeouts, so nothing
//     it does may legitimately block longer), or an event loop that stalls for more than two seconds (under the
//     sanitizers, see BUSY_SHARE: a call that kept the CPU busy that long is slow, not blocked);
//   - a call still pending once every socket is closed (a hang), an unhandled rejection, an uncaught exception.
// A crash cannot be seen from inside: test/fuzz/main.ts runs each seed in a child process and watches it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as ws from '../../src/index.js';
import { allOperations, type Context, type Operation, type Prepared } from './operations.js';
import { Pool } from './pool.js';
import { Random } from './random.js';
import { FuzzTrap } from './values.js';

export interface FuzzOptions {
  seed: number;
  calls: number;
  /** Called with each call before it is made and with its outcome after (`--trace`). */
  trace?: (line: string) => void;
  /** Called every 1000 calls. */
  progress?: (done: number) => void;
}

export interface Finding {
  kind: 'unexpected error' | 'blocked' | 'event loop stall' | 'hang' | 'unhandled rejection' | 'uncaught exception';
  call: string;
  detail: string;
}

export interface FuzzReport {
  seed: number;
  calls: number;
  syncCalls: number;
  asyncCalls: number;
  /** How many calls ended each way: 'ok', 'WinsockError WSAENOTSOCK', 'TypeError ERR_INVALID_ARG_TYPE', ... */
  outcomes: Record<string, number>;
  findings: Finding[];
  slowestSyncCallMs: number;
  worstLoopStallMs: number;
  /** Calls pending at the end, all of which settled once every socket was closed. */
  settledAtEnd: number;
  /** Under the sanitizers: sync calls over the time limit that kept the CPU busy throughout (see BUSY_SHARE). */
  busySlowCalls: number;
  /** Under the sanitizers: event-loop stalls over the limit during which the CPU was busy (see BUSY_SHARE). */
  busyStalls: number;
  durationMs: number;
}

/** Every this many calls, everything is closed: keeps the number of descriptors and pending calls bounded. */
const RESET_EVERY = 1000;
const MAX_PENDING = 300;
/**
 * Under scripts/with-asan.sh (WINSOCK_SANITIZED=1) the time limits are 5 times longer: ASan poisons shadow memory
 * for every byte allocated, so a recv of 2 GiB (the largest length the API takes) allocates for about a second
 * there, against 0.03 ms in a normal build.
 */
const TIME_SCALE = process.env.WINSOCK_SANITIZED === '1' ? 5 : 1;
const SYNC_CALL_LIMIT_MS = 1000 * TIME_SCALE;
/**
 * Under the sanitizers, a sync call over the limit is a finding only if it waited: if the process spent less than
 * this share of the call's time on the CPU. A recv of 2 GiB there is work, not a wait: on the 2-core machine shared
 * with four other builds (load average 7 to 12) it took 9.2 to 11.5 s each, with about a quarter of that on the CPU
 * (ASan poisons 256 MiB of shadow memory for it, then again when it is freed); a call that blocks in the kernel uses
 * next to none. Its time does not count as an event-loop stall either. In a normal build every slow call counts.
 */
const BUSY_SHARE = 0.05;
const LOOP_STALL_LIMIT_MS = 2000 * TIME_SCALE;
const SETTLE_LIMIT_MS = 10_000;

const winsockCodes = new Set(Object.keys(ws).filter((name) => /^WSA/.test(name)));

/** The outcome key of an error, or null when the error is a finding. */
function classify(error: unknown, call: Prepared): string | null {
  if (error instanceof ws.WinsockError) return winsockCodes.has(error.code) ? `WinsockError ${error.code}` : null;
  if (error instanceof TypeError || error instanceof RangeError) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code.startsWith('ERR_') ? `${error.name} ${code}` : null;
  }
  if (error instanceof FuzzTrap) return 'FuzzTrap (the caller\'s exception, passed through)';
  if (error instanceof DOMException) {
    if (error.name === 'AbortError' && call.abortable === true) return 'AbortError';
    if (error.name === 'DataCloneError' && call.cloneError === true) return 'DataCloneError';
  }
  return null;
}

/** CPU time of the whole process (every thread), in milliseconds. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name} ${(error as { code?: string }).code ?? ''}: ${error.message}`;
  return String(error);
}

/** A short, printable form of an argument; hostile objects (a Proxy that throws on every trap) included. */
export function describeValue(value: unknown, pool: Pool): string {
  try {
    return describeUnsafe(value, pool);
  } catch {
    return 'object (hostile)';
  }
}

function describeUnsafe(value: unknown, pool: Pool): string {
  if (value instanceof ws.SOCKET) return `SOCKET#${pool.idOf(value)}${pool.open.has(value) ? '' : '(closed)'}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...(${value.length})` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength})`;
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return `${value.constructor.name}(${value.byteLength})`;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value, (_, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner)) ?? 'object';
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  // A hostile family number can open an AF_UNIX socket (AF_UNIX is 1), whose bind() takes the address text as a
  // path: the run works in a scratch folder of its own, so no socket file lands in the caller's folder.
  const home = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), 'winsock-fuzz-'));
  process.chdir(scratch);
  try {
    return await fuzzInScratchFolder(options);
  } finally {
    process.chdir(home);
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function fuzzInScratchFolder(options: FuzzOptions): Promise<FuzzReport> {
  const r = new Random(options.seed);
  const pool = new Pool();
  const operations: Operation[] = allOperations();
  ws.startup();
  const ctx: Context = { r, pool, started: 1, worker: undefined };
  const report: FuzzReport = {
    seed: options.seed,
    calls: 0,
    syncCalls: 0,
    asyncCalls: 0,
    outcomes: {},
    findings: [],
    slowestSyncCallMs: 0,
    worstLoopStallMs: 0,
    settledAtEnd: 0,
    busySlowCalls: 0,
    busyStalls: 0,
    durationMs: 0,
  };
  const count = (key: string): void => void (report.outcomes[key] = (report.outcomes[key] ?? 0) + 1);
  const pending = new Map<Promise<unknown>, string>();
  const trace = options.trace;

  const onRejection = (reason: unknown): void => {
    report.findings.push({ kind: 'unhandled rejection', call: '?', detail: errorText(reason) });
  };
  const onException = (error: unknown): void => {
    report.findings.push({ kind: 'uncaught exception', call: '?', detail: errorText(error) });
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  let lastTick = performance.now();
  let cpuAtTick = cpuMs();
  // Time since the last tick spent in sync calls that were busy, not blocked (sanitizers only, see BUSY_SHARE).
  let busySinceTick = 0;
  const watchdog = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    const stalled = now - lastTick - busySinceTick;
    report.worstLoopStallMs = Math.max(report.worstLoopStallMs, stalled - 50);
    if (stalled > LOOP_STALL_LIMIT_MS) {
      // The same rule as for a sync call: under the sanitizers a stall the CPU was busy for is work (a 2 GiB buffer
      // freed by the GC is poisoned again, a worker's addon loads), not a wait. A normal build counts every stall.
      if (TIME_SCALE > 1 && cpu - cpuAtTick >= (now - lastTick) * BUSY_SHARE) report.busyStalls++;
      else report.findings.push({ kind: 'event loop stall', call: `near call ${report.calls}`, detail: `${stalled.toFixed(0)} ms (${(cpu - cpuAtTick).toFixed(0)} ms CPU)` });
    }
    lastTick = now;
    cpuAtTick = cpu;
    busySinceTick = 0;
  }, 50);

  const started = performance.now();
  try {
    for (let i = 0; i < options.calls; i++) {
      if (i > 0 && i % RESET_EVERY === 0) reset(ctx);
      const operation = ctx.started === 0 && r.chance(0.5) ? operations[0]! : r.weighted(operations); // startup
      const call = operation.prepare(ctx);
      const label = `#${i} ${operation.name}(${call.args.map((arg) => describeValue(arg, pool)).join(', ')})`;
      trace?.(label);
      report.calls++;
      const before = performance.now();
      const cpuBefore = cpuMs();
      let value: unknown;
      let threw = false;
      try {
        value = call.invoke();
      } catch (error) {
        threw = true;
        const key = classify(error, call);
        if (key === null) report.findings.push({ kind: 'unexpected error', call: label, detail: errorText(error) });
        else count(key);
        trace?.(`  -> ${key ?? `UNEXPECTED ${errorText(error)}`}`);
        report.syncCalls++;
      } finally {
        const took = performance.now() - before;
        const busy = cpuMs() - cpuBefore;
        report.slowestSyncCallMs = Math.max(report.slowestSyncCallMs, took);
        if (took > SYNC_CALL_LIMIT_MS && TIME_SCALE > 1 && busy >= took * BUSY_SHARE) {
          report.busySlowCalls++;
          busySinceTick += took;
          trace?.(`  (${took.toFixed(0)} ms, ${busy.toFixed(0)} ms of it on the CPU: busy, not blocked)`);
        } else if (took > SYNC_CALL_LIMIT_MS) {
          report.findings.push({ kind: 'blocked', call: label, detail: `${took.toFixed(0)} ms (${busy.toFixed(0)} ms CPU)` });
        }
      }
      // Progress and the yield below are for every call, one that threw included (a `continue` here skipped them:
      // a run whose call 999 of a thousand threw reported no progress for 2,000 calls).
      if (threw) {
        value = undefined;
      } else if (value instanceof Promise) {
        report.asyncCalls++;
        const settled: Promise<unknown> = value.then(
          (result) => {
            count('ok');
            call.after?.(result);
          },
          (error: unknown) => {
            const key = classify(error, call);
            if (key === null) report.findings.push({ kind: 'unexpected error', call: label, detail: errorText(error) });
            else count(key);
          },
        ).finally(() => pending.delete(settled));
        pending.set(settled, label);
        trace?.('  -> pending');
      } else {
        report.syncCalls++;
        count('ok');
        call.after?.(value);
        trace?.('  -> ok');
      }
      if (pending.size > MAX_PENDING) reset(ctx);
      if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
      if (i % 1000 === 999) options.progress?.(i + 1);
    }

    // The end: close everything, and every call still pending must settle.
    pool.closeAll();
    report.settledAtEnd = pending.size;
    const deadline = performance.now() + SETTLE_LIMIT_MS;
    while (pending.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const label of pending.values()) {
      report.findings.push({ kind: 'hang', call: label, detail: `still pending ${SETTLE_LIMIT_MS} ms after every socket was closed` });
    }
    report.settledAtEnd -= pending.size;
  } finally {
    clearInterval(watchdog);
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onException);
    pool.closeAll();
    while (ctx.started > 0) {
      try {
        ws.cleanup();
      } catch {
        // a cleanup the run made itself may have balanced it already
      }
      ctx.started--;
    }
    report.durationMs = performance.now() - started;
  }
  return report;
}

/** Closes every socket of the run (pending calls on them settle), and makes sure Winsock is started. */
function reset(ctx: Context): void {
  ctx.pool.closeAll();
  if (ctx.started === 0) {
    ws.startup();
    ctx.started = 1;
  }
}
