// The fuzzer's calls for issue 14's classes of bug: lengths the kernel reports past the buffer (a datagram larger
// than the read with Linux's MSG_TRUNC and the other flags), getsockopt/setsockopt over every level and option
// number the fuzzer may reach with odd lengths (netlink sockets included), and buffers resized, detached or shared
// while a call waits on them. A result longer than the memory the call was given is a finding of its own: the call
// throws a plain Error, which the engine reports as an unexpected error.
//
// setsockopt stays off what could change the machine rather than the socket, since runs go as root in CI: the
// netfilter, IPVS and multicast-routing ranges (option numbers 64 and up at the IP and IPv6 levels), and off options
// that could make a later call block for long (timeouts, lingering close, low-water marks).
import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import type { Context, Operation, Prepared } from './operations.js';
import type { Random } from './random.js';
import * as v from './values.js';

const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;
const SOL_NETLINK = 270;
const NETLINK_ADD_MEMBERSHIP = 1;
const SOL_PACKET = 263;
/** Option levels the fuzzer reaches: the common ones, netlink's and packet's (Linux numbers; elsewhere refused). */
const LEVELS = [sync.SOL_SOCKET, sync.IPPROTO_IP, sync.IPPROTO_IPV6, sync.IPPROTO_TCP, sync.IPPROTO_UDP, SOL_NETLINK, SOL_PACKET];
/** SOL_SOCKET options never set here: receive/send timeouts (old and new), SO_LINGER, the low-water marks. */
const BLOCKING_SOCKET_OPTIONS = new Set([13, 18, 19, 20, 21, 66, 67]);
/** Option lengths around every size an option's struct has. */
const ODD_LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 64, 255, 4096];

function socketArg(ctx: Context): unknown {
  if (ctx.r.chance(0.04)) return v.hostile(ctx.r);
  return ctx.pool.anySocket((items) => ctx.r.pick(items), true) ?? v.hostile(ctx.r);
}

/** Throws when a call handed back more bytes than the memory it was given. */
function bounded<T extends Buffer | number>(result: T, limit: number, what: string): T {
  const length = typeof result === 'number' ? result : result.length;
  if (length > limit) throw new Error(`${what} returned ${length} bytes for a buffer of ${limit}`);
  return result;
}

/** A resizable ArrayBuffer (Node 20+), whose views may go out of bounds. */
function resizable(length: number): ArrayBuffer & { resize(length: number): void } {
  const Constructor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
  return new Constructor(length, { maxByteLength: length * 2 });
}

/**
 * What may happen to a buffer while a call waits: shrink it, grow it, detach it, or nothing. From a timer, where
 * nothing would catch a throw: a change the buffer does not allow (resizing a fixed or detached one) is skipped.
 */
function disturb(r: Random, buffer: ArrayBuffer & { resizable?: boolean; resize?(n: number): void }): () => void {
  const change = r.pick([
    () => buffer.resizable && buffer.resize!(r.below(16)),
    () => buffer.resizable && buffer.resize!(buffer.byteLength + 1),
    () => void structuredClone(buffer, { transfer: [buffer] }),
    () => {},
  ]);
  return () => {
    try {
      change();
    } catch {
      // detached already, or past maxByteLength: the buffer stays as it is
    }
  };
}

export function hostileInputOperations(): Operation[] {
  const op = (name: string, weight: number, prepare: (ctx: Context) => Prepared): Operation => ({ name, weight, prepare });
  return [
    op('large datagram, received short with any flags', 2, (ctx) => {
      const { r } = ctx;
      const size = r.pick([0, 1, 16, 512]);
      const flags = v.integer(r, v.messageFlags);
      const how = r.pick(['recv', 'recv into', 'recvfrom', 'recvmsg', 'async recv', 'async recvfrom', 'async recvmsg'] as const);
      return {
        args: [how, size, flags],
        invoke: async () => {
          const a = ctx.pool.add(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
          const b = ctx.pool.add(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
          sync.bind(b, '127.0.0.1', 0);
          sync.sendto(a, Buffer.alloc(r.pick([100, 1500, 60_000]), 1), sync.getsockname(b));
          const options = { flags, timeout: 200 };
          switch (how) {
            case 'recv': return bounded(sync.recv(b, size, flags), size, how);
            case 'recv into': return bounded(sync.recv(b, Buffer.alloc(size), flags), size, how);
            case 'recvfrom': return bounded(sync.recvfrom(b, size, flags).data, size, how);
            case 'recvmsg': return bounded(sync.recvmsg(b, size, flags).data, size, how);
            case 'async recv': return bounded(await ws.recv(b, size, options), size, how);
            case 'async recvfrom': return bounded((await ws.recvfrom(b, size, options)).data, size, how);
            case 'async recvmsg': return bounded((await ws.recvmsg(b, size, options)).data, size, how);
          }
        },
      };
    }),
    op('netlink socket in a group', 1, (ctx) => ({
      args: [],
      invoke: () => {
        // A netlink route socket reports option lengths it needed (NETLINK_LIST_MEMBERSHIPS): Linux only.
        const s = ctx.pool.add(sync.socket(AF_NETLINK, sync.SOCK_RAW, NETLINK_ROUTE));
        sync.setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1 + ctx.r.below(30));
      },
    })),
    op('getsockopt, any level and option, odd lengths', 3, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const level = r.pick(LEVELS);
      const name = r.below(80);
      const optlen = r.pick(ODD_LENGTHS);
      return {
        args: [s, level, name, optlen],
        invoke: () => bounded(sync.getsockopt(s as sync.SOCKET, level, name, optlen), optlen, 'getsockopt'),
      };
    }),
    op('setsockopt, any level and option, odd lengths', 2, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const level = r.pick(LEVELS);
      const name = level === sync.IPPROTO_IP || level === sync.IPPROTO_IPV6 ? r.below(64) : r.below(80);
      const value = r.chance(0.3) ? r.pick([0, 1, -1, 2 ** 31 - 1]) : r.bytes(r.pick(ODD_LENGTHS));
      const skip = level === sync.SOL_SOCKET && BLOCKING_SOCKET_OPTIONS.has(name);
      return {
        args: [s, level, name, value],
        invoke: () => (skip ? undefined : sync.setsockopt(s as sync.SOCKET, level, name, value as number)),
      };
    }),
    op('async send while its buffer is resized, detached or shared', 2, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const kind = r.pick(['resizable', 'plain', 'shared'] as const);
      const size = r.pick([16, 65_536, 1 << 20]);
      const buffer = kind === 'resizable' ? resizable(size) : kind === 'plain' ? new ArrayBuffer(size) : new SharedArrayBuffer(size);
      const view = new Uint8Array(buffer, r.below(8));
      const change = buffer instanceof ArrayBuffer ? disturb(r, buffer) : () => {};
      return {
        args: [s, kind, size],
        invoke: () => {
          const sending = ws.send(s as sync.SOCKET, view, { timeout: 100 });
          setTimeout(change, r.below(5));
          return sending;
        },
      };
    }),
    op('async recv into a buffer resized or detached while it waits', 2, (ctx) => {
      const { r } = ctx;
      const s = socketArg(ctx);
      const buffer = r.chance(0.7) ? resizable(64) : new ArrayBuffer(64);
      const view = r.chance(0.5) ? new Uint8Array(buffer, 16, 16) : new DataView(buffer, 8);
      const change = disturb(r, buffer);
      return {
        args: [s, view.constructor.name],
        invoke: () => {
          const receiving = ws.recvInto(s as sync.SOCKET, view, { timeout: 100 });
          setTimeout(change, r.below(5));
          return receiving.then((count) => bounded(count, 64, 'recvInto'));
        },
      };
    }),
  ];
}
