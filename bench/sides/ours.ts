// The benchmark side of winsock/promises: the async twins of the Winsock calls, with recvInto into one reused
// buffer, as a program that cares about speed would write it.
import * as ws from 'winsock/promises';

import {
  PING_SIZE, announceIdleReady, announcePort, checkCount, checkpoint, countMessage, latencyReport, now, report, runSide, warmUp,
} from './common.js';

ws.startup();

function listenLoopback(): ws.SOCKET {
  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.bind(listener, '127.0.0.1', 0);
  ws.listen(listener, ws.SOMAXCONN);
  announcePort(ws.getsockname(listener).port);
  return listener;
}

async function connectLoopback(port: number): Promise<ws.SOCKET> {
  const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  await ws.connect(s, '127.0.0.1', port);
  return s;
}

/** Fills the rest of `buffer` after a first recvInto that gave `got` bytes; false at end of stream. */
async function recvRest(s: ws.SOCKET, buffer: Buffer, got: number): Promise<boolean> {
  if (got === 0) return false;
  while (got < buffer.length) {
    const n = await ws.recvInto(s, buffer.subarray(got));
    if (n === 0) throw new Error('recv: end of stream inside a message');
    got += n;
  }
  return true;
}

/** Fills `buffer`; false at end of stream. The whole message mostly comes at once: one await, no extra call. */
async function recvExactly(s: ws.SOCKET, buffer: Buffer): Promise<boolean> {
  const got = await ws.recvInto(s, buffer);
  return got === buffer.length || recvRest(s, buffer, got);
}

/** Echoes 64-byte messages until end of stream (the ping-pong and scale servers' connection). */
async function echo(s: ws.SOCKET): Promise<void> {
  ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, true);
  const message = Buffer.allocUnsafe(PING_SIZE);
  for (;;) {
    const got = await ws.recvInto(s, message);
    if (got !== PING_SIZE && !(await recvRest(s, message, got))) break;
    await ws.send(s, message);
  }
  ws.closesocket(s);
}

const servers = {
  async bulk(listener: ws.SOCKET): Promise<void> {
    const { socket: s } = await ws.accept(listener);
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let total = 0;
    for (let n = await ws.recvInto(s, buffer); n > 0; n = await ws.recvInto(s, buffer)) total += n;
    await ws.send(s, countMessage(total));
    ws.closesocket(s);
  },
  async pingpong(listener: ws.SOCKET): Promise<void> {
    const { socket: s } = await ws.accept(listener);
    await echo(s);
  },
  async scale(listener: ws.SOCKET, count: number): Promise<void> {
    const connections: Promise<void>[] = [];
    for (let i = 0; i < count; i++) connections.push(echo((await ws.accept(listener)).socket));
    ws.closesocket(listener);
    await Promise.all(connections);
  },
  async connrate(listener: ws.SOCKET, count: number): Promise<void> {
    const byte = Buffer.allocUnsafe(1);
    for (let i = 0; i < count; i++) {
      const { socket: s } = await ws.accept(listener);
      if ((await ws.recvInto(s, byte)) !== 1) throw new Error('connrate: no byte');
      ws.closesocket(s);
    }
  },
  async idle(listener: ws.SOCKET, count: number): Promise<void> {
    const open: ws.SOCKET[] = [];
    for (let i = 0; i < count; i++) {
      const { socket: s } = await ws.accept(listener);
      open.push(s);
      // Every connection waits to read, as a server's idle connections do.
      ws.recv(s, 64 * 1024).catch(() => {});
    }
    announceIdleReady();
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  },
};

const clients = {
  async bulk(port: number, total: number, chunkSize: number): Promise<void> {
    const chunk = Buffer.alloc(chunkSize);
    const s = await connectLoopback(port);
    const start = now();
    for (let sent = 0; sent < total; sent += chunkSize) await ws.send(s, chunk);
    ws.shutdown(s, ws.SD_SEND);
    const answer = Buffer.allocUnsafe(8);
    if (!(await recvExactly(s, answer))) throw new Error('bulk: no answer');
    const seconds = now() - start;
    checkCount(answer, total);
    report({ seconds, bytes: total });
    ws.closesocket(s);
  },
  async pingpong(port: number, rounds: number, warmup: number, timed = 1): Promise<void> {
    const s = await connectLoopback(port);
    ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, true);
    const message = Buffer.alloc(PING_SIZE, 'p');
    // One function for the warm-up and the counted round trips, so that the counted ones run the code the warm-up
    // optimised (a branch first taken after the warm-up would deoptimise it inside the counted stretch).
    const roundTrips = async (latencies: Float64Array): Promise<void> => {
      for (let i = 0; i < latencies.length; i++) {
        const sentAt = timed ? performance.now() : 0;
        await ws.send(s, message);
        const got = await ws.recvInto(s, message); // inlined recvExactly: its promise and turn are a tenth of the cost
        if (got !== PING_SIZE && !(await recvRest(s, message, got))) throw new Error('pingpong: server closed');
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
    ws.closesocket(s);
  },
  async connrate(port: number, count: number): Promise<void> {
    const byte = Buffer.from('c');
    const start = now();
    for (let i = 0; i < count; i++) {
      const s = await connectLoopback(port);
      await ws.send(s, byte);
      if ((await ws.recvInto(s, byte)) !== 0) throw new Error('connrate: expected end of stream');
      ws.closesocket(s);
    }
    report({ seconds: now() - start, count });
  },
};

await runSide((workload, count) => servers[workload](listenLoopback(), count), clients);
