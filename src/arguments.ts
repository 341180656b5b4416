// Checks and conversions of arguments shared by the sync and async APIs. Errors carry Node's codes
// (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) like the native side's, which checks everything it is handed again.
import { Buffer } from 'node:buffer';
import { types } from 'node:util';

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

// TypedArray.prototype's and DataView.prototype's own getters, called directly. Speed: `view.byteLength` on a Buffer
// goes through Buffer's prototypes, which hold too many properties for V8's optimising compiler to follow, and became
// a generic property load and a call (about 160 instructions a read, callgrind); a direct call of the getter is
// inlined. Safety: these read the view's internal slots, which no subclass, Proxy or forged prototype can override
// (a subclass's own byteLength, buffer or subarray may say anything: test/conformance/attack-send-paths.test.ts).
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
function intrinsicGetter<T>(prototype: object, name: string | symbol): (this: unknown) => T {
  return Object.getOwnPropertyDescriptor(prototype, name)!.get as (this: unknown) => T;
}
const typedArrayByteLength = intrinsicGetter<number>(TypedArrayPrototype, 'byteLength');
const typedArrayByteOffset = intrinsicGetter<number>(TypedArrayPrototype, 'byteOffset');
const typedArrayBuffer = intrinsicGetter<ArrayBufferLike>(TypedArrayPrototype, 'buffer');
// The one getter of them that does not throw for what is not a TypedArray: undefined then, else the array's kind.
const typedArrayKind = intrinsicGetter<string | undefined>(TypedArrayPrototype, Symbol.toStringTag);
const dataViewByteLength = intrinsicGetter<number>(DataView.prototype, 'byteLength');
const dataViewByteOffset = intrinsicGetter<number>(DataView.prototype, 'byteOffset');
const dataViewBuffer = intrinsicGetter<ArrayBufferLike>(DataView.prototype, 'buffer');

/**
 * Whether `value` really is a Uint8Array (a Buffer included), by its internal slots: `instanceof` also believes an
 * object given Uint8Array.prototype as its prototype, or a Proxy of a Buffer, on which {@link byteLengthOf} throws a
 * TypeError without Node's code.
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return typedArrayKind.call(value) === 'Uint8Array';
}

/** `view.byteLength` for a Uint8Array (a Buffer), as V8 compiles it best, and as no subclass can override it. */
export function byteLengthOf(view: Uint8Array): number {
  return typedArrayByteLength.call(view);
}

/**
 * A plain Uint8Array over exactly the bytes `view` has now, from its internal slots: a fixed-length view even over a
 * resizable or growable buffer, and one whose subarray and getters are TypedArray's own, whatever `view`'s class says.
 */
export function plainBytesOf(view: Uint8Array): Uint8Array {
  return new Uint8Array(typedArrayBuffer.call(view), typedArrayByteOffset.call(view), typedArrayByteLength.call(view));
}

/** Bytes to send as one Uint8Array over the caller's memory (no copy, but for strings, which go as UTF-8). */
export function toBytes(data: SendData): Uint8Array {
  // A Buffer or Uint8Array as it is (a send's common case: no view to make). A detached one has no bytes left, and
  // takes the checks below.
  if (isUint8Array(data) && byteLengthOf(data) > 0) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  // Sorted by internal slots, never by prototype: a forged ArrayBuffer (Object.create(ArrayBuffer.prototype)) made
  // an empty copy in `new Uint8Array(data)`, and its send reported 0 bytes sent.
  const kind = typedArrayKind.call(data);
  const isDataView = kind === undefined && types.isDataView(data);
  if (kind === undefined && !isDataView && !types.isArrayBuffer(data)) {
    throw invalidArgument('data', 'a string, Buffer, TypedArray, DataView or ArrayBuffer', data);
  }
  try {
    if (kind !== undefined) {
      return new Uint8Array(typedArrayBuffer.call(data), typedArrayByteOffset.call(data), typedArrayByteLength.call(data));
    }
    if (isDataView) return new Uint8Array(dataViewBuffer.call(data), dataViewByteOffset.call(data), dataViewByteLength.call(data));
    return new Uint8Array(data as ArrayBuffer);
  } catch {
    // Only a detached buffer (or a DataView out of bounds of its shrunk buffer) cannot be viewed: as in the sync
    // API, that is a TypeError, not "0 bytes sent".
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
