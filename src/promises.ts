// winsock/promises: the calls that can block, as promises on the Node event loop. Each call tries the syscall at
// once and waits for readiness (uv_poll) only when Winsock answers WSAEWOULDBLOCK; nothing ever blocks the event
// loop or a threadpool thread on a socket. getaddrinfo runs on the libuv threadpool.
//
// A socket used here becomes nonblocking for good, as Winsock's FIONBIO makes it: a synchronous call on it then
// fails with WSAEWOULDBLOCK where it would have blocked, exactly as Winsock's does.
import { setMaxListeners } from 'node:events';

import type { AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SOCKET } from './types.js';
import type { Datagram, DatagramInto } from './datagrams.js';
import type { NameInfo } from './names.js';
import type { Message, SendMsgOptions } from './extensions.js';
import type { PollFd, SelectResult } from './select.js';
import { POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND, POLLWRNORM } from './constants.js';
import { native, type NativeCallback } from './native.js';
import { SEND, StreamSend, annotateSend, attemptSend, recvStream } from './stream-calls.js';
import { addrInfoArguments, byteLengthOf, checkTimeoutType, isUint8Array, splitAddress, splitAddressAndFlags, toBytes } from './arguments.js';
import { WSAEINTR, WSAETIMEDOUT } from './constants.js';
import { WinsockError } from './errors.js';
import { abortError, listenForAbort } from './abort.js';
import { failWithinBudget, resolveWithinBudget } from './fairness.js';
import {
  PRIORITIZED, READABLE, WRITABLE, attemptOrWait, canWatchPrioritized, checkOptions, checkTimeout,
  mayArm, stateOf, waitFor, waitForCall, type AsyncOptions, type CallSite, type CheckedOptions, type TransferOptions, type TryCall,
} from './readiness.js';

export type { AsyncOptions, TransferOptions } from './readiness.js';
export {
  startup, cleanup, getLastError, socket, bind, listen, shutdown, closesocket, getsockname, getpeername,
  setsockopt, getsockopt, setOption, getOption, addMembership, dropMembership, ioctlsocket, WSAIoctl,
  gethostname, inet_pton, inet_ntop, setKeepAlive, setUserTimeout, getUserTimeout, setTOS, getTOS, nativeHandle,
  share, fromShare, sendSocket, receiveSocket, enablePacketInfo,
  WSAStartup, WSACleanup, WSAGetLastError, SOCKET, WinsockError,
} from './index.js';
export type {
  AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SockAddr, UnixAddress, WSAData, Datagram, DatagramInto, NameInfo,
  PollFd, SelectResult, SocketOptions, SocketOptionName, Linger, KeepAliveValues, KeepAliveOptions, Message,
  PassSocketOptions, SendMsgOptions,
} from './index.js';
export * from './constants.js';


/** A `send` that failed or was aborted part-way: `bytesWritten` bytes had been handed to the kernel. */
export interface PartialSendError extends Error {
  /** How many bytes of the data had been handed to the kernel when the call failed or was aborted. */
  bytesWritten: number;
}

// The try* calls a round trip makes, bound once: the first try needs no closure (one is made only when the call has
// to wait).
const tryRecvInto = native.tryRecv.bind(native) as TryCall<ArrayBufferView | ArrayBuffer, number, number>;
const RECV: CallSite = { syscall: 'recv' };

/**
 * Accepts one connection, waiting without blocking until a client connects.
 *
 * @throws WinsockError WSAEINVAL when `s` is not listening; WSAEINTR when `s` is closed while waiting;
 * WSAETIMEDOUT after `options.timeout`
 */
export function accept(s: SOCKET, options?: AsyncOptions): Promise<AcceptResult> {
  try {
    const checked = checkOptions(options);
    return attemptOrWait(s, READABLE, (id) => native.tryAccept(id), { syscall: 'accept' }, checked);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Connects without blocking: `connect(s, '127.0.0.1', 27015, { timeout: 5000 })` or `connect(s, addrinfo, opts)`.
 *
 * @throws WinsockError WSAECONNREFUSED (10061), WSAETIMEDOUT after `options.timeout`, WSAEINTR when closed while
 * connecting. After an abort or timeout the socket's state is undefined, as in Winsock: close it.
 */
export function connect(s: SOCKET, address: string, port: number, options?: AsyncOptions): Promise<void>;
export function connect(s: SOCKET, address: Exclude<AddressLike, string>, options?: AsyncOptions): Promise<void>;
export function connect(
  s: SOCKET,
  address: AddressLike,
  portOrOptions?: number | AsyncOptions,
  maybeOptions?: AsyncOptions,
): Promise<void> {
  let tried = false;
  try {
    const options = typeof address === 'string' ? maybeOptions : (portOrOptions as AsyncOptions | undefined);
    const [host, port] = splitAddress(address, typeof address === 'string' ? (portOrOptions as number) : undefined);
    const checked = checkOptions(options);
    const state = stateOf(s);
    tried = true;
    // Within the budget like every call that completes or fails at once (src/fairness.ts): a loop of connects
    // refused at once (WSAEISCONN) never yielded to the event loop.
    if (native.tryConnect(state.id, host, port)) return resolveWithinBudget(undefined);
    const site = { syscall: 'connect', address: host, port };
    const finished = (id: number): undefined | null => (native.connectResult(id, host, port) ? undefined : null);
    return waitFor(state, WRITABLE, finished, site, checked);
  } catch (error) {
    return tried ? failWithinBudget(error) : Promise.reject(error);
  }
}

/**
 * Sends every byte of `data`, waiting for buffer space as often as needed, and resolves with the byte count once
 * all of it has been handed to the kernel. Concurrent sends on one socket never interleave: each keeps its place
 * until all its bytes are out. If the call fails, times out or is aborted part-way, the error carries
 * `bytesWritten` ({@link PartialSendError}); `options.timeout` covers the whole call.
 *
 * @throws WinsockError WSAECONNRESET (10054) when the peer reset the connection, WSAESHUTDOWN, WSAENOTCONN, ...
 */
export function send(s: SOCKET, data: SendData, options?: TransferOptions): Promise<number> {
  // sendNowOrLater's steps, written out: a promise here costs less than that function's number-or-promise result.
  let transfer: StreamSend | undefined;
  let tried = false;
  try {
    const checked = checkOptions(options);
    const state = stateOf(s);
    // byteLength read once, and through byteLengthOf: V8 reached that getter here through a generic property load
    // and a call, about 180 instructions a read (callgrind), and toBytes' own check of it was a second. isUint8Array,
    // not instanceof, which a forged prototype or a Proxy passes and byteLengthOf then throws for without a code.
    let length = isUint8Array(data) ? byteLengthOf(data) : 0;
    let bytes = data as Uint8Array;
    if (length === 0) {
      bytes = toBytes(data);
      length = byteLengthOf(bytes);
    }
    if (state.writers.length === 0) {
      // The first try needs no StreamSend: most sends go whole at once. One is made only to carry on.
      tried = true;
      const sent = native.trySend(state.id, bytes, checked.flags);
      if (sent === length) return resolveWithinBudget(sent);
      transfer = new StreamSend(bytes, checked.flags, sent ?? 0);
    } else {
      transfer = new StreamSend(bytes, checked.flags, 0);
    }
    return waitForCall(state, WRITABLE, attemptSend, transfer, undefined, SEND, checked);
  } catch (error) {
    if (transfer !== undefined) transfer.annotate(error);
    else if (tried) annotateSend(error, 0); // the first try failed: nothing was sent
    return tried ? failWithinBudget(error) : Promise.reject(error);
  }
}

/**
 * Receives up to `length` bytes, waiting without blocking until some arrive. An empty Buffer means the peer
 * closed the connection gracefully. As with Node's own reads, a small Buffer may view part of a larger, shared
 * ArrayBuffer (Buffer.allocUnsafe's pool): mind `byteOffset` when using its `.buffer`.
 *
 * @throws WinsockError WSAECONNRESET, WSAENOTCONN, WSAEINTR when `s` is closed while waiting, WSAETIMEDOUT, ...
 */
export function recv(s: SOCKET, length: number, options?: TransferOptions): Promise<Buffer> {
  try {
    return recvStream(s, length, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Receives into `buf` (no copy), waiting without blocking until some bytes arrive; resolves with the count, 0 when
 * the peer closed the connection gracefully.
 */
export function recvInto(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, options?: TransferOptions): Promise<number> {
  let tried = false;
  try {
    const checked = checkOptions(options);
    const state = stateOf(s);
    if (state.readers.length !== 0) return waitForCall(state, READABLE, tryRecvInto, buf, checked.flags, RECV, checked);
    // A call that cannot leave its queue early (no signal, no timeout) is armed: if it must wait, the addon reads
    // for it at the readiness event, with no call back into the addon from JavaScript (native.ts, tryRecv).
    tried = true;
    const received = native.tryRecv(state.id, buf, checked.flags, mayArm(checked));
    if (received !== null) return resolveWithinBudget(received);
    return waitForCall(state, READABLE, tryRecvInto, buf, checked.flags, RECV, checked);
  } catch (error) {
    return tried ? failWithinBudget(error) : Promise.reject(error);
  }
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
  const checked = checkOptions(options);
  const lookup = fromCallback<AddrInfo[]>((callback) => native.getaddrinfoAsync(...query, callback));
  return settleEarly(lookup, checked, { syscall: 'getaddrinfo', address: node ?? undefined });
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
  const [host, port] = splitAddress(address, typeof address === 'string' ? (portOrOptions as number) : undefined);
  const checked = checkOptions(options);
  const bytes = toBytes(data);
  const attempt = (id: number): number | null => native.trySendTo(id, bytes, host, port, checked.flags);
  return attemptOrWait(s, WRITABLE, attempt, { syscall: 'sendto', address: host, port }, checked);
}

/** Receives one datagram of up to `length` bytes, waiting without blocking; with the sender's address. */
export async function recvfrom(s: SOCKET, length: number, options?: TransferOptions): Promise<Datagram> {
  const checked = checkOptions(options);
  return attemptOrWait(s, READABLE, (id) => native.tryRecvFrom(id, length, checked.flags), { syscall: 'recvfrom' }, checked);
}

/** Receives one datagram into `buf` (no copy), waiting without blocking; its length and the sender's address. */
export async function recvfromInto(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, options?: TransferOptions): Promise<DatagramInto> {
  const checked = checkOptions(options);
  return attemptOrWait(s, READABLE, (id) => native.tryRecvFrom(id, buf, checked.flags), { syscall: 'recvfrom' }, checked);
}

/** `recvmsg` without blocking: one datagram with its sender and packet info (see `enablePacketInfo`). */
export async function recvmsg(s: SOCKET, length: number, options?: TransferOptions): Promise<Message> {
  const checked = checkOptions(options);
  return attemptOrWait(s, READABLE, (id) => native.tryRecvMsg(id, length, checked.flags), { syscall: 'recvmsg' }, checked);
}

/** `sendmsg` without blocking: one datagram, optionally from a chosen local address and interface. */
export async function sendmsg(
  s: SOCKET,
  data: SendData,
  address: string,
  port: number,
  options?: SendMsgOptions & AsyncOptions,
): Promise<number>;
export async function sendmsg(
  s: SOCKET,
  data: SendData,
  address: Exclude<AddressLike, string>,
  options?: SendMsgOptions & AsyncOptions,
): Promise<number>;
export async function sendmsg(
  s: SOCKET,
  data: SendData,
  address: AddressLike,
  portOrOptions?: number | (SendMsgOptions & AsyncOptions),
  maybeOptions?: SendMsgOptions & AsyncOptions,
): Promise<number> {
  const options = typeof address === 'string' ? maybeOptions : (portOrOptions as (SendMsgOptions & AsyncOptions) | undefined);
  const [host, port] = splitAddress(address, typeof address === 'string' ? (portOrOptions as number) : undefined);
  const checked = checkOptions(options);
  const { localAddress, interfaceIndex } = options ?? {};
  const bytes = toBytes(data);
  const attempt = (id: number): number | null => native.trySendMsg(id, bytes, host, port, checked.flags, localAddress, interfaceIndex);
  return attemptOrWait(s, WRITABLE, attempt, { syscall: 'sendmsg', address: host, port }, checked);
}

/**
 * `select` on the event loop: resolves when a socket is ready, or with a count of 0 after `timeout` ms (null: no
 * limit). It waits on each socket's readiness like the other async calls; while it waits it is queued with them, so
 * a `recv` on a socket it watches for reading completes after it. Sockets in `exceptfds` are waited on for
 * out-of-band data and error conditions alone (POLLPRI; a failed connect shows there, and only there, as on
 * Windows), so ordinary data does not wake the wait: on POSIX through the event loop, on Windows (where libuv cannot
 * wait for them) by a poll every 100 ms (less often when a poll costs more). A socket closed while the call waits is
 * reported ready in the sets that list it, as Windows' `select` reports it (never WSAEINTR, unlike the other calls).
 */
export async function select(
  readfds: readonly SOCKET[] | null,
  writefds: readonly SOCKET[] | null,
  exceptfds: readonly SOCKET[] | null,
  timeout: number | null = null,
  options?: AsyncOptions,
): Promise<SelectResult> {
  if (timeout !== null) checkTimeout(timeout, 'timeout', true);
  const checked = checkOptions(options);
  const poll = (): SelectResult => native.select(readfds, writefds, exceptfds, 0);
  const now = answerNow(poll);
  if (now instanceof Promise) return now;
  if (now.count > 0 || timeout === 0) return resolveWithinBudget(now);
  const watches: [SOCKET, number][] = [
    ...(readfds ?? []).map((s): [SOCKET, number] => [s, READABLE]),
    ...(writefds ?? []).map((s): [SOCKET, number] => [s, WRITABLE]),
    ...(exceptfds ?? []).map((s): [SOCKET, number] => [s, PRIORITIZED]),
  ];
  const empty: SelectResult = { count: 0, read: [], write: [], except: [] };
  const closed = (s: SOCKET): SelectResult => {
    const pick = (set: readonly SOCKET[] | null): SOCKET[] => (set?.includes(s) ? [s] : []);
    const result = { read: pick(readfds), write: pick(writefds), except: pick(exceptfds) };
    return { count: result.read.length + result.write.length + result.except.length, ...result };
  };
  return waitForAny(watches, () => {
    const result = poll();
    return result.count > 0 ? result : null;
  }, 'select', timeout, empty, closed, checked);
}

/**
 * `WSAPoll` on the event loop: resolves with the count of entries whose `revents` are set, or 0 after `timeout` ms
 * (null or negative: no limit). Waits as `select` does: normal reads and writes on the event loop; priority-band
 * events (POLLPRI, POLLRDBAND, POLLWRBAND), and an entry asking for none (it still gets the errors and hang-ups
 * WSAPoll always reports), as `select`'s `exceptfds`. A socket closed while the call waits gets `revents` POLLNVAL
 * (the other entries 0), as Windows' WSAPoll answers, never WSAEINTR.
 */
export async function WSAPoll(fds: PollFd[], timeout: number | null = null, options?: AsyncOptions): Promise<number> {
  checkTimeoutType(timeout);
  const limit = timeout !== null && timeout < 0 ? null : timeout;
  if (limit !== null) checkTimeout(limit, 'timeout', true);
  const checked = checkOptions(options);
  const poll = (): number => native.WSAPoll(fds, 0);
  const now = answerNow(poll);
  if (now instanceof Promise) return now;
  if (now > 0 || limit === 0) return resolveWithinBudget(now);
  // Winsock's POLLIN includes POLLRDBAND: the band bits are taken out of the normal ones, which libuv can wait for.
  const band = POLLPRI | POLLRDBAND | POLLWRBAND;
  const readable = (POLLIN | POLLRDNORM) & ~band;
  const writable = (POLLOUT | POLLWRNORM) & ~band;
  const watches: [SOCKET, number][] = [];
  for (const fd of fds) {
    if (fd.events & writable) watches.push([fd.socket, WRITABLE]);
    if (fd.events & readable) watches.push([fd.socket, READABLE]);
    if (fd.events & band || !(fd.events & (readable | writable))) watches.push([fd.socket, PRIORITIZED]);
  }
  const closed = (s: SOCKET): number => {
    for (const fd of fds) fd.revents = fd.socket === s ? POLLNVAL : 0;
    return fds.filter((fd) => fd.socket === s).length;
  };
  return waitForAny(watches, () => {
    const count = poll();
    return count > 0 ? count : null;
  }, 'WSAPoll', limit, 0, closed, checked);
}

/**
 * select's and WSAPoll's first poll, which answers at once when a socket is ready (or the timeout is 0): its
 * value, or a promise of what it failed with, delivered within the budget (src/fairness.ts). Neither was under it:
 * `for (;;) await select([s], null, null, 0)`, or a select loop whose peer always had data, never let a timer run.
 */
function answerNow<T>(poll: () => T): T | Promise<never> {
  try {
    return poll();
  } catch (error) {
    return failWithinBudget(error);
  }
}

/**
 * How often a wait for out-of-band data or an error condition alone polls where the event loop cannot wait for them
 * (Windows: libuv's poll has no UV_PRIORITIZED there): 10 times a second at most, and never more than a 1/40 share of
 * the loop. A poll is not free (under Wine on a loaded machine one took up to 3 ms, and each wakeup of the loop more),
 * so the pause after each one is at least 40 times what it cost: a bounded cost, never a spin. The price is latency:
 * out-of-band data, or a failed connect watched in exceptfds alone, is seen up to 100 ms late there.
 */
const PRIORITY_POLL_MS = 100;
const PRIORITY_POLL_COST_SHARE = 40;

/**
 * Waits on several sockets at once until `attempt` gives a value, `timeout` passes (`onTimeout`), a socket is closed
 * (`onClosed`), or abort.
 */
function waitForAny<T>(
  watches: [SOCKET, number][],
  attempt: () => T | null,
  syscall: string,
  timeout: number | null,
  onTimeout: T,
  onClosed: (s: SOCKET) => T,
  options: CheckedOptions,
): Promise<T> {
  const others = new AbortController(); // takes the other sockets' waits out of their queues when one settles
  setMaxListeners(0, others.signal); // one listener per socket waited on: any number is expected, none leaks
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poller: ReturnType<typeof setTimeout> | undefined;
    let stopListening: (() => void) | undefined;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      finish();
      if (timer !== undefined) clearTimeout(timer);
      if (poller !== undefined) clearTimeout(poller);
      stopListening?.();
      others.abort();
    };
    // First: a signal that refuses the listener rejects the call before anything waits.
    if (signal !== undefined) stopListening = listenForAbort(signal, () => settle(() => reject(abortError(signal))));
    if (timeout !== null) timer = setTimeout(() => settle(() => resolve(onTimeout)), timeout);
    const inner: CheckedOptions = { signal: others.signal, timeout: undefined, flags: 0 };
    const pollInstead = !canWatchPrioritized && watches.some(([, direction]) => direction === PRIORITIZED);
    if (pollInstead) {
      const pollOnce = (): void => {
        // The global performance, not node:perf_hooks' import: that loaded the module at every import of this one
        // (about 2 ms of CPU per process) for a clock only this rare polling path reads.
        const began = performance.now();
        let value: T | null;
        try {
          value = attempt();
        } catch (error) {
          settle(() => reject(error));
          return;
        }
        if (value !== null) return settle(() => resolve(value));
        if (settled) return;
        const cost = performance.now() - began;
        poller = setTimeout(pollOnce, Math.max(PRIORITY_POLL_MS, cost * PRIORITY_POLL_COST_SHARE));
      };
      poller = setTimeout(pollOnce, PRIORITY_POLL_MS);
    }
    for (const [s, direction] of watches) {
      if (direction === PRIORITIZED && !canWatchPrioritized) continue; // the poller covers it
      waitFor(stateOf(s), direction, attempt, { syscall }, inner, false).then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => {
          // closesocket (or the last cleanup) cancels waits with WSAEINTR; select and WSAPoll answer instead.
          const closedMeanwhile = error instanceof WinsockError && error.errno === WSAEINTR;
          settle(() => (closedMeanwhile ? resolve(onClosed(s)) : reject(error)));
        },
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
  const checked = checkOptions(options);
  const lookup = fromCallback<NameInfo>((callback) => native.getnameinfoAsync(host, port, flags, callback));
  return settleEarly(lookup, checked, { syscall: 'getnameinfo', address: host });
}

/** The promise of a native call that reports to a callback (threadpool work). */
function fromCallback<T>(start: (callback: NativeCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, value) => (error === null ? resolve(value as T) : reject(error)));
  });
}

/** Races a promise that cannot be cancelled against the call's abort signal and timeout. */
function settleEarly<T>(work: Promise<T>, options: CheckedOptions, site: { syscall: string; address?: string | undefined }): Promise<T> {
  const { signal, timeout } = options;
  if (signal === undefined && timeout === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let stopListening: (() => void) | undefined;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      settle();
      if (timer !== undefined) clearTimeout(timer);
      stopListening?.();
    };
    if (signal !== undefined) stopListening = listenForAbort(signal, () => finish(() => reject(abortError(signal))));
    const expire = (): void => finish(() => reject(new WinsockError(WSAETIMEDOUT, site.syscall, site.address)));
    const timer = timeout === undefined ? undefined : setTimeout(expire, timeout);
    work.then((value) => finish(() => resolve(value)), (error: unknown) => finish(() => reject(error)));
  });
}
