// Arguments for the fuzzer: mostly valid ones (so calls get past their checks and reach the OS), and a steady share
// of wrong types, out-of-range numbers, hostile objects and odd buffers.
import * as ws from '../../src/index.js';
import type { Random } from './random.js';

/** What a hostile object throws: the library must let the caller's own exception through, unchanged. */
export class FuzzTrap extends Error {
  override readonly name = 'FuzzTrap';
}

const trap = (): never => {
  throw new FuzzTrap('trap');
};

function detachedBuffer(): ArrayBuffer {
  const buffer = new ArrayBuffer(16);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

function detachedView(): Uint8Array {
  const buffer = new ArrayBuffer(16);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

/** Values of every type, for any argument. Functions, so each call gets a fresh object where it matters. */
const hostileValues: readonly (() => unknown)[] = [
  () => undefined,
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -0,
  () => -1,
  () => 1.5,
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => Number.NEGATIVE_INFINITY,
  () => 2 ** 31,
  () => 2 ** 31 - 1,
  () => -(2 ** 31) - 1,
  () => 2 ** 32,
  () => 2 ** 53,
  () => Number.MAX_VALUE,
  () => Number.MIN_VALUE,
  () => '',
  () => 'x',
  () => '1',
  () => '127.0.0.1',
  () => 'a'.repeat(70_000),
  () => 'nul\0byte',
  () => '\uD800',
  () => '💥',
  () => Symbol('fuzz'),
  () => 10n,
  () => ({}),
  () => [],
  () => [1, 2, 3],
  () => (): void => {},
  () => new Date(0),
  () => /re/,
  () => Object.create(null) as object,
  () => Object.create(ws.SOCKET.prototype) as object, // looks like a SOCKET to instanceof, is not one
  () => new Proxy({}, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap }),
  () => ({ get address() { return trap(); }, get port() { return trap(); }, get flags() { return trap(); } }),
  () => ({ valueOf: trap, toString: trap, [Symbol.toPrimitive]: trap }),
  () => Promise.resolve(1),
  () => Buffer.alloc(0),
  () => Buffer.alloc(8),
  () => new Float64Array(2),
  () => new BigInt64Array(1),
  () => new DataView(new ArrayBuffer(4)),
  () => new ArrayBuffer(4),
  () => new SharedArrayBuffer(4),
  () => new Uint8Array(new SharedArrayBuffer(8)),
  () => detachedBuffer(),
  () => detachedView(),
];

export function hostile(r: Random): unknown {
  return r.pick(hostileValues)();
}

/** `valid()` most of the time, a hostile value otherwise. */
export function sometimesHostile<T>(r: Random, valid: () => T, hostility = 0.15): T | unknown {
  return r.chance(hostility) ? hostile(r) : valid();
}

/** An integer: one of `good`, or an edge of the int range. */
export function integer(r: Random, good: readonly number[]): number {
  if (r.chance(0.8) && good.length > 0) return r.pick(good);
  return r.pick([0, -1, 1, 2, 3, 255, 256, 65535, 65536, 2 ** 31 - 1, -(2 ** 31), r.uint32() | 0]);
}

export const families = [ws.AF_INET, ws.AF_INET6, ws.AF_UNSPEC];
export const types = [ws.SOCK_STREAM, ws.SOCK_STREAM, ws.SOCK_STREAM, ws.SOCK_DGRAM, ws.SOCK_RAW];
export const protocols = [0, ws.IPPROTO_TCP, ws.IPPROTO_UDP, ws.IPPROTO_ICMP, ws.IPPROTO_IPV6];
/**
 * MSG_* flags, Winsock's and others: 0x20 is Linux's MSG_TRUNC (Winsock's MSG_PUSH_IMMEDIATE), which made recv report
 * a datagram's whole length past the buffer (issue 14).
 */
export const LINUX_MSG_TRUNC = 0x20;
export const messageFlags = [
  0, 0, 0, ws.MSG_PEEK, ws.MSG_OOB, ws.MSG_WAITALL, ws.MSG_DONTROUTE, LINUX_MSG_TRUNC, ws.MSG_PEEK | LINUX_MSG_TRUNC,
  ws.MSG_OOB | ws.MSG_PEEK,
];
/**
 * Send flags: the same, and Linux's own send bits a caller must not pass through (0x8000 is Linux's MSG_MORE and
 * Winsock's MSG_PARTIAL; 0x4000 MSG_NOSIGNAL, 0x800 MSG_CONFIRM, 0x80 MSG_EOR, 0x40 MSG_DONTWAIT).
 */
export const sendFlags = [...messageFlags, 0x8000, 0x4000, 0x800, 0x80, 0x40, 0x8000 | ws.MSG_OOB];
export const shutdownHows = [ws.SD_RECEIVE, ws.SD_SEND, ws.SD_BOTH];

/** Addresses to bind and connect to: loopback only, so a run never sends a packet off the machine. */
export function address(r: Random): string {
  return r.pick([
    '127.0.0.1', '127.0.0.1', '127.0.0.1', '::1', '::1', '0.0.0.0', '::', '127.0.0.2', '::ffff:127.0.0.1',
    'fe80::1%lo', 'fe80::1%4294967295', 'localhost', '256.0.0.1', '', ' 127.0.0.1', '1::2::3', '127.0.0.1\0x',
  ]);
}

export function port(r: Random, listening: readonly number[]): number {
  if (listening.length > 0 && r.chance(0.6)) return r.pick(listening);
  return r.pick([0, 0, 0, 1, 65535]);
}

/** Host names for getaddrinfo that never leave the machine (numeric, localhost, or refused before any lookup). */
export function hostName(r: Random): { node: string | null; numericOnly: boolean } {
  const node = r.pick<string | null>([
    null, '127.0.0.1', '::1', 'localhost', '', '0.0.0.0', 'no-such-host', 'a'.repeat(300), '\uD800', 'x\0y',
  ]);
  // Anything but numeric addresses and localhost could reach a DNS server: forbid the lookup with AI_NUMERICHOST.
  const local = node === null || node === 'localhost' || /^[0-9.:]*$/.test(node);
  return { node, numericOnly: !local };
}

/** Bytes to send, of every kind the API takes. */
export function payload(r: Random): ws.SendData {
  switch (r.below(10)) {
    case 0:
      return '';
    case 1:
      return 'this is a test';
    case 2:
      return new Uint8Array(new SharedArrayBuffer(r.below(512) + 1));
    case 3:
      return new DataView(r.bytes(64).buffer, 8, 16);
    case 4:
      return detachedView();
    case 5:
      return r.bytes(r.below(4) === 0 ? 1 << 20 : r.below(65536)); // now and then 1 MiB: fills buffers
    default:
      return r.bytes(r.below(2048));
  }
}

/** A length for recv: small, large, zero, or as large as the API allows. */
export function length(r: Random): number {
  return r.pick([0, 1, 16, 512, 4096, 65536, 65536, 1 << 20, 2 ** 31 - 1]);
}

/** A buffer to receive into. */
export function receiveBuffer(r: Random): ArrayBufferView | ArrayBuffer {
  switch (r.below(6)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return new Uint8Array(new SharedArrayBuffer(256));
    case 2:
      return detachedView();
    case 3:
      return new ArrayBuffer(128);
    default:
      return Buffer.alloc(r.pick([1, 512, 65536]));
  }
}

/** Options of an async call: none, a timeout, a signal that aborts soon or has aborted, or invalid ones. */
export function asyncOptions(r: Random): { options: unknown; abortable: boolean } {
  switch (r.below(10)) {
    case 0:
    case 1:
    case 2:
      return { options: undefined, abortable: false };
    case 3:
      return { options: { timeout: r.pick([0, 1, 5, 20]) }, abortable: false };
    case 4: {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new FuzzTrap('aborted')), r.below(20));
      return { options: { signal: controller.signal }, abortable: true };
    }
    case 5:
      return { options: { signal: AbortSignal.abort('early') }, abortable: true };
    case 6:
      return { options: { flags: r.pick(messageFlags), timeout: 50 }, abortable: false };
    case 7:
      return { options: r.pick<unknown>([null, 'fast', 5, { timeout: -1 }, { timeout: Number.NaN }, { signal: {} }]), abortable: false };
    default:
      return { options: {}, abortable: false };
  }
}
