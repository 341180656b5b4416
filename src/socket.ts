// The everyday layer: Socket and Server over winsock/promises, with Node's names (write, end, close, for await,
// `await using`). Each object owns one SOCKET; close() is idempotent and rejects whatever still waits with WSAEINTR.
import { isIP } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import {
  WSAECONNABORTED, WSAECONNRESET, WSAEINTR, WSAEMFILE, WSAENOBUFS, WSAENOTSOCK, WSANOTINITIALISED,
} from './constants.js';
import {
  AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, SD_SEND, SOCK_STREAM, SOL_SOCKET,
  SO_EXCLUSIVEADDRUSE, SOMAXCONN, WinsockError,
  bind, closesocket, getpeername, getsockname, listen, nativeHandle, setOption, setsockopt, shutdown, socket,
  type AddrInfo, type SOCKET, type SockAddr, type SendData,
} from './index.js';
import { invalidArgument } from './arguments.js';
import { accept, connect, getaddrinfo, recv, send, type AsyncOptions } from './promises.js';
import { toDuplex, type Duplex } from './stream.js';

/**
 * The one address a numeric host stands for, without asking getaddrinfo (a trip to the threadpool per connection);
 * undefined for a name, and for an address of a family other than the one asked for, which getaddrinfo refuses.
 */
function numericAddress(host: string, port: number, family: number): AddrInfo[] | undefined {
  // A scope id (fe80::1%eth0) is getaddrinfo's to read; so is anything about the port that is not a plain number.
  const plain = typeof host === 'string' && !host.includes('%') && Number.isInteger(port) && port >= 0 && port <= 65535;
  const version = plain ? isIP(host) : 0;
  const found = version === 4 ? AF_INET : version === 6 ? AF_INET6 : undefined;
  if (found === undefined || (family !== AF_UNSPEC && family !== found)) return undefined;
  return [{ family: found, address: host, port, flags: 0, socktype: SOCK_STREAM, protocol: IPPROTO_TCP, canonname: null }];
}

function nothing(): void {}

/** A read's chunk, or null for the empty one that means the peer ended its side. */
function nullAtEnd(chunk: Buffer): Buffer | null {
  return chunk.length === 0 ? null : chunk;
}

/** Options of {@link Socket.connect}. */
export interface ConnectOptions extends AsyncOptions {
  /** AF_INET or AF_INET6 to try only that family; AF_UNSPEC (the default) tries every address in order. */
  family?: number;
}

/** Options of {@link Server.listen}. */
export interface ListenOptions {
  /** The port; 0 (the default) lets the OS pick one, which `server.address().port` then tells. */
  port?: number;
  /** A numeric address; `'::'` (the default) listens on every IPv6 and IPv4 address (dual-stack). */
  host?: string;
  /** The accept queue's length; SOMAXCONN by default. */
  backlog?: number;
  /**
   * Windows: bind with SO_EXCLUSIVEADDRUSE (the default), so no other socket can take over the port even with
   * SO_REUSEADDR. POSIX has no such option and needs none: a bound port cannot be taken over there without
   * SO_REUSEPORT, so this option changes nothing.
   */
  exclusiveAddressUse?: boolean;
  /** For an IPv6 host: accept IPv6 only (IPV6_V6ONLY). By default an IPv6 listener is dual-stack on every OS. */
  ipv6Only?: boolean;
  /**
   * SO_REUSEADDR. POSIX: bind a port whose old connections linger in TIME_WAIT. Windows: let another socket bind
   * the same port too, which is why it is off by default and turns `exclusiveAddressUse` off.
   */
  reuseAddress?: boolean;
  /** SO_REUSEPORT (POSIX): several listeners share the port. Windows has no such option: WSAENOPROTOOPT. */
  reusePort?: boolean;
}

const DEFAULT_READ_SIZE = 64 * 1024;

/** accept() errors that concern one connection or a passing shortage, not the listener: `for await` goes on. */
const TRANSIENT_ACCEPT_ERRORS: ReadonlySet<number> = new Set([WSAECONNRESET, WSAECONNABORTED, WSAEMFILE, WSAENOBUFS]);
/** How long `for await` waits before accepting again after WSAEMFILE or WSAENOBUFS, doubled while it lasts. */
const ACCEPT_RETRY_MS = 50;
const ACCEPT_RETRY_MAX_MS = 1000;

/**
 * Closes a Socket's or Server's SOCKET. It may be closed already without the object knowing: the last cleanup()
 * closes every socket, and the handle is public. close() then has nothing left to do, and must not throw
 * (`await using` calls it on the way out of a block).
 */
function closeHandle(handle: SOCKET): void {
  try {
    closesocket(handle);
  } catch (error) {
    if (error instanceof WinsockError && (error.errno === WSAENOTSOCK || error.errno === WSANOTINITIALISED)) return;
    throw error;
  }
}

/** A connected TCP socket. */
export class Socket implements AsyncIterable<Buffer>, AsyncDisposable {
  #closed = false;

  /** Wraps a connected SOCKET (from the 1:1 API); the Socket owns it from now on. */
  constructor(readonly handle: SOCKET) {}

  /**
   * Connects to `host`:`port`, trying every address getaddrinfo returns, in order, as the tutorial's client does.
   *
   * @throws WinsockError the last address's error (WSAECONNREFUSED, WSAETIMEDOUT after `options.timeout`, ...),
   * WSAHOST_NOT_FOUND for an unknown host; an AbortError when `options.signal` aborts
   */
  static async connect(host: string, port: number, options: ConnectOptions = {}): Promise<Socket> {
    if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
    const { family = AF_UNSPEC, ...waiting } = options;
    const addresses = numericAddress(host, port, family) ??
      (await getaddrinfo(host, port, { family, socktype: SOCK_STREAM, protocol: IPPROTO_TCP }, waiting));
    let lastError: unknown = new WinsockError(WSAENOTSOCK, 'connect', host, port);
    for (const address of addresses) {
      const s = socket(address.family, address.socktype, address.protocol);
      try {
        await connect(s, address, waiting);
        return new Socket(s);
      } catch (error) {
        closesocket(s);
        if (!(error instanceof WinsockError)) throw error; // aborted: do not try the next address
        lastError = error;
      }
    }
    throw lastError;
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

  /** Sends every byte of `data`; resolves once all of it is handed to the kernel. */
  write(data: SendData, options?: AsyncOptions): Promise<void> {
    // A `.then`, not an `async` function: one promise less per call, and no suspended frame while it waits.
    return send(this.handle, data, options).then(nothing);
  }

  /** Like `write`, and resolves with the number of bytes sent. */
  sendAll(data: SendData, options?: AsyncOptions): Promise<number> {
    return send(this.handle, data, options);
  }

  /** Reads what has arrived, up to `size` bytes (64 KiB by default); null when the peer has ended its side. */
  read(size: number = DEFAULT_READ_SIZE, options?: AsyncOptions): Promise<Buffer | null> {
    return recv(this.handle, size, options).then(nullAtEnd);
  }

  /** Sends `data` if given, then ends this side (shutdown SD_SEND): the peer reads end of stream. */
  async end(data?: SendData, options?: AsyncOptions): Promise<void> {
    if (data !== undefined) await send(this.handle, data, options);
    shutdown(this.handle, SD_SEND);
  }

  /** Closes the socket; calls still waiting reject with WSAEINTR. Closing again (or after cleanup()) does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeHandle(this.handle);
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
   * on until the peer ends). Destroying the stream closes the socket. Use it with `stream.pipeline`.
   */
  toStream(): Duplex {
    return toDuplex(this);
  }
}

/** A listening TCP socket. */
export class Server implements AsyncIterable<Socket>, AsyncDisposable {
  #closed = false;

  private constructor(readonly handle: SOCKET) {}

  /**
   * Binds and listens. By default on `'::'` (dual-stack: IPv6 and IPv4 clients), on a port the OS picks, with
   * SO_EXCLUSIVEADDRUSE on Windows.
   *
   * @throws WinsockError WSAEADDRINUSE (10048) when the port is taken, WSAEACCES, WSAEADDRNOTAVAIL, ...
   */
  static listen(options: ListenOptions = {}): Server {
    if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
    const { port = 0, host = '::', backlog = SOMAXCONN, ipv6Only = false, reuseAddress = false, reusePort = false } = options;
    const exclusiveAddressUse = (options.exclusiveAddressUse ?? true) && !reuseAddress;
    if (typeof host !== 'string') throw invalidArgument('options.host', 'a string', host);
    const family = host.includes(':') ? AF_INET6 : AF_INET;
    const s = socket(family, SOCK_STREAM, IPPROTO_TCP);
    try {
      if (family === AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, ipv6Only);
      // Windows only; POSIX needs no such option (a bound port cannot be taken over without SO_REUSEPORT there).
      if (exclusiveAddressUse && SO_EXCLUSIVEADDRUSE !== undefined) setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, true);
      if (reuseAddress) setOption(s, 'SO_REUSEADDR', true);
      if (reusePort) setOption(s, 'SO_REUSEPORT', true);
      bind(s, host, port);
      listen(s, backlog);
    } catch (error) {
      closesocket(s);
      throw error;
    }
    return new Server(s);
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The address and port the server listens on. */
  address(): SockAddr {
    return getsockname(this.handle);
  }

  /** Waits for the next connection. */
  async accept(options?: AsyncOptions): Promise<Socket> {
    return new Socket((await accept(this.handle, options)).socket);
  }

  /** Stops listening; a pending `accept` rejects with WSAEINTR and `for await` ends. Closing again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeHandle(this.handle);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * `for await (const connection of server)`: every connection until the server is closed. Failures of one
   * connection (reset or aborted before it was accepted) and passing shortages (no descriptor or buffer left) do not
   * end it: it waits a little and accepts again, as `accept()` itself would report them each time.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Socket> {
    let pause = 0; // while out of descriptors or buffers: the pause before the next accept
    while (!this.#closed) {
      let accepted: Socket;
      try {
        accepted = await this.accept();
      } catch (error) {
        if (this.#closed && error instanceof WinsockError && (error.errno === WSAEINTR || error.errno === WSAENOTSOCK)) return;
        if (!(error instanceof WinsockError && TRANSIENT_ACCEPT_ERRORS.has(error.errno))) throw error;
        if (error.errno !== WSAEMFILE && error.errno !== WSAENOBUFS) continue;
        // Out of descriptors or buffers, the connection stays queued and the listener stays ready: without a pause
        // this would retry in a busy loop until something else frees a descriptor. Said once per shortage.
        if (pause === 0) {
          process.emitWarning(`Server: accept failed with ${error.code}; accepting again as connections close`, {
            code: 'WINSOCK_ACCEPT_SHORTAGE',
          });
        }
        pause = Math.min(pause === 0 ? ACCEPT_RETRY_MS : pause * 2, ACCEPT_RETRY_MAX_MS);
        await delay(pause);
        continue;
      }
      pause = 0;
      yield accepted;
    }
  }
}
