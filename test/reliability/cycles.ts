// Open/connect/close cycles for the leak tests (leaks.test.ts) and `npm run leaks`: each cycle opens sockets, uses
// them (or fails to: refused connects, timeouts, aborts, closes under a pending call) and closes them, so that after
// thousands of cycles the process must hold exactly the descriptors and the heap it started with.
import { readdirSync } from 'node:fs';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { collectGarbage } from '../support.js';

export type CycleKind = 'sync' | 'async' | 'high-level' | 'dropped';

export interface LeakMeasurement {
  kind: CycleKind;
  cycles: number;
  fdBefore: number;
  fdAfter: number;
  heapBefore: number;
  heapAfter: number;
  externalBefore: number;
  externalAfter: number;
  rssBefore: number;
  rssAfter: number;
  /** Sockets made by the measured cycles (SOCKETs and Socket objects), and how many were still alive at the end. */
  objectsMade: number;
  objectsAlive: number;
  seconds: number;
}

export function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Full collections, with turns of the event loop between them so finalizers and uv_close callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The peers every cycle talks to, made once: a listener, and the port of one that is closed (refused connects). */
export interface Fixture {
  listener: sync.SOCKET;
  port: number;
  refusedPort: number;
  server: Server;
  close(): void;
}

export function makeFixture(): Fixture {
  const listener = sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP);
  sync.bind(listener, '127.0.0.1', 0);
  sync.listen(listener);
  const closed = sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP);
  sync.bind(closed, '127.0.0.1', 0);
  const refusedPort = sync.getsockname(closed).port;
  sync.closesocket(closed);
  const server = Server.listen({ host: '127.0.0.1' });
  return {
    listener,
    port: sync.getsockname(listener).port,
    refusedPort,
    server,
    close() {
      sync.closesocket(listener);
      server.close();
    },
  };
}

const FOUR_MIB = Buffer.alloc(4 << 20);

/**
 * Every SOCKET and Socket the cycles make, weakly held: after the cycles and a few full collections none may be
 * alive. This catches a leaked object precisely, where the heap figure only sees it through about 0.4 MiB of noise.
 */
let made: WeakRef<object>[] = [];
function track<T extends object>(thing: T): T {
  made.push(new WeakRef(thing));
  return thing;
}

const expectFailure = async (promise: Promise<unknown>, codes: readonly string[]): Promise<void> => {
  try {
    await promise;
  } catch (error) {
    const code = error instanceof ws.WinsockError ? error.code : (error as Error).name;
    if (codes.includes(code)) return;
    throw error;
  }
  throw new Error(`expected ${codes.join(' or ')}`);
};

/** One sync cycle: connect, accept, a byte each way, close; every 4th a refused connect, every 7th a send after shutdown. */
export function syncCycle(fixture: Fixture, i: number): void {
  const client = track(sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP));
  try {
    if (i % 4 === 3) {
      try {
        sync.connect(client, '127.0.0.1', fixture.refusedPort);
      } catch (error) {
        if (!(error instanceof sync.WinsockError && error.code === 'WSAECONNREFUSED')) throw error;
      }
      return;
    }
    sync.connect(client, '127.0.0.1', fixture.port);
    const peer = track(sync.accept(fixture.listener).socket);
    try {
      sync.send(client, 'x');
      sync.recv(peer, 1);
      if (i % 7 === 6) {
        sync.shutdown(client, sync.SD_SEND);
        try {
          sync.send(client, 'y');
        } catch (error) {
          if (!(error instanceof sync.WinsockError && error.code === 'WSAESHUTDOWN')) throw error;
        }
      }
    } finally {
      sync.closesocket(peer);
    }
  } finally {
    sync.closesocket(client);
  }
}

/**
 * One async cycle, by turns: an echo; a refused connect; a recv that times out; an accept and a recv aborted by
 * their signal; a recv and a send pending when the socket is closed (WSAEINTR).
 */
export async function asyncCycle(fixture: Fixture, i: number): Promise<void> {
  const client = track(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP));
  try {
    if (i % 5 === 1) {
      await expectFailure(ws.connect(client, '127.0.0.1', fixture.refusedPort), ['WSAECONNREFUSED']);
      return;
    }
    const accepting = ws.accept(fixture.listener);
    await ws.connect(client, '127.0.0.1', fixture.port);
    const peer = track((await accepting).socket);
    try {
      switch (i % 5) {
        case 0:
          await ws.send(client, 'ping');
          await ws.recv(peer, 4);
          break;
        case 2:
          await expectFailure(ws.recv(peer, 1, { timeout: 0 }), ['WSAETIMEDOUT']);
          break;
        case 3: {
          const controller = new AbortController();
          const reading = ws.recv(peer, 1, { signal: controller.signal });
          const accepting2 = ws.accept(fixture.listener, { signal: controller.signal });
          controller.abort();
          await expectFailure(reading, ['AbortError']);
          await expectFailure(accepting2, ['AbortError']);
          break;
        }
        default: {
          const reading = ws.recv(peer, 1);
          const sending = ws.send(peer, FOUR_MIB); // more than the buffers hold: it waits
          ws.closesocket(peer);
          await expectFailure(sending, ['WSAEINTR']);
          await expectFailure(reading, ['WSAEINTR']);
          return; // peer closed already
        }
      }
    } finally {
      if (i % 5 !== 4) ws.closesocket(peer);
    }
  } finally {
    ws.closesocket(client);
  }
}

/** One cycle through Socket and Server: connect, write, read, end, close. */
export async function highLevelCycle(fixture: Fixture): Promise<void> {
  const accepting = fixture.server.accept();
  const client = track(await Socket.connect('127.0.0.1', fixture.server.address().port));
  const peer = track(await accepting);
  try {
    await client.end('hello');
    for await (const chunk of peer) await peer.write(chunk);
    await peer.end();
    while ((await client.read()) !== null);
  } finally {
    client.close();
    peer.close();
  }
}

/** Sockets made and dropped without closesocket: two plain ones, and one used asynchronously (it has a poll handle). */
export async function droppedCycle(): Promise<void> {
  track(sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP));
  track(sync.socket(sync.AF_INET6, sync.SOCK_STREAM, sync.IPPROTO_TCP));
  const listener = track(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP));
  ws.bind(listener, '127.0.0.1', 0);
  ws.listen(listener);
  const controller = new AbortController();
  const accepting = ws.accept(listener, { signal: controller.signal }); // waits: the socket gets its poll handle
  controller.abort();
  await expectFailure(accepting, ['AbortError']);
}

export async function measure(kind: CycleKind, cycles: number, fixture: Fixture): Promise<LeakMeasurement> {
  const run = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      if (kind === 'sync') syncCycle(fixture, i);
      else if (kind === 'async') await asyncCycle(fixture, i);
      else if (kind === 'high-level') await highLevelCycle(fixture);
      else {
        await droppedCycle();
        // V8 knows nothing of descriptors: it collects when its heap asks, and a loop of tiny objects may never ask
        // before RLIMIT_NOFILE is reached. What is measured here is that the finalizer does release them.
        if (i % 500 === 499) await settle();
      }
    }
  };
  await run(Math.min(1000, cycles)); // warm-up: JIT, V8's caches, the first poll handles
  await settle();
  made = [];
  const before = process.memoryUsage();
  const fdBefore = openDescriptors();
  const started = performance.now();
  await run(cycles);
  const seconds = (performance.now() - started) / 1000;
  await settle();
  const objectsMade = made.length;
  const objectsAlive = made.filter((ref) => ref.deref() !== undefined).length;
  made = []; // the WeakRefs themselves are not the library's memory
  await settle();
  const after = process.memoryUsage();
  return {
    kind,
    cycles,
    fdBefore,
    fdAfter: openDescriptors(),
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    externalBefore: before.external,
    externalAfter: after.external,
    rssBefore: before.rss,
    rssAfter: after.rss,
    objectsMade,
    objectsAlive,
    seconds,
  };
}

export function describeMeasurement(m: LeakMeasurement): string {
  const kib = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(0)} KiB`;
  return `${m.kind}: ${m.cycles} cycles in ${m.seconds.toFixed(1)} s; fds ${m.fdBefore} -> ${m.fdAfter}; ` +
    `${m.objectsAlive} of ${m.objectsMade} sockets still alive; ` +
    `heap ${kib(m.heapAfter - m.heapBefore)} (${(m.heapBefore / 2 ** 20).toFixed(1)} MiB before), external ` +
    `${kib(m.externalAfter - m.externalBefore)}, rss ${kib(m.rssAfter - m.rssBefore)}`;
}
