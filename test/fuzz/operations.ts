// The calls a fuzz run makes: every exported function of winsock (sync), winsock/promises and winsock/socket, the
// addon's own surface, and workers (test/fuzz/extension-operations.ts: datagrams, options, select, names,
// extensions). Each operation draws its arguments first (so a trace can print the call before
// it is made), then makes the call; `after` files what the call produced (new sockets, closed ones) in the pool.
import { MessageChannel, Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

import * as sync from '../../src/index.js';
import { native } from '../../src/native.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { distIndexPath } from '../support.js';
import { extensionOperations, unixPath } from './extension-operations.js';
import { hostileInputOperations } from './hostile-operations.js';
import type { Pool } from './pool.js';
import type { Random } from './random.js';
import * as v from './values.js';

export interface Context {
  readonly r: Random;
  readonly pool: Pool;
  /** Our count of startup() calls not yet balanced by cleanup(). */
  started: number;
  /** The worker running now, if any (one at a time). */
  worker: Worker | undefined;
}

/** One call, ready to be made. */
export interface Prepared {
  readonly args: readonly unknown[];
  invoke(): unknown;
  /** The call may reject with an AbortError: it was given an AbortSignal. */
  readonly abortable?: boolean;
  /** The call may throw DataCloneError (posting a SOCKET to another thread). */
  readonly cloneError?: boolean;
  /** Files the result (sync value or resolved promise value) in the pool. */
  after?(value: unknown): void;
}

export interface Operation {
  readonly name: string;
  weight: number;
  prepare(ctx: Context): Prepared;
}

const promisesUrl = pathToFileURL(distIndexPath.replace(/index\.js$/, 'promises.js')).href;

/** A SOCKET argument: an open or closed one from the pool, now and then something else entirely. */
function socketArg(ctx: Context): unknown {
  const { r, pool } = ctx;
  if (r.chance(0.06)) return v.hostile(r);
  return pool.anySocket((items) => r.pick(items), true) ?? v.hostile(r);
}

function listenerArg(ctx: Context): unknown {
  const listeners = [...ctx.pool.listeners.keys()];
  if (listeners.length > 0 && ctx.r.chance(0.7)) return ctx.r.pick(listeners);
  return socketArg(ctx);
}

function addressArgs(ctx: Context): unknown[] {
  const { r } = ctx;
  const host = v.sometimesHostile(r, () => v.address(r), 0.08);
  const port = v.sometimesHostile(r, () => v.port(r, ctx.pool.ports()), 0.08);
  return r.chance(0.2) ? [{ address: host, port }] : [host, port];
}

/** Options for setsockopt that cannot make a later call block for long (no receive/send timeouts, no lingering). */
function optionArgs(ctx: Context): [number, number, unknown] {
  const { r } = ctx;
  const choices: [number, number, () => unknown][] = [
    [sync.SOL_SOCKET, sync.SO_REUSEADDR, () => r.chance(0.5)],
    [sync.SOL_SOCKET, sync.SO_KEEPALIVE, () => 1],
    [sync.SOL_SOCKET, sync.SO_RCVBUF, () => r.pick([0, 1, 4096, 1 << 20, -1])],
    [sync.SOL_SOCKET, sync.SO_SNDBUF, () => r.pick([0, 4096, 1 << 20])],
    [sync.SOL_SOCKET, sync.SO_BROADCAST, () => true],
    // l_onoff = 1, l_linger = 0: close resets the connection at once (a peer reset for whoever is on the other end).
    [sync.SOL_SOCKET, sync.SO_LINGER, () => Buffer.from([1, 0, 0, 0, 0, 0, 0, 0])],
    [sync.SOL_SOCKET, sync.SO_ERROR, () => 0],
    [sync.SOL_SOCKET, sync.SO_TYPE, () => 1],
    [sync.IPPROTO_TCP, sync.TCP_NODELAY, () => r.chance(0.5)],
    [sync.IPPROTO_IP, sync.IP_TTL, () => r.pick([1, 64, 255, 256, 0])],
    [sync.IPPROTO_IPV6, sync.IPV6_V6ONLY, () => r.chance(0.5)],
    [sync.IPPROTO_TCP, 9999, () => 1],
    [12345, 1, () => 1],
  ];
  const [level, name, value] = r.pick(choices);
  return [level, name, v.sometimesHostile(r, value, 0.1) as unknown];
}

const filed = (ctx: Context) => (value: unknown): void => {
  if (value instanceof sync.SOCKET) ctx.pool.add(value);
  else if (value !== null && typeof value === 'object' && 'socket' in value && value.socket instanceof sync.SOCKET) {
    ctx.pool.add(value.socket);
  }
};

const syncOperations = (): Operation[] => [
  {
    name: 'startup',
    weight: 2,
    prepare(ctx) {
      const version = v.sometimesHostile(ctx.r, () => ctx.r.pick<string | number>(['2.2', 0x0202, '1.1', '3.7', 0x0001, 0]), 0.3);
      return {
        args: [version],
        invoke: () => sync.startup(version as string),
        after: () => void ctx.started++,
      };
    },
  },
  {
    name: 'cleanup',
    weight: 1,
    prepare(ctx) {
      return {
        args: [],
        invoke: () => sync.cleanup(),
        after: () => {
          if (--ctx.started === 0) ctx.pool.forgetAll(); // the last cleanup closes every socket
        },
      };
    },
  },
  { name: 'getLastError', weight: 1, prepare: () => ({ args: [], invoke: () => sync.getLastError() }) },
  {
    name: 'getaddrinfo',
    weight: 3,
    prepare(ctx) {
      const { r } = ctx;
      const { node, numericOnly } = v.hostName(r);
      const service = v.sometimesHostile(r, () => r.pick<string | number | null>([null, '80', 27015, 'http', '', '99999', 'x']), 0.1);
      const flags = (numericOnly ? sync.AI_NUMERICHOST : 0) | r.pick([0, sync.AI_PASSIVE, sync.AI_CANONNAME, sync.AI_NUMERICSERV]);
      const hints = v.sometimesHostile(r, () => ({
        flags,
        family: r.pick(v.families),
        socktype: r.pick([0, sync.SOCK_STREAM, sync.SOCK_DGRAM, 99]),
      }), 0.1);
      // A hostile hints object may carry no AI_NUMERICHOST: then only names that cannot reach DNS are used.
      const safeNode = numericOnly && (typeof hints !== 'object' || hints === null) ? '127.0.0.1' : node;
      return { args: [safeNode, service, hints], invoke: () => sync.getaddrinfo(safeNode, service as string, hints as sync.AddrInfoHints) };
    },
  },
  {
    name: 'socket',
    weight: 6,
    prepare(ctx) {
      const { r } = ctx;
      const af = v.sometimesHostile(r, () => v.integer(r, v.families), 0.05);
      const type = v.sometimesHostile(r, () => v.integer(r, v.types), 0.05);
      const protocol = v.sometimesHostile(r, () => v.integer(r, v.protocols), 0.05);
      return { args: [af, type, protocol], invoke: () => sync.socket(af as number, type as number, protocol as number), after: filed(ctx) };
    },
  },
  {
    name: 'bind',
    weight: 5,
    prepare(ctx) {
      const s = socketArg(ctx);
      const args = addressArgs(ctx);
      return { args: [s, ...args], invoke: () => (sync.bind as (...a: unknown[]) => void)(s, ...args) };
    },
  },
  {
    name: 'listen',
    weight: 4,
    prepare(ctx) {
      const s = socketArg(ctx);
      const backlog = v.sometimesHostile(ctx.r, () => ctx.r.pick([undefined, 0, 1, 5, sync.SOMAXCONN, 2 ** 31 - 1]), 0.1);
      return {
        args: [s, backlog],
        invoke: () => sync.listen(s as sync.SOCKET, backlog as number),
        after: () => ctx.pool.addListener(s as sync.SOCKET),
      };
    },
  },
  {
    name: 'accept',
    weight: 3,
    prepare(ctx) {
      const s = listenerArg(ctx);
      return { args: [s], invoke: () => sync.accept(s as sync.SOCKET), after: filed(ctx) };
    },
  },
  {
    name: 'connect',
    weight: 4,
    prepare(ctx) {
      const s = socketArg(ctx);
      const args = addressArgs(ctx);
      return { args: [s, ...args], invoke: () => (sync.connect as (...a: unknown[]) => void)(s, ...args) };
    },
  },
  {
    name: 'send',
    weight: 5,
    prepare(ctx) {
      const { r } = ctx;
      const s = socketArg(ctx);
      const data = v.sometimesHostile(r, () => v.payload(r), 0.08);
      const flags = v.sometimesHostile(r, () => v.integer(r, v.sendFlags), 0.05);
      return { args: [s, data, flags], invoke: () => sync.send(s as sync.SOCKET, data as sync.SendData, flags as number) };
    },
  },
  {
    name: 'recv',
    weight: 5,
    prepare(ctx) {
      const { r } = ctx;
      const s = socketArg(ctx);
      const into = v.sometimesHostile(r, () => (r.chance(0.5) ? v.length(r) : v.receiveBuffer(r)), 0.08);
      const flags = v.sometimesHostile(r, () => v.integer(r, v.messageFlags), 0.05);
      return { args: [s, into, flags], invoke: () => sync.recv(s as sync.SOCKET, into as number, flags as number) };
    },
  },
  {
    name: 'shutdown',
    weight: 2,
    prepare(ctx) {
      const s = socketArg(ctx);
      const how = v.sometimesHostile(ctx.r, () => v.integer(ctx.r, v.shutdownHows), 0.1);
      return { args: [s, how], invoke: () => sync.shutdown(s as sync.SOCKET, how as number) };
    },
  },
  {
    name: 'closesocket',
    weight: 4,
    prepare(ctx) {
      const s = socketArg(ctx);
      return {
        args: [s],
        invoke: () => sync.closesocket(s as sync.SOCKET),
        after: () => ctx.pool.forget(s as sync.SOCKET),
      };
    },
  },
  {
    name: 'getsockname',
    weight: 2,
    prepare(ctx) {
      const s = socketArg(ctx);
      return { args: [s], invoke: () => sync.getsockname(s as sync.SOCKET) };
    },
  },
  {
    name: 'getpeername',
    weight: 2,
    prepare(ctx) {
      const s = socketArg(ctx);
      return { args: [s], invoke: () => sync.getpeername(s as sync.SOCKET) };
    },
  },
  {
    name: 'setsockopt',
    weight: 3,
    prepare(ctx) {
      const s = socketArg(ctx);
      const [level, name, value] = optionArgs(ctx);
      return { args: [s, level, name, value], invoke: () => sync.setsockopt(s as sync.SOCKET, level, name, value as number) };
    },
  },
  {
    name: 'getsockopt',
    weight: 2,
    prepare(ctx) {
      const { r } = ctx;
      const s = socketArg(ctx);
      const [level, name] = optionArgs(ctx);
      const length = r.chance(0.5) ? undefined : v.sometimesHostile(r, () => r.pick([0, 1, 4, 16, 4096, 4097]), 0.2);
      return {
        args: [s, level, name, length],
        invoke: () => (length === undefined ? sync.getsockopt(s as sync.SOCKET, level, name) : sync.getsockopt(s as sync.SOCKET, level, name, length as number)),
      };
    },
  },
  {
    // A well-formed sequence, so the pool always has connected sockets for the rest to work on.
    name: 'connected pair',
    weight: 4,
    prepare(ctx) {
      const family = ctx.r.chance(0.7) ? sync.AF_INET : sync.AF_INET6;
      const host = family === sync.AF_INET ? '127.0.0.1' : '::1';
      return {
        args: [host],
        invoke: () => {
          const listener = ctx.pool.add(sync.socket(family, sync.SOCK_STREAM, sync.IPPROTO_TCP));
          sync.bind(listener, host, 0);
          sync.listen(listener);
          ctx.pool.addListener(listener);
          const client = ctx.pool.add(sync.socket(family, sync.SOCK_STREAM, sync.IPPROTO_TCP));
          sync.connect(client, host, sync.getsockname(listener).port);
          ctx.pool.add(sync.accept(listener).socket);
        },
      };
    },
  },
];

const asyncOperations = (): Operation[] => [
  {
    name: 'promises.accept',
    weight: 3,
    prepare(ctx) {
      const s = listenerArg(ctx);
      const { options, abortable } = v.asyncOptions(ctx.r);
      return { args: [s, options], abortable, invoke: () => ws.accept(s as ws.SOCKET, options as ws.AsyncOptions), after: filed(ctx) };
    },
  },
  {
    name: 'promises.connect',
    weight: 4,
    prepare(ctx) {
      const s = socketArg(ctx);
      const args = addressArgs(ctx);
      const { options, abortable } = v.asyncOptions(ctx.r);
      return {
        args: [s, ...args, options],
        abortable,
        invoke: () => (ws.connect as (...a: unknown[]) => Promise<void>)(s, ...args, options),
      };
    },
  },
  {
    name: 'promises.send',
    weight: 6,
    prepare(ctx) {
      const { r } = ctx;
      const s = socketArg(ctx);
      const data = v.sometimesHostile(r, () => v.payload(r), 0.08);
      const { options, abortable } = v.asyncOptions(r);
      return { args: [s, data, options], abortable, invoke: () => ws.send(s as ws.SOCKET, data as ws.SendData, options as ws.TransferOptions) };
    },
  },
  {
    name: 'promises.recv',
    weight: 6,
    prepare(ctx) {
      const { r } = ctx;
      const s = socketArg(ctx);
      const size = v.sometimesHostile(r, () => v.length(r), 0.08);
      const { options, abortable } = v.asyncOptions(r);
      return { args: [s, size, options], abortable, invoke: () => ws.recv(s as ws.SOCKET, size as number, options as ws.TransferOptions) };
    },
  },
  {
    name: 'promises.recvInto',
    weight: 3,
    prepare(ctx) {
      const { r } = ctx;
      const s = socketArg(ctx);
      const buffer = v.sometimesHostile(r, () => v.receiveBuffer(r), 0.08);
      const { options, abortable } = v.asyncOptions(r);
      return { args: [s, buffer, options], abortable, invoke: () => ws.recvInto(s as ws.SOCKET, buffer as Buffer, options as ws.TransferOptions) };
    },
  },
  {
    name: 'promises.getaddrinfo',
    weight: 2,
    prepare(ctx) {
      const { r } = ctx;
      const { node, numericOnly } = v.hostName(r);
      const hints = { flags: numericOnly ? sync.AI_NUMERICHOST : 0, family: r.pick(v.families) };
      const { options, abortable } = v.asyncOptions(r);
      return {
        args: [node, 80, hints, options],
        abortable,
        invoke: () => ws.getaddrinfo(node, 80, hints, options as ws.AsyncOptions),
      };
    },
  },
];

function anyServer(ctx: Context): Server | undefined {
  return ctx.pool.servers.length > 0 ? ctx.r.pick(ctx.pool.servers) : undefined;
}

function anySocket(ctx: Context): Socket | undefined {
  return ctx.pool.sockets.length > 0 ? ctx.r.pick(ctx.pool.sockets) : undefined;
}

/** An operation on a high-level object, or a no-op when the pool has none yet. */
function onObject<T>(find: (ctx: Context) => T | undefined, make: (ctx: Context, target: T) => Prepared): (ctx: Context) => Prepared {
  return (ctx) => {
    const target = find(ctx);
    return target === undefined ? { args: ['(none yet)'], invoke: () => undefined } : make(ctx, target);
  };
}

const highLevelOperations = (): Operation[] => [
  {
    name: 'Server.listen',
    weight: 2,
    prepare(ctx) {
      const { r } = ctx;
      const options = v.sometimesHostile(r, () => ({
        host: r.pick([undefined, '127.0.0.1', '::1', '::', 'nonsense']),
        backlog: r.pick([undefined, 0, 1, 64]),
        ipv6Only: r.chance(0.2),
        port: r.pick([undefined, 0, 0, 1]),
      }), 0.1);
      return {
        args: [options],
        invoke: () => Server.listen(options as Parameters<typeof Server.listen>[0]),
        after: (server) => ctx.pool.addServer(server as Server),
      };
    },
  },
  {
    name: 'server.accept',
    weight: 2,
    prepare: onObject(anyServer, (ctx, server) => {
      const { options, abortable } = v.asyncOptions(ctx.r);
      return {
        args: [ctx.pool.idOf(server), options],
        abortable,
        invoke: () => server.accept(options as ws.AsyncOptions),
        after: (socket) => ctx.pool.addSocket(socket as Socket),
      };
    }),
  },
  {
    name: 'server.close/address',
    weight: 1,
    prepare: onObject(anyServer, (ctx, server) => {
      const close = ctx.r.chance(0.3);
      return { args: [ctx.pool.idOf(server), close], invoke: () => (close ? server.close() : server.address()) };
    }),
  },
  {
    name: 'server iterate',
    weight: 1,
    prepare: onObject(anyServer, (ctx, server) => ({
      args: [ctx.pool.idOf(server)],
      invoke: async () => {
        const iterator = server[Symbol.asyncIterator]();
        const first = await iterator.next();
        await iterator.return?.();
        if (first.done !== true) ctx.pool.addSocket(first.value);
      },
    })),
  },
  {
    name: 'Socket.connect',
    weight: 3,
    prepare(ctx) {
      const { r } = ctx;
      const host = r.pick(['127.0.0.1', '::1', 'localhost', '127.0.0.1\0', '']);
      const port = v.sometimesHostile(r, () => v.port(r, ctx.pool.ports()), 0.05);
      const drawn = v.asyncOptions(r);
      // Socket.connect owns its socket until it connects, so closing the pool cannot end a connect that the kernel
      // keeps retrying (to a full listener): without options of its own it gets a timeout.
      const plain = drawn.options === undefined || (typeof drawn.options === 'object' && drawn.options !== null && Object.keys(drawn.options).length === 0);
      const options = plain ? { timeout: 3000 } : drawn.options;
      const abortable = drawn.abortable;
      return {
        args: [host, port, options],
        abortable,
        invoke: () => Socket.connect(host, port as number, options as ws.AsyncOptions),
        after: (socket) => ctx.pool.addSocket(socket as Socket),
      };
    },
  },
  {
    name: 'socket.write/sendAll/end',
    weight: 3,
    prepare: onObject(anySocket, (ctx, socket) => {
      const { r } = ctx;
      const data = v.sometimesHostile(r, () => v.payload(r), 0.05);
      const method = r.pick(['write', 'sendAll', 'end'] as const);
      return { args: [ctx.pool.idOf(socket), method, data], invoke: () => socket[method](data as ws.SendData) };
    }),
  },
  {
    name: 'socket.read',
    weight: 3,
    prepare: onObject(anySocket, (ctx, socket) => {
      const size = v.sometimesHostile(ctx.r, () => v.length(ctx.r), 0.05);
      const { options, abortable } = v.asyncOptions(ctx.r);
      return { args: [ctx.pool.idOf(socket), size, options], abortable, invoke: () => socket.read(size as number, options as ws.AsyncOptions) };
    }),
  },
  {
    name: 'socket.close/addresses',
    weight: 1,
    prepare: onObject(anySocket, (ctx, socket) => {
      const what = ctx.r.pick(['close', 'localAddress', 'remoteAddress'] as const);
      return { args: [ctx.pool.idOf(socket), what], invoke: () => (what === 'close' ? socket.close() : socket[what]) };
    }),
  },
  {
    name: 'socket iterate / toStream',
    weight: 1,
    prepare: onObject(anySocket, (ctx, socket) => {
      const asStream = ctx.r.chance(0.5);
      const data = ctx.r.bytes(ctx.r.below(2) === 0 ? 100 : 1 << 20);
      return {
        args: [ctx.pool.idOf(socket), asStream ? 'toStream' : 'iterate'],
        invoke: async () => {
          if (!asStream) {
            const iterator = socket[Symbol.asyncIterator]();
            await iterator.next();
            await iterator.return?.();
            return;
          }
          const stream = socket.toStream();
          // A stream reports failures as 'error' events: the same rules apply to them as to rejections.
          const failed = new Promise<never>((_, reject) => stream.once('error', reject));
          failed.catch(() => {});
          stream.write(data);
          await Promise.race([new Promise((resolve) => setTimeout(resolve, 5)), failed]);
          stream.destroy();
        },
      };
    }),
  },
];

/** The addon's own functions, with at least one argument the addon must refuse (so no call corrupts its state). */
const nativeOperation = (): Operation => ({
  name: 'native',
  weight: 2,
  prepare(ctx) {
    const { r } = ctx;
    // Not here: cleanup (a valid call would skew ctx.started) and the sync name lookups (a hostile string such as
    // 'x' would be asked of a DNS server, blocking the thread); their public wrappers are fuzzed with safe names.
    const name = r.pick([
      'watch', 'unwatch', 'setKeepsLoopAlive', 'socketId', 'tryAccept', 'tryConnect', 'connectResult', 'trySend', 'tryRecv',
      'getaddrinfoAsync', 'setErrorFactory', 'setReadinessCallback', 'socket', 'bind', 'recv', 'send', 'setsockopt',
      'getsockopt', 'startup', 'sendto', 'recvfrom', 'trySendTo', 'tryRecvFrom', 'inet_pton', 'inet_ntop',
      'ioctlsocket', 'nativeHandle', 'share', 'fromShare', 'getTimeoutOption', 'getLinger', 'getUserTimeout',
      'getnameinfoAsync', 'setMembership', 'setMulticastInterface4', 'setKeepAliveValues', 'booleanIoctl',
      'setTrafficClass', 'getTrafficClass', 'tryRecvMsg', 'trySendMsg', 'enablePacketInfo', 'setUserTimeout',
      'setTimeoutOption', 'setLinger', 'select', 'WSAPoll', 'sendSocket', 'receiveSocket',
    ] as const);
    const count = r.below(5);
    const args: unknown[] = Array.from({ length: count }, () => (r.chance(0.5) ? socketArg(ctx) : v.hostile(r)));
    // These could block without limit, or make later calls block, with some valid arguments: a receive/send timeout
    // of 0 or days, a lingering close, a select or WSAPoll with no timeout, receiveSocket on a path it can bind.
    // The argument that decides it is drawn from values that cannot.
    if (name === 'setTimeoutOption') args[2] = r.pick([1, 10, -1, 2 ** 32, Number.NaN, '10', undefined]);
    if (name === 'setLinger') args[2] = r.pick([0, -1, 65536, Number.NaN, undefined]);
    if (name === 'select') args[3] = r.pick([0, 1, -1, 2 ** 31, Number.NaN, 'x']);
    if (name === 'WSAPoll') args[1] = r.pick([0, 1, -1, 2 ** 31, Number.NaN, 'x']);
    if (name === 'sendSocket' || name === 'receiveSocket') args[0] = unixPath(r);
    // These three would break the library's invariants with valid arguments: give them invalid ones only.
    if (name === 'setErrorFactory' || name === 'setReadinessCallback') args[0] = r.pick([undefined, null, 1, {}, 'f']);
    if (name === 'watch') args[1] = r.pick([-1, 8, 1.5, Number.NaN, '1', undefined, 2 ** 31]); // 4 is UV_PRIORITIZED
    if (name === 'startup') args[0] = r.pick(['2.2', null, -1, 65536, 1.5]); // a valid one would skew ctx.started
    if (name === 'getaddrinfoAsync' && typeof args[0] === 'string') args[1] = null;
    // The try* calls name a socket by its registry id, a small integer: never one that could be a live socket's.
    if (typeof args[0] === 'number' && name !== 'socket' && name !== 'startup') args[0] = r.pick([-1, 0.5, 2 ** 53, Number.NaN]);
    const fn = native[name] as (...a: unknown[]) => unknown;
    return { args: [name, ...args], invoke: () => fn.apply(native, args) };
  },
});

const threadOperations = (): Operation[] => [
  {
    // A SOCKET does not cross to another thread: the structured clone of one is a plain empty object, which every
    // call must refuse with a TypeError (and the original stays usable).
    name: 'postMessage(SOCKET)',
    weight: 1,
    prepare(ctx) {
      const s = socketArg(ctx);
      return {
        args: [s],
        cloneError: true,
        invoke: async () => {
          const { port1, port2 } = new MessageChannel();
          try {
            const arrived = new Promise<unknown>((resolve) => port2.once('message', resolve));
            port1.postMessage(s);
            const clone = await arrived;
            sync.getsockname(clone as sync.SOCKET);
            if (s instanceof sync.SOCKET) throw new Error('the clone of a SOCKET was accepted as a SOCKET');
          } finally {
            port1.close();
            port2.close();
          }
        },
      };
    },
  },
  {
    // A worker with accepts, connects, sends, receives and lookups in flight, terminated at a random moment.
    name: 'worker terminated mid-call',
    weight: 1,
    prepare(ctx) {
      const { r } = ctx;
      const seed = r.uint32();
      const lifetime = r.below(40);
      const ports = ctx.pool.ports().slice(0, 4);
      return {
        args: [seed, lifetime],
        invoke: async () => {
          if (ctx.worker !== undefined) return; // one at a time
          const worker = new Worker(workerSource(seed, ports), { eval: true });
          ctx.worker = worker;
          const failed = new Promise<never>((_, reject) => worker.once('error', reject));
          failed.catch(() => {});
          try {
            await Promise.race([new Promise((resolve) => setTimeout(resolve, lifetime)), failed]);
            await worker.terminate();
          } finally {
            ctx.worker = undefined;
          }
        },
      };
    },
  },
];

/** The worker's program: a small storm of async calls on its own sockets and on the main thread's listeners. */
function workerSource(seed: number, ports: readonly number[]): string {
  return `
    import(${JSON.stringify(promisesUrl)}).then(async (ws) => {
      let x = ${seed} || 1;
      const next = (n) => ((x ^= x << 13, x ^= x >>> 17, x ^= x << 5) >>> 0) % n;
      const quiet = (p) => p.catch(() => {});
      ws.startup();
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(l, '127.0.0.1', 0); ws.listen(l);
      const ports = [ws.getsockname(l).port, ...${JSON.stringify(ports)}];
      for (let i = 0; i < 40; i++) {
        switch (next(5)) {
          case 0: quiet(ws.accept(l)); break;
          case 1: {
            const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
            quiet(ws.connect(c, '127.0.0.1', ports[next(ports.length)]).then(() => Promise.all([
              ws.send(c, Buffer.alloc(next(2) ? 1 << 20 : 100)), ws.recv(c, 65536)])));
            break;
          }
          case 2: quiet(ws.getaddrinfo('localhost', 80)); break;
          case 3: await new Promise((resolve) => setTimeout(resolve, next(3))); break;
          default: quiet(ws.recv(l, 1));
        }
      }
    });`;
}

export function allOperations(): Operation[] {
  return [
    ...syncOperations(), ...asyncOperations(), ...highLevelOperations(), nativeOperation(), ...threadOperations(),
    ...extensionOperations(),
    ...hostileInputOperations(),
  ];
}
