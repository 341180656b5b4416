// Checks and conversions of arguments shared by the sync and async APIs. Errors carry Node's codes
// (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) like the native side's, which checks everything it is handed again.
import { Buffer } from 'node:buffer';
import type { AddrInfoHints, AddressLike, SendData } from './types.js';

export function invalidArgument(name: string, expected: string, received: unknown): TypeError {
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(received)}`);
  return Object.assign(error, { code: 'ERR_INVALID_ARG_TYPE' });
}

export function outOfRange(name: string, expected: string, received: unknown): RangeError {
  const error = new RangeError(`The "${name}" argument must be ${expected}. Received ${describe(received)}`);
  return Object.assign(error, { code: 'ERR_OUT_OF_RANGE' });
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value)})`;
}

/**
 * `(address, port)`, `({ address, port })` or `({ path })` -> `[address, port]`. A string's port may be left out
 * for an AF_UNIX path: the addon, which knows the socket's family, then reads no port, and for any other family
 * refuses the missing one with the TypeError this function used to throw.
 */
export function splitAddress(address: AddressLike, port: number | undefined): [string, number] {
  if (typeof address === 'string') return [address, port as number];
  if (address === null || typeof address !== 'object') {
    throw invalidArgument('address', 'a string or an object with address and port, or with path', address);
  }
  if ('path' in address) return [address.path, 0];
  return [address.address, address.port];
}

/** `(address, port, flags)` or `({ address, port }, flags)` -> `[address, port, flags]`. */
export function splitAddressAndFlags(address: AddressLike, portOrFlags?: number, maybeFlags?: number): [string, number, number] {
  if (typeof address === 'string') return [...splitAddress(address, portOrFlags), maybeFlags ?? 0];
  return [...splitAddress(address, undefined), portOrFlags ?? 0];
}

// TypedArray.prototype's byteLength getter, called directly: `view.byteLength` on a Buffer goes through Buffer's
// prototypes, which hold too many properties for V8's optimising compiler to follow, and became a generic property
// load and a call (about 160 instructions a read, callgrind); a direct call of the getter is inlined.
const typedArrayByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength')!
  .get as (this: Uint8Array) => number;

/** `view.byteLength` for a Uint8Array (a Buffer), as V8 compiles it best. */
export function byteLengthOf(view: Uint8Array): number {
  return typedArrayByteLength.call(view);
}

/** Bytes to send as one Uint8Array over the caller's memory (no copy, but for strings, which go as UTF-8). */
export function toBytes(data: SendData): Uint8Array {
  // A Buffer or Uint8Array as it is (a send's common case: no view to make). A detached one has no bytes left, and
  // takes the checks below.
  if (data instanceof Uint8Array && data.byteLength > 0) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (!ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
    throw invalidArgument('data', 'a string, Buffer, TypedArray, DataView or ArrayBuffer', data);
  }
  try {
    return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  } catch {
    // Only a detached buffer cannot be viewed: as in the sync API, that is a TypeError, not "0 bytes sent".
    throw Object.assign(new TypeError('The "data" argument is detached'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
}

/**
 * A timeout that is a number or null (select and WSAPoll): anything else, a Symbol included, is a TypeError with
 * Node's code, before a comparison could throw one without it.
 */
export function checkTimeoutType(timeout: unknown): asserts timeout is number | null {
  if (timeout !== null && typeof timeout !== 'number') throw invalidArgument('timeout', 'a number or null', timeout);
}

/** getaddrinfo's arguments as the addon takes them: node, service (a port number as text), then the four hints. */
export function addrInfoArguments(
  node: string | null,
  service: string | number | null,
  hints: AddrInfoHints,
): [string | null, string | null, number, number, number, number] {
  if (hints === null || typeof hints !== 'object') throw invalidArgument('hints', 'an object', hints);
  const serviceText = typeof service === 'number' ? String(service) : service ?? null;
  return [node ?? null, serviceText, hints.flags ?? 0, hints.family ?? 0, hints.socktype ?? 0, hints.protocol ?? 0];
}

/** Makes a Winsock version word from `'2.2'` (MAKEWORD(2, 2)); a number is taken as a version word already. */
export function versionWord(version: string | number): number {
  if (typeof version === 'number') return version;
  const match = typeof version === 'string' ? /^(\d{1,3})\.(\d{1,3})$/.exec(version) : null;
  if (match === null) throw invalidArgument('version', "a string like '2.2' or a version word", version);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > 255 || minor > 255) throw outOfRange('version', 'made of parts <= 255', version);
  return major | (minor << 8);
}

/**
 * A TCP/UDP port as every entry point takes it: an integer from 0 to 65535. Anything but a number (a string such as
 * '80x', undefined) is a TypeError; NaN, a fraction, -1 or 70000 a RangeError, never a port that wraps around.
 */
export function checkPort(port: unknown, name = 'port'): asserts port is number {
  if (typeof port !== 'number') throw invalidArgument(name, 'of type number', port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw outOfRange(name, 'an integer >= 0 and <= 65535', port);
}

/** A host name or numeric address: a string, else a TypeError. */
export function checkHost(host: unknown, name = 'host'): asserts host is string {
  if (typeof host !== 'string') throw invalidArgument(name, 'of type string', host);
}
