// The fuzzer's calls for the rest of the exports: datagrams (sendto, recvfrom, recvmsg, sendmsg), options by name and
// ioctls, select and WSAPoll, names (getnameinfo, gethostname, inet_pton/ntop), and the extensions (keep-alive, user
// timeout, TOS, native handles, share/fromShare, sendSocket/receiveSocket, packet info). Arguments stay on the
// machine: loopback addresses, admin-scoped multicast groups on the loopback interface, Unix paths in a folder that
// does not exist, and share blobs that name only this process's own sockets (as root, a forged blob could take a
// descriptor of any process on the machine).
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import type { Context, Operation, Prepared } from './operations.js';
import type { Random } from './random.js';
import * as v from './values.js';

/** Where sendSocket/receiveSocket may point: a folder that does not exist, so nothing is ever reached or bound. */
const NOWHERE = join(tmpdir(), 'winsock-fuzz-no-such-folder');

function socketArg(ctx: Context): unknown {
  if (ctx.r.chance(0.06)) return v.hostile(ctx.r);
  return ctx.pool.anySocket((items) => ctx.r.pick(items), true) ?? v.hostile(ctx.r);
}

function socketList(ctx: Context): unknown {
  const { r } = ctx;
  if (r.chance(0.1)) return r.pick<unknown>([null, [], [v.hostile(r)], 'x', [null]]);
  return Array.from({ length: 1 + r.below(4) }, () => socketArg(ctx));
}

function loopback(r: Random): string {
  return r.pick(['127.0.0.1', '127.0.0.1', '::1', '127.0.0.2', '::ffff:127.0.0.1', 'nonsense', '']);
}

const filed = (ctx: Context) => (value: unknown): void => {
  if (value instanceof sync.SOCKET) ctx.pool.add(value);
};

/** A small timeout for the blocking select and WSAPoll: never null, never negative (both mean "no limit"). */
function shortTimeout(r: Random): number {
  return r.pick([0, 0, 1, 5]);
}

/**
 * A timeout for the sync select: a hostile value now and then, but never one that means "no limit" (null, undefined,
 * negative) nor a valid long one (the hostile 2 ** 31 - 1 is 24 days: seed 6 hung on it).
 */
function selectTimeout(r: Random): unknown {
  const timeout = v.sometimesHostile(r, () => shortTimeout(r), 0.05);
  if (timeout === null || timeout === undefined) return 0;
  if (typeof timeout === 'number' && (timeout < 0 || (timeout > 20 && timeout < 2 ** 31))) return 0;
  return timeout;
}

/**
 * A path for sendSocket/receiveSocket. A string always ends up inside NOWHERE: receiveSocket binds a string path and
 * waits for a sender without limit, so a relative one ('x', hostile strings) would block the run for ever (and
 * leave a socket file in the working folder).
 */
export function unixPath(r: Random): unknown {
  const path = v.sometimesHostile(r, () => r.pick([join(NOWHERE, 'socket'), '', 'x'.repeat(200), `${NOWHERE}\0`]), 0.1);
  // Empty, or 108 bytes and more (sun_path's size on Linux): refused before any bind.
  if (typeof path !== 'string' || path === '' || path.startsWith(NOWHERE) || Buffer.byteLength(path) >= 108) return path;
  return join(NOWHERE, path);
}

const optionNames = [
  'SO_REUSEADDR', 'SO_REUSEPORT', 'SO_KEEPALIVE', 'SO_BROADCAST', 'SO_LINGER', 'SO_RCVBUF', 'SO_SNDBUF', 'SO_ERROR',
  'SO_TYPE', 'TCP_NODELAY', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'IP_TTL', 'IP_TOS', 'IP_MULTICAST_TTL',
  'IP_MULTICAST_LOOP', 'IP_MULTICAST_IF', 'IPV6_V6ONLY', 'IPV6_UNICAST_HOPS', 'IPV6_MULTICAST_HOPS',
  'IPV6_MULTICAST_LOOP', 'IPV6_MULTICAST_IF', 'SO_EXCLUSIVEADDRUSE', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'NO_SUCH_OPTION',
] as const;

/**
 * Receive/send timeouts that keep every blocking call short: 0 (no limit) and long valid ones are left out, as are
 * hostile values (a hostile 0 or 2 ** 31 - 1 is a valid timeout); out-of-range and wrong-typed ones stay.
 */
const timeoutValues: readonly unknown[] = [1, 5, 10, 20, -1, 2 ** 32, Number.NaN, 1.5, '10', null, undefined, {}];

/** A value for an option: what its type wants, mostly. Never a long receive/send timeout or a lingering close. */
function optionValue(r: Random, name: string): unknown {
  if (name === 'SO_RCVTIMEO' || name === 'SO_SNDTIMEO') return r.pick(timeoutValues);
  if (r.chance(0.15)) return v.hostile(r);
  if (name === 'SO_LINGER') return r.pick([{ onoff: true, linger: 0 }, { onoff: false, linger: 0 }, { onoff: true }]);
  if (name === 'IP_MULTICAST_IF') return r.pick(['127.0.0.1', '0.0.0.0', 'nonsense']);
  return r.pick<unknown>([true, false, 0, 1, 64, 255, 65536, -1]);
}

export function extensionOperations(): Operation[] {
  const op = (name: string, weight: number, prepare: (ctx: Context) => Prepared): Operation => ({ name, weight, prepare });
  return [
    op('udp pair', 2, (ctx) => ({
      args: [],
      invoke: () => {
        // Two bound datagram sockets and a datagram in flight, so recvfrom and recvmsg have something to read.
        const a = ctx.pool.add(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
        const b = ctx.pool.add(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
        sync.bind(a, '127.0.0.1', 0);
        sync.bind(b, '127.0.0.1', 0);
        sync.sendto(a, ctx.r.bytes(ctx.r.below(1500)), sync.getsockname(b));
      },
    })),
    op('sendto', 3, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const data = v.sometimesHostile(r, () => v.payload(r), 0.05);
      const host = v.sometimesHostile(r, () => loopback(r), 0.05);
      const port = v.sometimesHostile(r, () => v.port(r, ctx.pool.ports()), 0.05);
      const flags = v.sometimesHostile(r, () => v.integer(r, v.sendFlags), 0.05);
      return { args: [s, data, host, port, flags], invoke: () => (sync.sendto as (...a: unknown[]) => number)(s, data, host, port, flags) };
    }),
    op('recvfrom', 3, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const into = v.sometimesHostile(r, () => (r.chance(0.5) ? v.length(r) : v.receiveBuffer(r)), 0.08);
      const flags = v.sometimesHostile(r, () => v.integer(r, v.messageFlags), 0.05);
      return { args: [s, into, flags], invoke: () => (sync.recvfrom as (...a: unknown[]) => unknown)(s, into, flags) };
    }),
    op('recvmsg/sendmsg/enablePacketInfo', 2, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const which = r.pick(['recvmsg', 'sendmsg', 'enablePacketInfo'] as const);
      if (which === 'enablePacketInfo') return { args: [which, s], invoke: () => sync.enablePacketInfo(s as sync.SOCKET) };
      if (which === 'recvmsg') {
        const size = v.sometimesHostile(r, () => v.length(r), 0.08);
        return { args: [which, s, size], invoke: () => sync.recvmsg(s as sync.SOCKET, size as number) };
      }
      const options = v.sometimesHostile(r, () => ({ localAddress: r.pick([undefined, '127.0.0.1', '::1']), interfaceIndex: r.pick([0, 1, 99]) }), 0.1);
      const port = v.port(r, ctx.pool.ports());
      const data = v.payload(r);
      const host = loopback(r);
      return { args: [which, s, host, port, options], invoke: () => (sync.sendmsg as (...a: unknown[]) => number)(s, data, host, port, options) };
    }),
    op('setOption/getOption', 3, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const name = v.sometimesHostile(r, () => r.pick(optionNames), 0.05) as string;
      if (r.chance(0.5)) return { args: ['get', s, name], invoke: () => (sync.getOption as (...a: unknown[]) => unknown)(s, name) };
      const value = optionValue(r, name);
      return { args: ['set', s, name, value], invoke: () => (sync.setOption as (...a: unknown[]) => void)(s, name, value) };
    }),
    op('addMembership/dropMembership', 1, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const group = v.sometimesHostile(r, () => r.pick(['239.255.77.1', 'ff02::1:ff00:1', '127.0.0.1', 'nonsense']), 0.1);
      const iface = r.pick<unknown>([undefined, '127.0.0.1', 1, 0, 'lo', -1]);
      const join = r.chance(0.6);
      return {
        args: [join ? 'add' : 'drop', s, group, iface],
        invoke: () => (join ? sync.addMembership : sync.dropMembership)(s as sync.SOCKET, group as string, iface as string),
      };
    }),
    op('ioctlsocket/WSAIoctl', 2, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      if (r.chance(0.5)) {
        const cmd = v.sometimesHostile(r, () => r.pick([sync.FIONBIO, sync.FIONREAD, sync.SIOCATMARK, 0x12345]), 0.1);
        const argp = v.sometimesHostile(r, () => r.pick([0, 1]), 0.1);
        return { args: ['ioctlsocket', s, cmd, argp], invoke: () => sync.ioctlsocket(s as sync.SOCKET, cmd as number, argp as number) };
      }
      const code = v.sometimesHostile(r, () => r.pick([sync.SIO_KEEPALIVE_VALS, sync.SIO_UDP_CONNRESET, sync.SIO_LOOPBACK_FAST_PATH, 7]), 0.1);
      const input = v.sometimesHostile(r, () => (code === sync.SIO_KEEPALIVE_VALS
        ? { onoff: r.chance(0.5), keepalivetime: r.pick([0, 1, 1000, 2 ** 31]), keepaliveinterval: r.pick([1, 500, -1]) }
        : r.chance(0.5)), 0.1);
      return { args: ['WSAIoctl', s, code, input], invoke: () => sync.WSAIoctl(s as sync.SOCKET, code as number, input as boolean) };
    }),
    op('select', 2, (ctx) => {
      const { r } = ctx;
      const sets = [socketList(ctx), r.chance(0.5) ? socketList(ctx) : null, r.chance(0.3) ? socketList(ctx) : null];
      const timeout = selectTimeout(r);
      return { args: [...sets, timeout], invoke: () => (sync.select as (...a: unknown[]) => unknown)(...sets, timeout) };
    }),
    op('WSAPoll', 2, (ctx) => {
      const { r } = ctx;
      const fds = r.chance(0.1) ? v.hostile(r) : Array.from({ length: 1 + r.below(4) }, () => (r.chance(0.05) ? v.hostile(r) : {
        socket: socketArg(ctx),
        events: r.pick([sync.POLLIN, sync.POLLOUT, sync.POLLIN | sync.POLLOUT, sync.POLLPRI, 0, -1]),
      }));
      const timeout = shortTimeout(r);
      return { args: [fds, timeout], invoke: () => sync.WSAPoll(fds as sync.PollFd[], timeout) };
    }),
    op('promises.select/WSAPoll', 2, (ctx) => {
      const { r } = ctx;
      const { options, abortable } = v.asyncOptions(r);
      // No limit is fine here: the run closes every socket at its end, which must settle the wait.
      const timeout = r.pick<number | null>([null, 0, 5, 20]);
      if (r.chance(0.5)) {
        const sets = [socketList(ctx), r.chance(0.5) ? socketList(ctx) : null, null];
        return { args: ['select', ...sets, timeout, options], abortable, invoke: () => (ws.select as (...a: unknown[]) => Promise<unknown>)(...sets, timeout, options) };
      }
      const fds = Array.from({ length: 1 + r.below(3) }, () => ({ socket: socketArg(ctx), events: r.pick([sync.POLLIN, sync.POLLOUT, 0]) }));
      return { args: ['WSAPoll', fds, timeout, options], abortable, invoke: () => ws.WSAPoll(fds as sync.PollFd[], timeout, options as ws.AsyncOptions) };
    }),
    op('promises.sendto/recvfrom/recvfromInto/recvmsg/sendmsg', 3, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const { options, abortable } = v.asyncOptions(r);
      const which = r.pick(['sendto', 'recvfrom', 'recvfromInto', 'recvmsg', 'sendmsg'] as const);
      const port = v.port(r, ctx.pool.ports());
      const host = loopback(r);
      const data = v.payload(r);
      const invoke = (): Promise<unknown> => {
        switch (which) {
          case 'sendto': return ws.sendto(s as ws.SOCKET, data, host, port, options as ws.TransferOptions);
          case 'recvfrom': return ws.recvfrom(s as ws.SOCKET, v.length(r), options as ws.TransferOptions);
          case 'recvfromInto': return ws.recvfromInto(s as ws.SOCKET, v.receiveBuffer(r), options as ws.TransferOptions);
          case 'recvmsg': return ws.recvmsg(s as ws.SOCKET, v.length(r), options as ws.TransferOptions);
          default: return (ws.sendmsg as (...a: unknown[]) => Promise<number>)(s, data, host, port, options);
        }
      };
      return { args: [which, s, host, port, options], abortable, invoke };
    }),
    op('getnameinfo', 2, (ctx) => {
      const { r } = ctx;
      const address = v.sometimesHostile(r, () => r.pick(['127.0.0.1', '::1', '0.0.0.0', '10.1.2.3', 'nonsense', '']), 0.05);
      // A reverse lookup of anything but loopback could ask a DNS server: those get NI_NUMERICHOST.
      const local = address === '127.0.0.1' || address === '::1';
      const flags = (local ? 0 : sync.NI_NUMERICHOST) | r.pick([0, sync.NI_NUMERICSERV, sync.NI_DGRAM, sync.NI_NOFQDN]);
      const port = v.sometimesHostile(r, () => r.pick([0, 80, 65535, 65536]), 0.05);
      if (r.chance(0.5)) {
        return { args: [address, port, flags], invoke: () => (sync.getnameinfo as (...a: unknown[]) => unknown)(address, port, flags) };
      }
      const { options, abortable } = v.asyncOptions(r);
      return { args: ['async', address, port, flags, options], abortable, invoke: () => (ws.getnameinfo as (...a: unknown[]) => Promise<unknown>)(address, port, flags, options) };
    }),
    op('gethostname/inet_pton/inet_ntop', 2, (ctx) => {
      const { r } = ctx;
      const family = v.sometimesHostile(r, () => r.pick(v.families), 0.1);
      switch (r.below(3)) {
        case 0:
          return { args: ['gethostname'], invoke: () => sync.gethostname() };
        case 1: {
          const text = v.sometimesHostile(r, () => r.pick(['127.0.0.1', '::1', 'fe80::1%lo', '1.2.3', '', '::ffff:1.2.3.4']), 0.1);
          return { args: ['inet_pton', family, text], invoke: () => sync.inet_pton(family as number, text as string) };
        }
        default: {
          const bytes = v.sometimesHostile(r, () => r.bytes(r.pick([0, 3, 4, 16, 17])), 0.1);
          return { args: ['inet_ntop', family, bytes], invoke: () => sync.inet_ntop(family as number, bytes as Buffer) };
        }
      }
    }),
    op('keep-alive/user timeout/TOS/nativeHandle', 2, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const value = v.sometimesHostile(r, () => r.pick([0, 1, 1000, 2 ** 31 - 1, -1]), 0.1);
      const which = r.pick(['setKeepAlive', 'setUserTimeout', 'getUserTimeout', 'setTOS', 'getTOS', 'nativeHandle'] as const);
      const invoke = (): unknown => {
        switch (which) {
          case 'setKeepAlive': return sync.setKeepAlive(s as sync.SOCKET, { idleMs: value as number, intervalMs: 1000, count: 3 });
          case 'setUserTimeout': return sync.setUserTimeout(s as sync.SOCKET, value as number);
          case 'getUserTimeout': return sync.getUserTimeout(s as sync.SOCKET);
          case 'setTOS': return sync.setTOS(s as sync.SOCKET, value as number);
          case 'getTOS': return sync.getTOS(s as sync.SOCKET);
          default: return sync.nativeHandle(s as sync.SOCKET);
        }
      };
      return { args: [which, s, value], invoke };
    }),
    op('share/fromShare', 1, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const forged = r.pick<(blob: Buffer) => unknown>([
        (blob) => blob, // the real thing: a new SOCKET for the same socket
        (blob) => blob.subarray(0, blob.length - 1), // too short
        (blob) => Buffer.concat([blob, Buffer.from([0])]), // too long
        (blob) => Buffer.from(blob).fill(0, 0, 4), // wrong magic
        () => Buffer.alloc(0),
        () => v.hostile(r),
      ]);
      return {
        args: [s],
        invoke: () => {
          const blob = sync.share(s as sync.SOCKET);
          return sync.fromShare(forged(blob) as Buffer);
        },
        after: filed(ctx),
      };
    }),
    op('sendSocket/receiveSocket', 1, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const path = unixPath(r);
      // receiveSocket blocks until a socket arrives: only with paths it cannot even bind (so it fails at once).
      if (r.chance(0.5)) return { args: ['receiveSocket', path], invoke: () => sync.receiveSocket(path as string), after: filed(ctx) };
      return { args: ['sendSocket', path, s], invoke: () => sync.sendSocket(path as string, s as sync.SOCKET) };
    }),
  ];
}
