// Load through the high-level Server: many concurrent clients (all connected before any of them sends) each send a
// random payload and read the echo back, every byte hashed on both sides, while a share of the clients reset their
// connection part-way (SO_LINGER 0, then close). The server must serve everyone else, survive every reset, and
// still accept a client at the end.
// Used by load.test.ts (a smaller form) and `npm run load` (1,000 clients, 1 B to 4 MiB).
import { createHash, randomBytes } from 'node:crypto';

import { SOL_SOCKET, SO_LINGER, WinsockError, setsockopt } from '../../src/index.js';
import { Server, Socket } from '../../src/socket.js';
import { Random } from '../fuzz/random.js';

export interface LoadOptions {
  clients: number;
  /** The largest payload; sizes are spread evenly on a log scale from 1 byte up to it, and a tenth are the largest. */
  maxPayload: number;
  /** The share of clients that reset their connection part-way. */
  resetShare: number;
  seed: number;
}

export interface LoadReport {
  clients: number;
  /** Clients whose echo came back complete and identical (same length, same SHA-256). */
  verified: number;
  /** Clients that reset their connection on purpose. */
  resets: number;
  /** Payload bytes sent by verified clients, and received back by them: each was hashed on both sides. */
  bytesVerified: number;
  largestPayload: number;
  /** Connections the server accepted, and how its connection handlers ended. */
  accepted: number;
  /** The most connections the server had open at once. */
  peakConnections: number;
  serverEndings: Record<string, number>;
  /** A client that connected after all the others (and after every reset) was served. */
  acceptingAfterwards: boolean;
  failures: string[];
  seconds: number;
}

/** struct linger { int l_onoff = 1; int l_linger = 0; }: close() then resets the connection (RST). */
const LINGER_RESET = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);

const CHUNK = 256 * 1024;

function payloadSize(r: Random, max: number): number {
  if (r.chance(0.1)) return max;
  return Math.max(1, Math.round(Math.exp(r.uint32() / 2 ** 32 * Math.log(max))));
}

/** The server: echo every connection until it ends its side; a reset ends only that connection. */
async function serve(server: Server, report: LoadReport, everyone: Barrier): Promise<void> {
  const connections: Promise<void>[] = [];
  let open = 0;
  for await (const connection of server) {
    report.accepted++;
    everyone.accepted();
    report.peakConnections = Math.max(report.peakConnections, ++open);
    connections.push((async () => {
      let ending = 'echoed';
      try {
        for await (const chunk of connection) await connection.write(chunk);
        await connection.end();
      } catch (error) {
        ending = error instanceof WinsockError ? error.code : String(error);
      } finally {
        connection.close();
        open--;
        report.serverEndings[ending] = (report.serverEndings[ending] ?? 0) + 1;
      }
    })());
  }
  await Promise.all(connections);
}

/**
 * Holds every client until `count` clients have connected and the server has accepted `count` connections, so that
 * all of them are open at once, on both sides, before any transfer starts.
 */
function barrier(count: number): { arrive(): Promise<void>; accepted(): void } {
  let arrived = 0;
  let accepted = 0;
  let release: () => void = () => {};
  const all = new Promise<void>((resolve) => (release = resolve));
  const check = (): void => {
    if (arrived >= count && accepted >= count) release();
  };
  return {
    arrive() {
      arrived++;
      check();
      return all;
    },
    accepted() {
      accepted++;
      check();
    },
  };
}

type Barrier = ReturnType<typeof barrier>;

/** Connects, then waits at the barrier (arriving even if the connect failed, so the others are not held up). */
async function connectAll(port: number, everyone: Barrier): Promise<Socket> {
  let socket: Socket | undefined;
  try {
    socket = await Socket.connect('127.0.0.1', port);
  } finally {
    await everyone.arrive();
  }
  return socket;
}

/** One client: sends `size` random bytes in random-sized chunks while reading the echo; throws if it differs. */
async function echoClient(port: number, size: number, r: Random, everyone: Barrier): Promise<void> {
  const socket = await connectAll(port, everyone);
  try {
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    const reading = (async () => {
      for await (const chunk of socket) {
        received.update(chunk);
        receivedBytes += chunk.length;
      }
    })();
    for (let offset = 0; offset < size; ) {
      const length = Math.min(size - offset, 1 + r.below(CHUNK));
      const chunk = randomBytes(length);
      sent.update(chunk);
      await socket.write(chunk);
      offset += length;
    }
    await socket.end();
    await reading;
    if (receivedBytes !== size) throw new Error(`sent ${size} bytes, ${receivedBytes} came back`);
    if (sent.digest('hex') !== received.digest('hex')) throw new Error(`the ${size} bytes that came back differ`);
  } finally {
    socket.close();
  }
}

/** A client that sends part of its payload, then resets the connection. */
async function resettingClient(port: number, size: number, r: Random, everyone: Barrier): Promise<void> {
  const socket = await connectAll(port, everyone);
  const part = randomBytes(Math.max(1, Math.floor(size * (r.below(100) / 100))));
  const reading = (async () => {
    for await (const chunk of socket) void chunk;
  })().catch(() => {}); // our own close ends it: WSAEINTR
  await socket.write(part);
  setsockopt(socket.handle, SOL_SOCKET, SO_LINGER, LINGER_RESET);
  socket.close();
  await reading;
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const r = new Random(options.seed);
  const report: LoadReport = {
    clients: options.clients,
    verified: 0,
    resets: 0,
    bytesVerified: 0,
    largestPayload: 0,
    accepted: 0,
    peakConnections: 0,
    serverEndings: {},
    acceptingAfterwards: false,
    failures: [],
    seconds: 0,
  };
  const started = performance.now();
  const server = Server.listen({ host: '127.0.0.1' });
  const everyone = barrier(options.clients);
  const serving = serve(server, report, everyone);
  const port = server.address().port;
  try {
    await Promise.all(Array.from({ length: options.clients }, async (_, i) => {
      const size = payloadSize(r, options.maxPayload);
      const resets = r.chance(options.resetShare);
      const own = new Random(r.uint32());
      try {
        if (resets) {
          await resettingClient(port, size, own, everyone);
          report.resets++;
        } else {
          await echoClient(port, size, own, everyone);
          report.verified++;
          report.bytesVerified += size;
          report.largestPayload = Math.max(report.largestPayload, size);
        }
      } catch (error) {
        report.failures.push(`client ${i} (${size} bytes${resets ? ', resetting' : ''}): ${String(error)}`);
      }
    }));
    const last = barrier(1);
    last.accepted();
    await echoClient(port, 1000, r, last);
    report.acceptingAfterwards = true;
  } catch (error) {
    report.failures.push(`the client after the others: ${String(error)}`);
  } finally {
    server.close();
    await serving;
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

export function describeLoad(report: LoadReport): string {
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const endings = Object.entries(report.serverEndings).map(([key, n]) => `${n} ${key}`).join(', ');
  return `${report.clients} concurrent clients in ${report.seconds.toFixed(1)} s: ${report.verified} echoes verified ` +
    `(${mib(report.bytesVerified)} each way, SHA-256 on both sides, largest ${mib(report.largestPayload)}, ` +
    `${mib((2 * report.bytesVerified) / report.seconds)}/s through the server both ways), ${report.resets} reset ` +
    `part-way on purpose; server accepted ${report.accepted} (${report.peakConnections} open at once), handlers ended: ` +
    `${endings}; a client after all of them ` +
    `${report.acceptingAfterwards ? 'was served' : 'was NOT served'}; ${report.failures.length} failures`;
}
