// The benchmark side of the floor binding (bench/floor/floor.c): the least a correct Node-API binding on the event
// loop does per call, written as bench/sides/ours.ts is (recv into one reused buffer, send of the whole buffer), so
// the two differ only in the binding underneath. Every call is awaited, as there: the floor's calls return the
// kernel's answer itself when it came at once (no promise made), and awaiting that costs a microtask, not a promise.
// (Code that skipped the await of a plain number would go lower still: 2,090 instructions per round trip with the
// answer there, against 2,9xx awaited, in the runs of bench/notes.md.)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  PING_SIZE, announceIdleReady, announcePort, checkCount, checkpoint, countMessage, latencyReport, now, report, runSide, warmUp,
} from './common.js';

/**
 * The floor binding's calls; a socket is its descriptor. accept, recv and send return their result itself when the
 * kernel answered at once (throwing its error), and a promise only when they had to wait.
 */
export interface Floor {
  listen(): number;
  port(fd: number): number;
  connect(port: number): Promise<number>;
  accept(fd: number): number | Promise<number>;
  recv(fd: number, buffer: Buffer): number | Promise<number>;
  send(fd: number, buffer: Buffer): number | Promise<number>;
  shutdown(fd: number): void;
  setNoDelay(fd: number): void;
  close(fd: number): void;
}

// dist-bench/sides/floor.js -> build/bench/floor.node, where bench/run.ts builds it (WINSOCK_FLOOR overrides).
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const floor = createRequire(import.meta.url)(process.env['WINSOCK_FLOOR'] ?? join(root, 'build/bench/floor.node')) as Floor;

function listenLoopback(): number {
  const listener = floor.listen();
  announcePort(floor.port(listener));
  return listener;
}

/** Fills the rest of `buffer` after a first recv that gave `got` bytes; false at end of stream. */
async function recvRest(fd: number, buffer: Buffer, got: number): Promise<boolean> {
  if (got === 0) return false;
  while (got < buffer.length) {
    const n = await floor.recv(fd, buffer.subarray(got));
    if (n === 0) throw new Error('recv: end of stream inside a message');
    got += n;
  }
  return true;
}

async function recvExactly(fd: number, buffer: Buffer): Promise<boolean> {
  const got = await floor.recv(fd, buffer);
  return got === buffer.length || recvRest(fd, buffer, got);
}

/** Echoes 64-byte messages until end of stream (the ping-pong and scale servers' connection). */
async function echo(fd: number): Promise<void> {
  floor.setNoDelay(fd);
  const message = Buffer.allocUnsafe(PING_SIZE);
  for (;;) {
    const got = await floor.recv(fd, message);
    if (got !== PING_SIZE && !(await recvRest(fd, message, got))) break;
    await floor.send(fd, message);
  }
  floor.close(fd);
}

const servers = {
  async bulk(listener: number): Promise<void> {
    const fd = await floor.accept(listener);
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let total = 0;
    for (let n = await floor.recv(fd, buffer); n > 0; n = await floor.recv(fd, buffer)) total += n;
    await floor.send(fd, countMessage(total));
    floor.close(fd);
  },
  async pingpong(listener: number): Promise<void> {
    await echo(await floor.accept(listener));
  },
  async scale(listener: number, count: number): Promise<void> {
    const connections: Promise<void>[] = [];
    for (let i = 0; i < count; i++) connections.push(echo(await floor.accept(listener)));
    floor.close(listener);
    await Promise.all(connections);
  },
  async connrate(listener: number, count: number): Promise<void> {
    const byte = Buffer.allocUnsafe(1);
    for (let i = 0; i < count; i++) {
      const fd = await floor.accept(listener);
      if ((await floor.recv(fd, byte)) !== 1) throw new Error('connrate: no byte');
      floor.close(fd);
    }
  },
  async idle(listener: number, count: number): Promise<void> {
    // Every connection waits to read, as a server's idle connections do; no data ever comes, so they share a buffer.
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const open: number[] = [];
    for (let i = 0; i < count; i++) {
      const fd = await floor.accept(listener);
      open.push(fd);
      void Promise.resolve(floor.recv(fd, buffer)).catch(() => {});
    }
    announceIdleReady();
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  },
};

const clients = {
  async bulk(port: number, total: number, chunkSize: number): Promise<void> {
    const chunk = Buffer.alloc(chunkSize);
    const fd = await floor.connect(port);
    const start = now();
    for (let sent = 0; sent < total; sent += chunkSize) await floor.send(fd, chunk);
    floor.shutdown(fd);
    const answer = Buffer.allocUnsafe(8);
    if (!(await recvExactly(fd, answer))) throw new Error('bulk: no answer');
    const seconds = now() - start;
    checkCount(answer, total);
    report({ seconds, bytes: total });
    floor.close(fd);
  },
  async pingpong(port: number, rounds: number, warmup: number, timed = 1): Promise<void> {
    const fd = await floor.connect(port);
    floor.setNoDelay(fd);
    const message = Buffer.alloc(PING_SIZE, 'p');
    // One function for the warm-up and the counted round trips, so that the counted ones run the code the warm-up
    // optimised (a branch first taken after the warm-up would deoptimise it inside the counted stretch).
    const roundTrips = async (latencies: Float64Array): Promise<void> => {
      for (let i = 0; i < latencies.length; i++) {
        const sentAt = timed ? performance.now() : 0;
        await floor.send(fd, message);
        const got = await floor.recv(fd, message); // inlined recvExactly: its promise and turn are a tenth of the cost
        if (got !== PING_SIZE && !(await recvRest(fd, message, got))) throw new Error('pingpong: server closed');
        if (timed) latencies[i] = (performance.now() - sentAt) / 1000;
      }
    };
    await warmUp(roundTrips, warmup);
    await checkpoint('warm');
    const latencies = new Float64Array(rounds);
    const start = now();
    await roundTrips(latencies);
    const seconds = now() - start;
    await checkpoint('counted');
    report(latencyReport(seconds, timed ? latencies : new Float64Array(0)));
    floor.close(fd);
  },
  async connrate(port: number, count: number): Promise<void> {
    const byte = Buffer.from('c');
    const start = now();
    for (let i = 0; i < count; i++) {
      const fd = await floor.connect(port);
      await floor.send(fd, byte);
      if ((await floor.recv(fd, byte)) !== 0) throw new Error('connrate: expected end of stream');
      floor.close(fd);
    }
    report({ seconds: now() - start, count });
  },
};

await runSide((workload, count) => servers[workload](listenLoopback(), count), clients);
