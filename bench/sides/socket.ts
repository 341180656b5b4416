// The benchmark side of the high-level Socket/Server (winsock/socket): read() returns a new Buffer per chunk, as a
// Socket's user gets it.
import { IPPROTO_TCP, TCP_NODELAY, setsockopt, startup } from 'winsock';
import { Server, Socket } from 'winsock/socket';

import {
  PING_SIZE, announceIdleReady, announcePort, checkCount, checkpoint, countMessage, latencyReport, now, report, runSide, warmUp,
} from './common.js';

startup();

function listenLoopback(): Server {
  const server = Server.listen({ host: '127.0.0.1', port: 0 });
  announcePort(server.address().port);
  return server;
}

/** Reads the rest of a `length`-byte message after its `first` chunk; null at end of stream. */
async function readRest(socket: Socket, first: Buffer | null, length: number): Promise<Buffer | null> {
  if (first === null || first.length === length) return first;
  const chunks = [first];
  for (let got = first.length; got < length; ) {
    const chunk = await socket.read(length - got);
    if (chunk === null) throw new Error('read: end of stream inside a message');
    chunks.push(chunk);
    got += chunk.length;
  }
  return Buffer.concat(chunks);
}

/** Reads exactly `length` bytes; null at end of stream before the first. */
async function readExactly(socket: Socket, length: number): Promise<Buffer | null> {
  return readRest(socket, await socket.read(length), length);
}

/** Echoes 64-byte messages until end of stream (the ping-pong and scale servers' connection). */
async function echo(socket: Socket): Promise<void> {
  setsockopt(socket.handle, IPPROTO_TCP, TCP_NODELAY, true);
  for (;;) {
    let message = await socket.read(PING_SIZE); // the whole message, mostly: readRest only when it came in parts
    if (message !== null && message.length !== PING_SIZE) message = await readRest(socket, message, PING_SIZE);
    if (message === null) break;
    await socket.write(message);
  }
  socket.close();
}

const servers = {
  async bulk(server: Server): Promise<void> {
    const socket = await server.accept();
    let total = 0;
    for await (const chunk of socket) total += chunk.length;
    await socket.write(countMessage(total));
    socket.close();
  },
  async pingpong(server: Server): Promise<void> {
    await echo(await server.accept());
  },
  async scale(server: Server, count: number): Promise<void> {
    const connections: Promise<void>[] = [];
    for (let i = 0; i < count; i++) connections.push(echo(await server.accept()));
    server.close();
    await Promise.all(connections);
  },
  async connrate(server: Server, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const socket = await server.accept();
      if ((await socket.read(1)) === null) throw new Error('connrate: no byte');
      socket.close();
    }
  },
  async idle(server: Server, count: number): Promise<void> {
    const open: Socket[] = [];
    for (let i = 0; i < count; i++) {
      const socket = await server.accept();
      open.push(socket);
      socket.read().catch(() => {}); // every connection waits to read, as a server's idle connections do
    }
    announceIdleReady();
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  },
};

const clients = {
  async bulk(port: number, total: number, chunkSize: number): Promise<void> {
    const chunk = Buffer.alloc(chunkSize);
    const socket = await Socket.connect('127.0.0.1', port);
    const start = now();
    for (let sent = 0; sent < total; sent += chunkSize) await socket.write(chunk);
    await socket.end();
    const answer = await readExactly(socket, 8);
    const seconds = now() - start;
    if (answer === null) throw new Error('bulk: no answer');
    checkCount(answer, total);
    report({ seconds, bytes: total });
    socket.close();
  },
  async pingpong(port: number, rounds: number, warmup: number, timed = 1): Promise<void> {
    const socket = await Socket.connect('127.0.0.1', port);
    setsockopt(socket.handle, IPPROTO_TCP, TCP_NODELAY, true);
    const message = Buffer.alloc(PING_SIZE, 'p');
    // One function for the warm-up and the counted round trips, so that the counted ones run the code the warm-up
    // optimised (a branch first taken after the warm-up would deoptimise it inside the counted stretch).
    const roundTrips = async (latencies: Float64Array): Promise<void> => {
      for (let i = 0; i < latencies.length; i++) {
        const sentAt = timed ? performance.now() : 0;
        await socket.write(message);
        let reply = await socket.read(PING_SIZE);
        if (reply !== null && reply.length !== PING_SIZE) reply = await readRest(socket, reply, PING_SIZE);
        if (reply === null) throw new Error('pingpong: server closed');
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
    socket.close();
  },
  async connrate(port: number, count: number): Promise<void> {
    const start = now();
    for (let i = 0; i < count; i++) {
      const socket = await Socket.connect('127.0.0.1', port);
      await socket.write('c');
      if ((await socket.read(1)) !== null) throw new Error('connrate: expected end of stream');
      socket.close();
    }
    report({ seconds: now() - start, count });
  },
};

await runSide((workload, count) => servers[workload](listenLoopback(), count), clients);
