// winsock/promises: the calls that can block, as promises on the Node event loop. Each call tries the syscall at
// once and waits for readiness (uv_poll) only when Winsock answers WSAEWOULDBLOCK; nothing ever blocks the event
// loop or a threadpool thread on a socket. getaddrinfo runs on the libuv threadpool.
//
// A socket used here becomes nonblocking for good, as Winsock's FIONBIO makes it: a synchronous call on it then
// fails with WSAEWOULDBLOCK where it would have blocked, exactly as Winsock's does.
import type { AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SOCKET } from './index.js';
import type { Datagram, DatagramInto } from './datagrams.js';
import type { NameInfo } from './names.js';
import type { Message, SendMsgOptions } from './extensions.js';
import type { PollFd, SelectResult } from './select.js';
import { POLLIN, POLLOUT, POLLRDBAND, POLLRDNORM, POLLWRBAND, POLLWRNORM } from './constants.js';
import { native } from './native.js';
import { addrInfoArguments, splitAddress, splitAddressAndFlags, toBytes } from './arguments.js';
import { WSAETIMEDOUT } from './constants.js';
import { WinsockError } from './errors.js';
import { READABLE, WRITABLE, abortError, checkOptions, isIdle, waitFor, type AsyncOptions } from './readiness.js';

export type { AsyncOptions } from './readiness.js';
export {
  startup, cleanup, getLastError, socket, bind, listen, shutdown, closesocket, getsockname, getpeername,
  setsockopt, getsockopt, setOption, getOption, addMembership, dropMembership, ioctlsocket, WSAIoctl,
  gethostname, inet_pton, inet_ntop, setKeepAlive, setUserTimeout, getUserTimeout, setTOS, getTOS, nativeHandle,
  share, fromShare, enablePacketInfo,
  WSAStartup, WSACleanup, WSAGetLastError, SOCKET, WinsockError,
} from './index.js';
export type {
  AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SockAddr, WSAData, Datagram, DatagramInto, NameInfo,
  PollFd, SelectResult, SocketOptions, SocketOptionName, Linger, KeepAliveValues, KeepAliveOptions, Message,
  SendMsgOptions,
} from './index.js';
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
  const query = addrInfoArguments(node, service, hints);
  checkOptions(options);
  const lookup = native.getaddrinfoAsync(...query);
  if (options?.signal === undefined && options?.timeout === undefined) return lookup;
  return settleEarly(lookup, options, { syscall: 'getaddrinfo', address: node ?? undefined });
}

/**
 * Sends one datagram without blocking (it waits only if the send buffer is full).
 *
 * @throws WinsockError WSAEMSGSIZE, WSAEACCES for a broadcast without SO_BROADCAST, ...
 */
export async function sendto(s: SOCKET, data: SendData, address: string, port: number, options?: TransferOptions): Promise<number>;
export async function sendto(s: SOCKET, data: SendData, address: Exclude<AddressLike, string>, options?: TransferOptions): Promise<number>;
export async function sendto(
  s: SOCKET,
  data: SendData,
  address: AddressLike,
  portOrOptions?: number | TransferOptions,
  maybeOptions?: TransferOptions,
): Promise<number> {
  const options = typeof address === 'string' ? maybeOptions : (portOrOptions as TransferOptions | undefined);
  const [host, port] = splitAddressAndFlags(address, typeof address === 'string' ? (portOrOptions as number) : undefined);
  checkOptions(options);
  const bytes = toBytes(data);
  const flags = options?.flags ?? 0;
  const attempt = (): number | null => native.trySendTo(s, bytes, host, port, flags);
  if (isIdle(s, WRITABLE)) {
    const sent = attempt();
    if (sent !== null) return sent;
  }
  return waitFor(s, WRITABLE, attempt, { syscall: 'sendto', address: host, port }, options);
}

/** Receives one datagram of up to `length` bytes, waiting without blocking; with the sender's address. */
export async function recvfrom(s: SOCKET, length: number, options?: TransferOptions): Promise<Datagram> {
  checkOptions(options);
  const flags = options?.flags ?? 0;
  const attempt = (): Datagram | null => native.tryRecvFrom(s, length, flags);
  if (isIdle(s, READABLE)) {
    const received = attempt();
    if (received !== null) return received;
  }
  return waitFor(s, READABLE, attempt, { syscall: 'recvfrom' }, options);
}

/** Receives one datagram into `buf` (no copy), waiting without blocking; its length and the sender's address. */
export async function recvfromInto(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, options?: TransferOptions): Promise<DatagramInto> {
  checkOptions(options);
  const flags = options?.flags ?? 0;
  const attempt = (): DatagramInto | null => native.tryRecvFrom(s, buf, flags);
  if (isIdle(s, READABLE)) {
    const received = attempt();
    if (received !== null) return received;
  }
  return waitFor(s, READABLE, attempt, { syscall: 'recvfrom' }, options);
}

/** `recvmsg` without blocking: one datagram with its sender and packet info (see `enablePacketInfo`). */
export async function recvmsg(s: SOCKET, length: number, options?: TransferOptions): Promise<Message> {
  checkOptions(options);
  const flags = options?.flags ?? 0;
  const attempt = (): Message | null => native.tryRecvMsg(s, length, flags);
  if (isIdle(s, READABLE)) {
    const received = attempt();
    if (received !== null) return received;
  }
  return waitFor(s, READABLE, attempt, { syscall: 'recvmsg' }, options);
}

/** `sendmsg` without blocking: one datagram, optionally from a chosen local address and interface. */
export async function sendmsg(
  s: SOCKET,
  data: SendData,
  address: string,
  port: number,
  options?: SendMsgOptions & AsyncOptions,
): Promise<number> {
  checkOptions(options);
  const bytes = toBytes(data);
  const attempt = (): number | null =>
    native.trySendMsg(s, bytes, address, port, options?.flags ?? 0, options?.localAddress, options?.interfaceIndex);
  if (isIdle(s, WRITABLE)) {
    const sent = attempt();
    if (sent !== null) return sent;
  }
  return waitFor(s, WRITABLE, attempt, { syscall: 'sendmsg', address, port }, options);
}

/**
 * `select` on the event loop: resolves when a socket is ready, or with a count of 0 after `timeout` ms (null: no
 * limit). It waits on each socket's readiness like the other async calls; while it waits it is queued with them, so
 * a `recv` on a socket it watches for reading completes after it.
 */
export async function select(
  readfds: readonly SOCKET[] | null,
  writefds: readonly SOCKET[] | null,
  exceptfds: readonly SOCKET[] | null,
  timeout: number | null = null,
  options?: AsyncOptions,
): Promise<SelectResult> {
  checkOptions(options);
  const poll = (): SelectResult => native.select(readfds, writefds, exceptfds, 0);
  const now = poll();
  if (now.count > 0 || timeout === 0) return now;
  // A failed connect (exceptfds) is reported by uv_poll as writable on every OS.
  const watches: [SOCKET, number][] = [
    ...(readfds ?? []).map((s): [SOCKET, number] => [s, READABLE]),
    ...(writefds ?? []).map((s): [SOCKET, number] => [s, WRITABLE]),
    ...(exceptfds ?? []).map((s): [SOCKET, number] => [s, WRITABLE]),
  ];
  const empty: SelectResult = { count: 0, read: [], write: [], except: [] };
  return waitForAny(watches, () => {
    const result = poll();
    return result.count > 0 ? result : null;
  }, 'select', timeout, empty, options);
}

/**
 * `WSAPoll` on the event loop: resolves with the count of entries whose `revents` are set, or 0 after `timeout` ms
 * (null or negative: no limit). Waits as `select` does.
 */
export async function WSAPoll(fds: PollFd[], timeout: number | null = null, options?: AsyncOptions): Promise<number> {
  checkOptions(options);
  const poll = (): number => native.WSAPoll(fds, 0);
  const now = poll();
  if (now > 0 || timeout === 0) return now;
  const readable = POLLIN | POLLRDNORM | POLLRDBAND;
  const writable = POLLOUT | POLLWRNORM | POLLWRBAND;
  const watches: [SOCKET, number][] = [];
  for (const fd of fds) {
    if (fd.events & readable) watches.push([fd.socket, READABLE]);
    if (fd.events & writable) watches.push([fd.socket, WRITABLE]);
  }
  return waitForAny(watches, () => {
    const count = poll();
    return count > 0 ? count : null;
  }, 'WSAPoll', timeout !== null && timeout < 0 ? null : timeout, 0, options);
}

/** Waits on several sockets at once until `attempt` gives a value, `timeout` passes (`onTimeout`), or abort. */
function waitForAny<T>(
  watches: [SOCKET, number][],
  attempt: () => T | null,
  syscall: string,
  timeout: number | null,
  onTimeout: T,
  options: AsyncOptions | undefined,
): Promise<T> {
  const others = new AbortController(); // takes the other sockets' waits out of their queues when one settles
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      options?.signal?.removeEventListener('abort', onAbort);
      others.abort();
      finish();
    };
    const onAbort = (): void => settle(() => reject(abortError(options!.signal!)));
    const timer = timeout === null ? undefined : setTimeout(() => settle(() => resolve(onTimeout)), timeout);
    options?.signal?.addEventListener('abort', onAbort, { once: true });
    for (const [s, direction] of watches) {
      waitFor(s, direction, attempt, { syscall }, { signal: others.signal }).then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    }
  });
}

/** `getnameinfo` on the libuv threadpool. Abort and timeout settle the promise at once. */
export async function getnameinfo(address: string, port: number, flags?: number, options?: AsyncOptions): Promise<NameInfo>;
export async function getnameinfo(address: Exclude<AddressLike, string>, flags?: number, options?: AsyncOptions): Promise<NameInfo>;
export async function getnameinfo(
  address: AddressLike,
  second?: number,
  third?: number | AsyncOptions,
  fourth?: AsyncOptions,
): Promise<NameInfo> {
  const options = typeof address === 'string' ? fourth : (third as AsyncOptions | undefined);
  const [host, port, flags] =
    typeof address === 'string' ? splitAddressAndFlags(address, second, third as number | undefined) : splitAddressAndFlags(address, second);
  checkOptions(options);
  const lookup = native.getnameinfoAsync(host, port, flags);
  if (options?.signal === undefined && options?.timeout === undefined) return lookup;
  return settleEarly(lookup, options, { syscall: 'getnameinfo', address: host });
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
