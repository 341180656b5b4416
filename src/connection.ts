// Socket: one connected TCP socket over winsock/promises, with Node's names (write, end, close, for await,
// `await using`) and node:net's everyday options (noDelay, keepAlive, an idle timeout, ref/unref, Happy Eyeballs).
// The Socket owns one SOCKET; close() is idempotent and rejects whatever still waits with WSAEINTR.
import { isIP } from 'node:net';

import { checkHost, checkPort, invalidArgument, outOfRange } from './arguments.js';
import {
  WSAECONNABORTED, WSAECONNRESET, WSAENETRESET, WSAENOTCONN, WSAENOTSOCK, WSAESHUTDOWN, WSANOTINITIALISED,
} from './constants.js';
import { WinsockError } from './errors.js';
import { connectFirst, interleaveFamilies } from './happy-eyeballs.js';
import { resolveWithinBudget } from './fairness.js';
import {
  AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_TCP, SD_SEND, SOCK_STREAM,
  closesocket, getpeername, getsockname, nativeHandle, setKeepAlive as setKeepAliveValues, setOption, shutdown,
} from './index.js';
import { getaddrinfo, send, type AsyncOptions } from './promises.js';
import { READ, isArmedReadSize, readArmed, readStream, sendNowOrLater } from './stream-calls.js';
import {
  checkOptions, checkTimeout, endWaitingReads, hasWaitingReads, setKeepsLoopAlive, stateOf, type SocketState,
} from './readiness.js';
import { toDuplex, type SocketStream } from './stream.js';
import { connectPath } from './unix-sockets.js';
import type { AddrInfo, SOCKET, SockAddr, SendData } from './types.js';

/** node:net's options for a connection, taken by {@link Socket.connect}, by `Server.listen` for the connections it accepts, and by `new Socket`. */
export interface SocketOptions {
  /** TCP_NODELAY: send small writes at once instead of waiting to fill a segment (Nagle). Off by default, as in node:net. */
  noDelay?: boolean;
  /** SO_KEEPALIVE: probe an idle connection so a vanished peer is noticed. Off by default, as in node:net. */
  keepAlive?: boolean;
  /** With `keepAlive`: the idle time before the first probe, in milliseconds (whole seconds on POSIX); 0 keeps the OS's. */
  keepAliveInitialDelay?: number;
  /**
   * An idle timeout in milliseconds: a `read`, `write` or `end` that waits that long rejects with WSAETIMEDOUT
   * (10060). The connection stays open, as after node:net's 'timeout' event; 0 (the default) waits for ever.
   * A call's own `timeout` option wins over it.
   */
  idleTimeout?: number;
}

/** Options of {@link Socket.connect}. */
/** Options of {@link Socket.connect} for an AF_UNIX stream socket (the TCP options do not apply to it). */
export interface UnixConnectOptions extends AsyncOptions {
  /** The listener's path, or on Linux its abstract name (`'\0name'`). */
  path: string;
}

export interface ConnectOptions extends AsyncOptions, SocketOptions {
  /** AF_INET or AF_INET6 to try only that family; AF_UNSPEC (the default) tries every address. */
  family?: number;
  /**
   * Happy Eyeballs (RFC 8305), node:net's option of the same name and default: the addresses of a name are tried
   * IPv6 and IPv4 alternately, a new attempt starting every `autoSelectFamilyAttemptTimeout` ms while earlier ones
   * still wait, and the first to connect wins. False: one address after another, each until it fails.
   */
  autoSelectFamily?: boolean;
  /** Milliseconds between Happy Eyeballs attempts: 250 by default, at least 10 (as node:net). */
  autoSelectFamilyAttemptTimeout?: number;
}

const DEFAULT_READ_SIZE = 64 * 1024;
const DEFAULT_ATTEMPT_DELAY = 250;

/**
 * Errors that say the connection is gone: end() has nothing left to end then, and is quiet about it as node:net's
 * end() is (the peer's reset reaches the next read instead).
 */
const CONNECTION_GONE: ReadonlySet<number> = new Set([WSAECONNRESET, WSAECONNABORTED, WSAENETRESET, WSAENOTCONN, WSAESHUTDOWN]);

function isConnectionGone(error: unknown): boolean {
  return error instanceof WinsockError && CONNECTION_GONE.has(error.errno);
}

/**
 * The one address a numeric host stands for, without asking getaddrinfo (a trip to the threadpool per connection);
 * undefined for a name, and for an address of a family other than the one asked for, which getaddrinfo refuses.
 */
function numericAddress(host: string, port: number, family: number): AddrInfo[] | undefined {
  // A scope id (fe80::1%eth0) is getaddrinfo's to read.
  const version = host.includes('%') ? 0 : isIP(host);
  const found = version === 4 ? AF_INET : version === 6 ? AF_INET6 : undefined;
  if (found === undefined || (family !== AF_UNSPEC && family !== found)) return undefined;
  return [{ family: found, address: host, port, flags: 0, socktype: SOCK_STREAM, protocol: IPPROTO_TCP, canonname: null }];
}

function ignore(): void {}

/** What every write that sent all its bytes at once returns: a promise is immutable once settled. */
const WRITTEN: Promise<void> = Promise.resolve();

/**
 * Closes a Socket's or Server's SOCKET. It may be closed already without the object knowing: the last cleanup()
 * closes every socket, and the handle is public. close() then has nothing left to do, and must not throw
 * (`await using` calls it on the way out of a block).
 */
export function closeHandle(handle: SOCKET): void {
  try {
    closesocket(handle);
  } catch (error) {
    if (error instanceof WinsockError && (error.errno === WSAENOTSOCK || error.errno === WSANOTINITIALISED)) return;
    throw error;
  }
}

/**
 * A read's size: at least 1, since recv of 0 bytes returns 0 bytes, which `read` must keep for the end of the stream
 * (null), and at most what recv takes.
 */
function checkReadSize(size: unknown): asserts size is number {
  if (typeof size !== 'number') throw invalidArgument('size', 'of type number', size);
  if (!(Number.isInteger(size) && size >= 1 && size <= 2 ** 31 - 1)) throw outOfRange('size', 'an integer >= 1 and <= 2147483647', size);
}

/** Checks the {@link SocketOptions} up front, so a bad one is a TypeError/RangeError before any socket is made. */
export function checkSocketOptions(options: SocketOptions): void {
  const { noDelay, keepAlive, keepAliveInitialDelay, idleTimeout } = options;
  if (noDelay !== undefined && typeof noDelay !== 'boolean') throw invalidArgument('options.noDelay', 'of type boolean', noDelay);
  if (keepAlive !== undefined && typeof keepAlive !== 'boolean') throw invalidArgument('options.keepAlive', 'of type boolean', keepAlive);
  if (keepAliveInitialDelay !== undefined) checkDelay(keepAliveInitialDelay, 'options.keepAliveInitialDelay');
  if (idleTimeout !== undefined) checkTimeout(idleTimeout, 'options.idleTimeout');
}

function checkDelay(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidArgument(name, 'of type number', value);
  if (!(Number.isFinite(value) && value >= 0 && value <= 2 ** 31 - 1)) throw outOfRange(name, 'a number >= 0 and <= 2147483647', value);
}

/** What a write that waits settles through: each counts the write back ({@link Socket.idle}). */
interface WriteHandlers {
  readonly wrote: () => void;
  readonly wroteCount: (count: number) => number;
  readonly failed: (error: unknown) => never;
}

/** What the Server that accepted a Socket hears of it: that it closed (so it stops counting it). */
export interface ConnectionTracker {
  /** Called once, when `socket` closes. */
  closed(socket: Socket): void;
}

let trackHook: (socket: Socket, tracker: ConnectionTracker) => void;
let endHook: (socket: Socket) => void;

/** For the Server that accepted `socket`: it hears when the socket closes. */
export function trackConnection(socket: Socket, tracker: ConnectionTracker): void {
  trackHook(socket, tracker);
}

/** For the Server's closeIdleConnections(): closes `socket` so that a read waiting on it reads end of stream. */
export function endIdleConnection(socket: Socket): void {
  endHook(socket);
}

/** A connected TCP socket. */
export class Socket implements AsyncIterable<Buffer>, AsyncDisposable {
  #closed = false;
  /** Closed by its server's closeIdleConnections(): a read cut short then reads as the end of the stream. */
  #endedByServer = false;
  #writing = 0;
  #idleTimeout = 0;
  /** The options every call without its own `timeout` gets: `{ timeout: idleTimeout }`, made once per setTimeout. */
  #idleOptions: AsyncOptions | undefined = undefined;
  #tracker: ConnectionTracker | undefined = undefined;
  /** The last `write`/`sendAll`: a socket's sends complete in order, so `end()` waits for this one to shut down after all. */
  #lastWrite: Promise<unknown> | undefined = undefined;
  #writeHandlers: WriteHandlers | undefined = undefined;
  /** The readiness layer's state of `handle` (stateOf), taken at the first read or write: a field load after that. */
  #state: SocketState | undefined = undefined;

  /** The SOCKET this Socket owns, for the 1:1 API (`setOption(socket.handle, ...)`). */
  readonly handle: SOCKET;

  /**
   * Wraps a connected SOCKET (from the 1:1 API); the Socket owns it from now on.
   *
   * @throws WinsockError when an option cannot be set (the socket is then left open: it is still the caller's)
   */
  constructor(handle: SOCKET, options: SocketOptions = {}) {
    this.handle = handle;
    if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
    checkSocketOptions(options);
    const { noDelay, keepAlive, keepAliveInitialDelay = 0, idleTimeout } = options;
    if (noDelay !== undefined) this.setNoDelay(noDelay);
    if (keepAlive !== undefined) this.setKeepAlive(keepAlive, keepAliveInitialDelay);
    if (idleTimeout !== undefined) this.setTimeout(idleTimeout);
  }

  /**
   * Connects to `host`:`port`: a numeric address at once, a name through getaddrinfo. With `autoSelectFamily` (the
   * default) its addresses are raced Happy Eyeballs style; without, tried in order as the tutorial's client does.
   *
   * @throws TypeError (ERR_INVALID_ARG_TYPE) when `host` is not a string or `port` not a number; RangeError
   * (ERR_OUT_OF_RANGE) for a port that is not an integer from 0 to 65535
   * @throws WinsockError the last address's error (WSAECONNREFUSED, WSAETIMEDOUT after `options.timeout`, ...),
   * WSAHOST_NOT_FOUND for an unknown host; an AbortError when `options.signal` aborts
   */
  static async connect(host: string, port: number, options?: ConnectOptions): Promise<Socket>;
  /** Connects an AF_UNIX stream socket to `options.path` (docs/unix-sockets.md). */
  static async connect(options: UnixConnectOptions): Promise<Socket>;
  static async connect(host: string | UnixConnectOptions, port?: number, options: ConnectOptions = {}): Promise<Socket> {
    if (typeof host === 'object' && host !== null) {
      const { path, ...waiting } = host;
      return new Socket(await connectPath(path, waiting));
    }
    checkHost(host);
    checkPort(port);
    if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
    checkSocketOptions(options);
    const {
      family = AF_UNSPEC, autoSelectFamily = true, autoSelectFamilyAttemptTimeout = DEFAULT_ATTEMPT_DELAY,
      noDelay, keepAlive, keepAliveInitialDelay, idleTimeout, ...waiting
    } = options;
    checkDelay(autoSelectFamilyAttemptTimeout, 'options.autoSelectFamilyAttemptTimeout');
    const addresses = numericAddress(host, port, family) ??
      (await getaddrinfo(host, port, { family, socktype: SOCK_STREAM, protocol: IPPROTO_TCP }, waiting));
    const ordered = autoSelectFamily ? interleaveFamilies(addresses) : addresses;
    const attemptDelay = autoSelectFamily ? Math.max(10, autoSelectFamilyAttemptTimeout) : undefined;
    const s = await connectFirst(ordered, attemptDelay, waiting, host, port);
    try {
      return new Socket(s, { noDelay, keepAlive, keepAliveInitialDelay, idleTimeout });
    } catch (error) {
      closesocket(s);
      throw error;
    }
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The OS's handle (Windows SOCKET, POSIX fd) as a bigint, for interop. `handle` stays the opaque SOCKET: a raw
   * number can be reused by another socket once this one closes, an object cannot.
   */
  get nativeHandle(): bigint {
    return nativeHandle(this.handle);
  }

  /** This end's address. */
  get localAddress(): SockAddr {
    return getsockname(this.handle);
  }

  /** The peer's address. */
  get remoteAddress(): SockAddr {
    return getpeername(this.handle);
  }

  /**
   * True while a read waits on the socket (a `read`, or a winsock/promises call on `handle`) and no `write` or `end`
   * is under way: the connection waits for its peer, with nothing of its own to finish. What a Server's
   * `closeIdleConnections()` closes.
   */
  get idle(): boolean {
    return !this.#closed && hasWaitingReads(this.handle) && this.#writing === 0;
  }

  /** Sends every byte of `data`; resolves once all of it is handed to the kernel. */
  write(data: SendData, options?: AsyncOptions): Promise<void> {
    let sent: number | Promise<number>;
    try {
      let state = this.#state;
      if (state === undefined) {
        state = stateOf(this.handle);
        // Not kept once the server ended the connection: read()'s short path takes a known state for an open one's.
        if (!this.#endedByServer) this.#state = state;
      }
      sent = sendNowOrLater(state, data, this.#withIdleTimeout(options));
    } catch (error) {
      return Promise.reject(error);
    }
    // All of it went at once: nothing was under way, and one settled promise serves every such write.
    if (typeof sent === 'number') return WRITTEN;
    // Handlers made once per Socket, not per call: one promise more per write that waits.
    this.#writing++;
    const handlers = this.#writeHandlers ?? this.#makeWriteHandlers();
    const written = sent.then(handlers.wrote, handlers.failed);
    this.#lastWrite = written; // end() waits for it
    return written;
  }

  /** Like `write`, and resolves with the number of bytes sent. */
  sendAll(data: SendData, options?: AsyncOptions): Promise<number> {
    this.#writing++;
    const handlers = this.#writeHandlers ?? this.#makeWriteHandlers();
    const written = send(this.handle, data, this.#withIdleTimeout(options)).then(handlers.wroteCount, handlers.failed);
    this.#lastWrite = written;
    return written;
  }

  /**
   * Reads what has arrived, up to `size` bytes (64 KiB by default); null when the peer has ended its side.
   *
   * Rejects with a TypeError (ERR_INVALID_ARG_TYPE) when `size` is not a number, a RangeError (ERR_OUT_OF_RANGE)
   * unless it is an integer from 1 to 2^31 - 1: a read of 0 bytes comes back empty, which `read` reports as the end of the stream.
   */
  read(size: number = DEFAULT_READ_SIZE, options?: AsyncOptions): Promise<Buffer | null> {
    // The common read in as little code as V8 inlines into the caller: no options, a small size, the state known.
    // The state is dropped when the server ends the connection, so such a read takes the checked path.
    const state = this.#state;
    if (state !== undefined && options === undefined && this.#idleOptions === undefined && isArmedReadSize(size)) return readArmed(state, size);
    return this.#readChecked(size, options);
  }

  /** {@link read}, every case: the arguments checked, the state looked up. */
  #readChecked(size: number, options: AsyncOptions | undefined): Promise<Buffer | null> {
    try {
      checkReadSize(size);
      // Closed by the server's closeIdleConnections(): to the reader, as if the peer had ended, and within the
      // budget as a read at a peer's end is (src/fairness.ts): `for (;;) await read()` must still yield to the loop.
      // Its options are checked still: a bad one is a TypeError/RangeError in every state.
      if (this.#endedByServer) {
        checkOptions(options);
        return resolveWithinBudget(null);
      }
      this.#state ??= stateOf(this.handle);
      return readStream(this.#state, this.handle, size, this.#withIdleTimeout(options));
    } catch (error) {
      return Promise.reject(error); // as recv's own argument errors: a rejection, never a throw
    }
  }

  /**
   * The handlers of the writes that wait, made at the first one: a connection that only waits to read (a server's
   * idle connections) never carries them (three closures, 168 bytes of heap each connection).
   */
  #makeWriteHandlers(): WriteHandlers {
    this.#writeHandlers = {
      wrote: () => {
        this.#writing--;
      },
      wroteCount: (count) => {
        this.#writing--;
        return count;
      },
      failed: (error) => {
        this.#writing--;
        throw error;
      },
    };
    return this.#writeHandlers;
  }

  /**
   * Waits for the writes already under way (`write(x); end()` sends all of `x`, as in node:net), sends `data` if
   * given, then ends this side (shutdown SD_SEND): the peer reads end of stream. A connection
   * already gone (reset by the peer, or closed by the server's `closeIdleConnections()`) has nothing left to end:
   * end() then resolves quietly, as node:net's does; the reset is reported by the next read.
   */
  async end(data?: SendData, options?: AsyncOptions): Promise<void> {
    if (this.#endedByServer) return;
    this.#writing++;
    try {
      // `write(data); end()` without waiting for the write (node:net's usual way): shutting down at once would cut
      // that write short (WSAESHUTDOWN, the rest never sent). Its own failure is reported by its own promise.
      if (this.#lastWrite !== undefined) await this.#lastWrite.then(ignore, ignore);
      if (data !== undefined) await send(this.handle, data, this.#withIdleTimeout(options));
      shutdown(this.handle, SD_SEND);
    } catch (error) {
      if (!isConnectionGone(error)) throw error;
    } finally {
      this.#writing--;
    }
  }

  /** Closes the socket; calls still waiting reject with WSAEINTR. Closing again (or after cleanup()) does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      closeHandle(this.handle);
    } finally {
      this.#tracker?.closed(this);
    }
  }

  /** TCP_NODELAY: true sends each write at once (no Nagle delay); node:net's `setNoDelay`. */
  setNoDelay(noDelay = true): this {
    setOption(this.handle, 'TCP_NODELAY', noDelay);
    return this;
  }

  /**
   * SO_KEEPALIVE on or off; with `initialDelay` (ms) > 0 also the idle time before the first probe, one probe a
   * second after that (SIO_KEEPALIVE_VALS on Windows, TCP_KEEPIDLE/TCP_KEEPINTVL on POSIX). node:net's `setKeepAlive`.
   */
  setKeepAlive(enable = false, initialDelay = 0): this {
    checkDelay(initialDelay, 'initialDelay');
    if (enable && initialDelay > 0) setKeepAliveValues(this.handle, { idleMs: initialDelay, intervalMs: 1000 });
    else setOption(this.handle, 'SO_KEEPALIVE', Boolean(enable));
    return this;
  }

  /**
   * The idle timeout in milliseconds: from now on a `read`, `write` or `end` that waits longer rejects with
   * WSAETIMEDOUT, and the socket stays open. 0 turns it off.
   */
  setTimeout(ms: number): this {
    checkTimeout(ms, 'ms');
    this.#idleTimeout = ms;
    this.#idleOptions = ms > 0 ? Object.freeze({ timeout: ms }) : undefined;
    return this;
  }

  /** The idle timeout set by {@link setTimeout} or the `idleTimeout` option (0: none). */
  get timeout(): number {
    return this.#idleTimeout;
  }

  /** A pending read or write keeps the process alive again (the default); node:net's `ref()`. */
  ref(): this {
    if (!this.#closed) setKeepsLoopAlive(this.handle, true);
    return this;
  }

  /** A pending read or write (and its timeout) no longer keeps the process alive; node:net's `unref()`. */
  unref(): this {
    if (!this.#closed) setKeepsLoopAlive(this.handle, false);
    return this;
  }

  /** `await using socket = await Socket.connect(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** `for await (const chunk of socket)`: every chunk until the peer ends its side. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let chunk = await this.read(); chunk !== null; chunk = await this.read()) yield chunk;
  }

  /**
   * A `stream.Duplex` over this socket, with backpressure and half-close (`end()` shuts down sending; reading goes
   * on until the peer ends), and node:net.Socket's everyday members ({@link SocketStream}). Destroying the stream
   * closes the socket. Use it with `stream.pipeline`, node:http, TLS and undici.
   */
  toStream(): SocketStream {
    return toDuplex(this);
  }

  static {
    // The Server's hooks, reached only through the functions below (not part of the class's public surface).
    trackHook = (socket, tracker) => {
      socket.#tracker = tracker;
    };
    endHook = (socket) => {
      socket.#endedByServer = true;
      socket.#state = undefined; // read() takes its checked path, which reads the end of the stream
      endWaitingReads(socket.handle, READ, null); // their callers read the end of the stream, not WSAEINTR
      socket.close();
    };
  }

  /** A call's options with the idle timeout added, unless it brings its own. */
  #withIdleTimeout(options: AsyncOptions | undefined): AsyncOptions | undefined {
    if (this.#idleOptions === undefined) return options;
    if (options === undefined) return this.#idleOptions;
    if (options === null || typeof options !== 'object' || options.timeout !== undefined) return options;
    return { ...options, timeout: this.#idleTimeout };
  }
}
