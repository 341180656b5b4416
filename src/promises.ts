// winsock/promises: the calls that can block, as promises on the Node event loop. Each call tries the syscall at
// once and waits for readiness (uv_poll) only when Winsock answers WSAEWOULDBLOCK; nothing ever blocks the event
// loop or a threadpool thread on a socket. getaddrinfo runs on the libuv threadpool.
//
// A socket used here becomes nonblocking for good, as Winsock's FIONBIO makes it: a synchronous call on it then
// fails with WSAEWOULDBLOCK where it would have blocked, exactly as Winsock's does.
import type { AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SOCKET } from './index.js';
import { native } from './native.js';
import { splitAddress, toBytes, validateHints } from './arguments.js';
import { WSAETIMEDOUT } from './constants.js';
import { WinsockError } from './errors.js';
import { READABLE, WRITABLE, abortError, checkOptions, isIdle, waitFor, type AsyncOptions } from './readiness.js';

export type { AsyncOptions } from './readiness.js';
export {
  startup, cleanup, getLastError, socket, bind, listen, shutdown, closesocket, getsockname, getpeername,
  setsockopt, getsockopt,
  WSAStartup, WSACleanup, WSAGetLastError, SOCKET, WinsockError,
} from './index.js';
export type { AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SockAddr, WSAData } from './index.js';
export * from './constants.js';

/** Options of `send`/`recv`: MSG_* flags, and the options every async call takes. */
export interface TransferOptions extends AsyncOptions {
  /** MSG_* flags, 0 by default. */
  flags?: number | undefined;
}

/** A `send` that failed or was aborted part-way: `bytesWritten` bytes had been handed to the kernel. */
export interface PartialSendError extends Error {
  bytesWritten: number;
}

/** The options of the next wait, with what is left of the call's own timeout. */
function remaining(options: AsyncOptions | undefined, startedAt: number): AsyncOptions | undefined {
  if (options?.timeout === undefined) return options;
  return { signal: options.signal, timeout: Math.max(0, options.timeout - (performance.now() - startedAt)) };
}

/**
 * Accepts one connection, waiting without blocking until a client connects.
 *
 * @throws WinsockError WSAEINVAL when `s` is not listening; WSAEINTR when `s` is closed while waiting;
 * WSAETIMEDOUT after `options.timeout`
 */
export async function accept(s: SOCKET, options?: AsyncOptions): Promise<AcceptResult> {
  checkOptions(options);
  if (isIdle(s, READABLE)) {
    const accepted = native.tryAccept(s);
    if (accepted !== null) return accepted;
  }
  return waitFor(s, READABLE, () => native.tryAccept(s), { syscall: 'accept' }, options);
}

/**
 * Connects without blocking: `connect(s, '127.0.0.1', 27015, { timeout: 5000 })` or `connect(s, addrinfo, opts)`.
 *
 * @throws WinsockError WSAECONNREFUSED (10061), WSAETIMEDOUT after `options.timeout`, WSAEINTR when closed while
 * connecting. After an abort or timeout the socket's state is undefined, as in Winsock: close it.
 */
export async function connect(s: SOCKET, address: string, port: number, options?: AsyncOptions): Promise<void>;
export async function connect(s: SOCKET, address: Exclude<AddressLike, string>, options?: AsyncOptions): Promise<void>;
export async function connect(
  s: SOCKET,
  address: AddressLike,
  portOrOptions?: number | AsyncOptions,
  maybeOptions?: AsyncOptions,
): Promise<void> {
  const options = typeof address === 'string' ? maybeOptions : (portOrOptions as AsyncOptions | undefined);
  const [host, port] = splitAddress(address, typeof address === 'string' ? (portOrOptions as number) : undefined);
  checkOptions(options);
  if (native.tryConnect(s, host, port)) return;
  const site = { syscall: 'connect', address: host, port };
  await waitFor(s, WRITABLE, () => (native.connectResult(s, host, port) ? true : null), site, options);
}

/**
 * Sends every byte of `data`, waiting for buffer space as often as needed, and resolves with the byte count once
 * all of it has been handed to the kernel. If the call fails or is aborted part-way, the error carries
 * `bytesWritten` ({@link PartialSendError}).
 *
 * @throws WinsockError WSAECONNRESET (10054) when the peer reset the connection, WSAESHUTDOWN, WSAENOTCONN, ...
 */
export async function send(s: SOCKET, data: SendData, options?: TransferOptions): Promise<number> {
  checkOptions(options);
  const bytes = toBytes(data);
  const flags = options?.flags ?? 0;
  const startedAt = performance.now();
  let written = 0;
  try {
    if (isIdle(s, WRITABLE)) written = native.trySend(s, bytes, flags) ?? 0;
    while (written < bytes.byteLength) {
      const attempt = (): number | null => native.trySend(s, bytes.subarray(written), flags);
      written += await waitFor(s, WRITABLE, attempt, { syscall: 'send' }, remaining(options, startedAt));
    }
    return written;
  } catch (error) {
    if (error !== null && typeof error === 'object') Object.assign(error, { bytesWritten: written });
    throw error;
  }
}

/**
 * Receives up to `length` bytes, waiting without blocking until some arrive. An empty Buffer means the peer
 * closed the connection gracefully.
 *
 * @throws WinsockError WSAECONNRESET, WSAENOTCONN, WSAEINTR when `s` is closed while waiting, WSAETIMEDOUT, ...
 */
export async function recv(s: SOCKET, length: number, options?: TransferOptions): Promise<Buffer> {
  checkOptions(options);
  const flags = options?.flags ?? 0;
  if (isIdle(s, READABLE)) {
    const received = native.tryRecv(s, length, flags);
    if (received !== null) return received;
  }
  return waitFor(s, READABLE, () => native.tryRecv(s, length, flags), { syscall: 'recv' }, options);
}

/**
 * Receives into `buf` (no copy), waiting without blocking until some bytes arrive; resolves with the count, 0 when
 * the peer closed the connection gracefully.
 */
export async function recvInto(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, options?: TransferOptions): Promise<number> {
  checkOptions(options);
  const flags = options?.flags ?? 0;
  if (isIdle(s, READABLE)) {
    const received = native.tryRecv(s, buf, flags);
    if (received !== null) return received;
  }
  return waitFor(s, READABLE, () => native.tryRecv(s, buf, flags), { syscall: 'recv' }, options);
}

/**
 * Resolves a host name on the libuv threadpool. Abort and timeout settle the promise at once; the lookup itself
 * cannot be cancelled and finishes in the background.
 *
 * @throws WinsockError WSAHOST_NOT_FOUND (11001) for an unknown host, ...
 */
export async function getaddrinfo(
  node: string | null,
  service: string | number | null,
  hints: AddrInfoHints = {},
  options?: AsyncOptions,
): Promise<AddrInfo[]> {
  validateHints(hints);
  checkOptions(options);
  const lookup = new Promise<AddrInfo[]>((resolve, reject) => {
    native.getaddrinfoAsync(
      node ?? null,
      typeof service === 'number' ? String(service) : service ?? null,
      hints.flags ?? 0,
      hints.family ?? 0,
      hints.socktype ?? 0,
      hints.protocol ?? 0,
      (error, entries) => (error === null ? resolve(entries!) : reject(error)),
    );
  });
  if (options?.signal === undefined && options?.timeout === undefined) return lookup;
  return settleEarly(lookup, options, { syscall: 'getaddrinfo', address: node ?? undefined });
}

/** Races a promise that cannot be cancelled against the call's abort signal and timeout. */
function settleEarly<T>(work: Promise<T>, options: AsyncOptions, site: { syscall: string; address?: string | undefined }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, timeout } = options;
    const onAbort = (): void => finish(() => reject(abortError(signal!)));
    const expire = (): void => finish(() => reject(new WinsockError(WSAETIMEDOUT, site.syscall, site.address)));
    const timer = timeout === undefined ? undefined : setTimeout(expire, timeout);
    let done = false;
    function finish(settle: () => void): void {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then((value) => finish(() => resolve(value)), (error: unknown) => finish(() => reject(error)));
  });
}
