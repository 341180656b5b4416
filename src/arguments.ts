// Checks and conversions of arguments shared by the sync and async APIs. Errors carry Node's codes
// (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) like the native side's, which checks everything it is handed again.
import type { AddrInfoHints, AddressLike, SendData } from './index.js';

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

/** `(address, port)` or `({ address, port })` -> `[address, port]`. */
export function splitAddress(address: AddressLike, port: number | undefined): [string, number] {
  if (typeof address === 'string') {
    if (port === undefined) throw invalidArgument('port', 'a number', port);
    return [address, port];
  }
  if (address === null || typeof address !== 'object') {
    throw invalidArgument('address', 'a string or an object with address and port', address);
  }
  return [address.address, address.port];
}

/**
 * Bytes to send as one Uint8Array over the caller's memory (no copy, but for strings, which go as UTF-8). A detached
 * buffer reads as zero bytes long, as the native side (and so the sync API) reads it; a view over one cannot even
 * be made.
 */
export function toBytes(data: SendData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) {
    return data.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (data instanceof ArrayBuffer) return data.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(data);
  throw invalidArgument('data', 'a string, Buffer, TypedArray, DataView or ArrayBuffer', data);
}

export function validateHints(hints: AddrInfoHints): void {
  if (hints === null || typeof hints !== 'object') throw invalidArgument('hints', 'an object', hints);
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
