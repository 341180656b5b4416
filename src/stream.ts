// A stream.Duplex over a Socket. The stream's own buffering gives the backpressure: _read is called only when the
// readable side wants more, and _write's callback waits until send has handed every byte to the kernel.
//
// It also carries the part of node:net.Socket's surface that Node's own consumers look for on a stream they are
// handed (node:http's server, tls.TLSSocket, undici): setTimeout and its 'timeout' event, setNoDelay, setKeepAlive,
// ref/unref, destroySoon and the address properties, so those features work over a winsock connection too.
import { Buffer } from 'node:buffer';
import { Duplex } from 'node:stream';

import { invalidArgument, outOfRange } from './arguments.js';
import { AF_INET6 } from './constants.js';
import { WinsockError } from './errors.js';
import type { SockAddr } from './types.js';

export { Duplex };

/** What the Duplex needs of a socket: Socket's promise-style calls (named here so stream.ts imports nothing above it). */
export interface DuplexSource {
  read(size: number): Promise<Buffer | null>; // null at the end of the stream
  write(chunk: Buffer): Promise<unknown>;
  end(): Promise<unknown>;
  close(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  setKeepAlive(enable?: boolean, initialDelay?: number): unknown;
  ref(): unknown;
  unref(): unknown;
  readonly localAddress: SockAddr;
  readonly remoteAddress: SockAddr;
}

/** The longest delay a Node timer holds; a longer one would fire after 1 ms instead. */
const TIMEOUT_MAX = 2 ** 31 - 1;

/**
 * node:net's reading of an idle timeout (lib/internal/timers.js `getTimerDuration`): a number, else a TypeError;
 * negative, NaN or infinite a RangeError; longer than a timer holds, cut to the longest with a TimeoutOverflowWarning.
 */
function timerDuration(ms: unknown): number {
  if (typeof ms !== 'number') throw invalidArgument('msecs', 'of type number', ms);
  if (!(ms >= 0 && Number.isFinite(ms))) throw outOfRange('msecs', 'a non-negative finite number', ms);
  if (ms <= TIMEOUT_MAX) return ms;
  process.emitWarning(`${ms} does not fit into a 32-bit signed integer.\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning');
  return TIMEOUT_MAX;
}

/**
 * Runs a socket option call the way node:net.Socket does its own (it ignores the handle's result): node:http calls
 * `setNoDelay` inside its 'connection' handler, where a throw would end the serving loop for every client.
 */
function ignoreWinsockError(call: () => unknown): void {
  try {
    call();
  } catch (error) {
    if (!(error instanceof WinsockError)) throw error;
  }
}

/** node:net's name for an address family. */
function familyName(family: number): string {
  return family === AF_INET6 ? 'IPv6' : 'IPv4';
}

/** The members of node:net.Socket that a {@link SocketStream} adds to `stream.Duplex`. */
export interface NetSocketMembers {
  /**
   * node:net's idle timeout: emits 'timeout' after `msecs` milliseconds without data read or written (0 turns it
   * off). Like node:net, the stream is not closed: a 'timeout' listener decides. The timer never keeps the process
   * alive. As in node:net, anything but a number is a TypeError (ERR_INVALID_ARG_TYPE), a negative, NaN or infinite
   * one a RangeError (ERR_OUT_OF_RANGE), and more than 2^31 - 1 is cut to that with a TimeoutOverflowWarning.
   */
  setTimeout(msecs: number, callback?: () => void): this;
  /** The idle timeout set by `setTimeout`, in milliseconds (0: none). */
  readonly timeout: number;
  /** TCP_NODELAY on the socket (node:net's name). */
  setNoDelay(noDelay?: boolean): this;
  /** SO_KEEPALIVE, with the idle time before the first probe in milliseconds (node:net's name). */
  setKeepAlive(enable?: boolean, initialDelay?: number): this;
  /** Lets a pending read or write keep the process alive again (the default). */
  ref(): this;
  /** A pending read or write no longer keeps the process alive. */
  unref(): this;
  /** Ends the writable side, then destroys the stream once everything written is sent (node:net's destroySoon). */
  destroySoon(): void;
  /** The peer's numeric address, as node:net.Socket names it; undefined if it was not connected. */
  readonly remoteAddress: string | undefined;
  /** The peer's port. */
  readonly remotePort: number | undefined;
  /** 'IPv4' or 'IPv6'. */
  readonly remoteFamily: string | undefined;
  /** This end's numeric address. */
  readonly localAddress: string | undefined;
  /** This end's port. */
  readonly localPort: number | undefined;
  /** 'IPv4' or 'IPv6'. */
  readonly localFamily: string | undefined;
}

/**
 * What `socket.toStream()` returns: a `stream.Duplex` with node:net.Socket's everyday members, so that
 * `httpServer.emit('connection', stream)`, `tls.connect({ socket: stream })` and undici's `connect` accept it.
 */
export type SocketStream = Duplex & NetSocketMembers;

/** The Duplex class behind {@link SocketStream}. */
class SocketDuplex extends Duplex implements NetSocketMembers {
  readonly #socket: DuplexSource;
  #timeoutMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  // The addresses, read once: after close() the socket can no longer tell them, and node:http logs them late.
  #local: SockAddr | undefined;
  #remote: SockAddr | undefined;

  constructor(socket: DuplexSource) {
    super({ allowHalfOpen: true }); // our end() shuts down sending only; reading goes on until the peer ends
    this.#socket = socket;
    try {
      this.#local = socket.localAddress;
      this.#remote = socket.remoteAddress;
    } catch {
      // not connected (any more): the properties stay undefined, as node:net's do on a closed socket
    }
  }

  override _read(size: number): void {
    this.#socket.read(Math.max(size, 16 * 1024)).then(
      (chunk) => {
        this.#touch();
        this.push(chunk);
      },
      (error: unknown) => this.destroy(error as Error),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(chunk, callback);
  }

  #send(chunk: Buffer, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk).then(() => {
      this.#touch();
      callback();
    }, callback);
  }

  // Corked writes (node:http writes the head and the body so) leave in one send.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#send(Buffer.concat(chunks.map((entry) => entry.chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#socket.close();
    callback(error);
  }

  /**
   * node:net's idle timeout: emits 'timeout' after `msecs` milliseconds without data read or written (0 turns it
   * off). Like node:net, the stream is not closed: a 'timeout' listener decides. The timer never keeps the process alive.
   *
   * @throws TypeError (ERR_INVALID_ARG_TYPE) for anything but a number; RangeError (ERR_OUT_OF_RANGE) for a negative,
   * NaN or infinite one. More than 2^31 - 1 is cut to that (a TimeoutOverflowWarning), as node:net does.
   */
  setTimeout(msecs: number, callback?: () => void): this {
    const ms = timerDuration(msecs);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timeoutMs = ms;
    if (callback !== undefined) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    if (ms > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => this.emit('timeout'), ms);
      this.#timer.unref();
    }
    return this;
  }

  /** The idle timeout set by {@link setTimeout}, in milliseconds (0: none). */
  get timeout(): number {
    return this.#timeoutMs;
  }

  /**
   * TCP_NODELAY on the socket (node:net's name). As node:net's, it never throws for the connection's state: a socket
   * closed meanwhile, or one whose OS refuses the option for a connection its peer has reset, is left as it is.
   */
  setNoDelay(noDelay = true): this {
    if (!this.destroyed) ignoreWinsockError(() => this.#socket.setNoDelay(noDelay));
    return this;
  }

  /**
   * SO_KEEPALIVE, with the idle time before the first probe in milliseconds (node:net's name). Like `setNoDelay`,
   * quiet about the connection's state; a bad `initialDelay` is still a RangeError.
   */
  setKeepAlive(enable = false, initialDelay = 0): this {
    if (!this.destroyed) ignoreWinsockError(() => this.#socket.setKeepAlive(enable, initialDelay));
    return this;
  }

  /** Lets a pending read or write keep the process alive again (the default). */
  ref(): this {
    if (!this.destroyed) this.#socket.ref();
    return this;
  }

  /** A pending read or write no longer keeps the process alive. */
  unref(): this {
    if (!this.destroyed) this.#socket.unref();
    return this;
  }

  /** Ends the writable side, then destroys the stream once everything written is sent (node:net's destroySoon). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** The peer's numeric address, as node:net.Socket names it. */
  get remoteAddress(): string | undefined {
    return this.#remote?.address;
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.#remote?.port;
  }

  /** 'IPv4' or 'IPv6'. */
  get remoteFamily(): string | undefined {
    return this.#remote === undefined ? undefined : familyName(this.#remote.family);
  }

  /** This end's numeric address. */
  get localAddress(): string | undefined {
    return this.#local?.address;
  }

  /** This end's port. */
  get localPort(): number | undefined {
    return this.#local?.port;
  }

  /** 'IPv4' or 'IPv6'. */
  get localFamily(): string | undefined {
    return this.#local === undefined ? undefined : familyName(this.#local.family);
  }

  /** Resets the idle timer: data moved. */
  #touch(): void {
    this.#timer?.refresh();
  }
}

/** The Duplex over `socket`; see {@link SocketStream}. */
export function toDuplex(socket: DuplexSource): SocketStream {
  return new SocketDuplex(socket);
}
