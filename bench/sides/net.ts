// The benchmark side of node:net, written the way node:net is meant to be used: 'data' events, write() with
// 'drain' for backpressure.
import { once } from 'node:events';
import net from 'node:net';

import {
  PING_SIZE, announceIdleReady, announcePort, checkCount, checkpoint, countMessage, latencyReport, now, report, runSide, warmUp,
} from './common.js';

async function listenLoopback(onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onConnection);
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  await once(server, 'listening');
  announcePort((server.address() as net.AddressInfo).port);
  return server;
}

async function connectLoopback(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Echoes 64-byte messages until end of stream (the ping-pong and scale servers' connection). */
function echo(socket: net.Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const data = pending === null ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (; offset + PING_SIZE <= data.length; offset += PING_SIZE) socket.write(data.subarray(offset, offset + PING_SIZE));
    pending = offset === data.length ? null : data.subarray(offset);
  });
  socket.on('end', () => socket.end());
}

const servers = {
  async bulk(): Promise<void> {
    const server = await listenLoopback((socket) => {
      let total = 0;
      socket.on('data', (chunk: Buffer) => (total += chunk.length));
      socket.on('end', () => socket.end(countMessage(total)));
      server.close();
    });
  },
  async pingpong(): Promise<void> {
    const server = await listenLoopback((socket) => {
      echo(socket);
      server.close();
    });
  },
  async scale(count: number): Promise<void> {
    let accepted = 0;
    const server = await listenLoopback((socket) => {
      echo(socket);
      if (++accepted === count) server.close();
    });
  },
  async connrate(count: number): Promise<void> {
    let served = 0;
    const server = await listenLoopback((socket) => {
      socket.once('data', () => socket.destroy());
      if (++served === count) server.close();
    });
  },
  async idle(count: number): Promise<void> {
    const open: net.Socket[] = [];
    await listenLoopback((socket) => {
      open.push(socket);
      socket.on('data', () => {}); // every connection waits to read, as a server's idle connections do
      if (open.length === count) announceIdleReady();
    });
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  },
};

const clients = {
  async bulk(port: number, total: number, chunkSize: number): Promise<void> {
    const chunk = Buffer.alloc(chunkSize);
    const socket = await connectLoopback(port);
    const answer: Buffer[] = [];
    socket.on('data', (data: Buffer) => answer.push(data));
    const start = now();
    for (let sent = 0; sent < total; sent += chunkSize) {
      if (!socket.write(chunk)) await once(socket, 'drain');
    }
    socket.end();
    await once(socket, 'end');
    const seconds = now() - start;
    checkCount(Buffer.concat(answer), total);
    report({ seconds, bytes: total });
    socket.destroy();
  },
  async pingpong(port: number, rounds: number, warmup: number, timed = 1): Promise<void> {
    const socket = await connectLoopback(port);
    socket.setNoDelay(true);
    const message = Buffer.alloc(PING_SIZE, 'p');
    // One listener and one send for the warm-up and the counted round trips, made once, so that the counted ones
    // run the code the warm-up optimised (a branch first taken after the warm-up would deoptimise it).
    let latencies: Float64Array<ArrayBufferLike> = new Float64Array(0);
    let round = 0;
    let got = 0;
    let sentAt = 0;
    let settleStretch = (): void => {};
    // The listener always calls this one function: calling each stretch's own resolve there made the call site
    // polymorphic at the end of every stretch ("wrong call target"), and V8 deoptimised the listener each time.
    const finished = (): void => settleStretch();
    const send = (): void => {
      if (timed) sentAt = performance.now();
      socket.write(message);
    };
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got < PING_SIZE) return;
      got -= PING_SIZE;
      if (timed) latencies[round] = (performance.now() - sentAt) / 1000;
      if (++round < latencies.length) return send();
      finished();
    });
    const roundTrips = (times: Float64Array): Promise<void> => new Promise<void>((resolve) => {
      [latencies, round, settleStretch] = [times, 0, resolve];
      if (times.length > 0) send();
      else resolve();
    });
    await warmUp(roundTrips, warmup);
    await checkpoint('warm');
    const counted = new Float64Array(rounds);
    const start = now();
    await roundTrips(counted);
    const seconds = now() - start;
    await checkpoint('counted');
    report(latencyReport(seconds, timed ? counted : new Float64Array(0)));
    socket.destroy();
  },
  async connrate(port: number, count: number): Promise<void> {
    const start = now();
    for (let i = 0; i < count; i++) {
      const socket = await connectLoopback(port);
      socket.write('c');
      socket.resume();
      await once(socket, 'end');
      socket.destroy();
    }
    report({ seconds: now() - start, count });
  },
};

await runSide((workload, count) => servers[workload](count), clients);
