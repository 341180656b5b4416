// Server: a listening TCP socket that hands out Sockets, with node:net's lifecycle in this package's promise style:
// it counts its connections (maxConnections, close() that waits for them, closing the idle ones or all), passes
// its connection options to every Socket it accepts, and can be unref'd.
import { setTimeout as delay } from 'node:timers/promises';

import { checkHost, checkPort, invalidArgument } from './arguments.js';
import { WSAECONNABORTED, WSAECONNRESET, WSAEINTR, WSAEMFILE, WSAENOBUFS, WSAENOTSOCK } from './constants.js';
import {
  Socket, checkSocketOptions, closeHandle, endIdleConnection, trackConnection, type ConnectionTracker, type SocketOptions,
} from './connection.js';
import { WinsockError } from './errors.js';
import {
  AF_INET, AF_INET6, IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, SOCK_STREAM, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, SOMAXCONN,
  bind, closesocket, getsockname, listen, setOption, setsockopt, socket,
} from './index.js';
import { accept, type AsyncOptions } from './promises.js';
import { setKeepsLoopAlive } from './readiness.js';
import type { SOCKET, SockAddr } from './types.js';
import { listenPath, removeBoundPath } from './unix-sockets.js';

/** Options of {@link Server.listen}; the {@link SocketOptions} apply to every connection it accepts. */
export interface ListenOptions extends SocketOptions {
  /**
   * An AF_UNIX path (or on Linux an abstract name, `'\0name'`) to listen on instead of a port: `host`, `port`, the
   * address options and the TCP ones (`noDelay`, `keepAlive`, `keepAliveInitialDelay`) then do not apply, as node:net
   * ignores them on a pipe; `idleTimeout` does. The file must not exist; `close()` removes it.
   */
  path?: string;
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
  /** See {@link Server.maxConnections}. */
  maxConnections?: number;
}

/** accept() errors that concern one connection or a passing shortage, not the listener: `for await` goes on. */
const TRANSIENT_ACCEPT_ERRORS: ReadonlySet<number> = new Set([WSAECONNRESET, WSAECONNABORTED, WSAEMFILE, WSAENOBUFS]);
/** How long `for await` waits before accepting again after WSAEMFILE or WSAENOBUFS, doubled while it lasts. */
const ACCEPT_RETRY_MS = 50;
const ACCEPT_RETRY_MAX_MS = 1000;

function checkMaxConnections(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < 0) {
    throw Object.assign(new RangeError(`The "${name}" argument must be an integer >= 0 or Infinity. Received ${String(value)}`), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
}

/** A listening TCP socket. */
export class Server implements AsyncIterable<Socket>, AsyncDisposable {
  #closed = false;
  #maxConnections = Infinity;
  readonly #connections = new Set<Socket>();
  /** What every accepted connection tells when it closes: one object for all of them, not one each (idle RSS). */
  readonly #tracker: ConnectionTracker = { closed: (connection) => this.#forget(connection) };
  readonly #socketOptions: SocketOptions;
  /** Settled once the server is closed and its last connection too. */
  #drained: Promise<void> | undefined = undefined;
  #onDrained: (() => void) | undefined = undefined;

  /** The listening SOCKET, for the 1:1 API (`getOption(server.handle, ...)`). */
  readonly handle: SOCKET;

  private constructor(handle: SOCKET, socketOptions: SocketOptions) {
    this.handle = handle;
    this.#socketOptions = socketOptions;
  }

  /**
   * Binds and listens. By default on `'::'` (dual-stack: IPv6 and IPv4 clients), on a port the OS picks, with
   * SO_EXCLUSIVEADDRUSE on Windows.
   *
   * @throws TypeError/RangeError (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) for a bad port, host or option
   * @throws WinsockError WSAEADDRINUSE (10048) when the port is taken, WSAEACCES, WSAEADDRNOTAVAIL, ...
   */
  static listen(options: ListenOptions = {}): Server {
    if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
    const { port = 0, host = '::', backlog = SOMAXCONN, ipv6Only = false, reuseAddress = false, reusePort = false } = options;
    const { noDelay, keepAlive, keepAliveInitialDelay, idleTimeout, maxConnections = Infinity } = options;
    checkHost(host, 'options.host');
    checkPort(port, 'options.port');
    checkSocketOptions(options);
    checkMaxConnections(maxConnections, 'options.maxConnections');
    if (options.path !== undefined) {
      // noDelay and keepAlive are TCP's: an AF_UNIX connection refuses them (WSAEOPNOTSUPP), which failed every accept
      // and ended `for await` at the first client. node:net ignores them on a pipe likewise.
      const server = new Server(listenPath(options.path, backlog), { idleTimeout });
      server.#maxConnections = maxConnections;
      return server;
    }
    const exclusiveAddressUse = (options.exclusiveAddressUse ?? true) && !reuseAddress;
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
    const server = new Server(s, { noDelay, keepAlive, keepAliveInitialDelay, idleTimeout });
    server.#maxConnections = maxConnections;
    return server;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The address and port the server listens on. */
  address(): SockAddr {
    return getsockname(this.handle);
  }

  /** The connections accepted and not closed yet (node:net's `getConnections()`). */
  get connections(): number {
    return this.#connections.size;
  }

  /**
   * Once this many accepted connections are open, a new one is closed as soon as it is accepted (the client sees
   * its connection reset or ended) and accept waits for the next, as node:net does. Infinity by default.
   */
  get maxConnections(): number {
    return this.#maxConnections;
  }

  /** Changes the limit; a RangeError for anything but an integer >= 0 or Infinity. */
  set maxConnections(value: number) {
    checkMaxConnections(value, 'maxConnections');
    this.#maxConnections = value;
  }

  /**
   * Waits for the next connection, which gets the server's connection options and is counted until it closes.
   *
   * @throws WinsockError WSAEINTR when the server is closed meanwhile, WSAETIMEDOUT after `options.timeout`, ...
   */
  async accept(options?: AsyncOptions): Promise<Socket> {
    for (;;) {
      const { socket: s } = await accept(this.handle, options);
      if (this.#connections.size >= this.#maxConnections) {
        closeHandle(s);
        continue;
      }
      let connection: Socket;
      try {
        connection = new Socket(s, this.#socketOptions);
      } catch (error) {
        closeHandle(s);
        // An option the new connection refused (it was reset meanwhile): that connection's failure, not the server's.
        if (error instanceof WinsockError && TRANSIENT_ACCEPT_ERRORS.has(error.errno)) continue;
        throw error;
      }
      this.#connections.add(connection);
      trackConnection(connection, this.#tracker);
      return connection;
    }
  }

  /**
   * Stops listening at once: a pending `accept` rejects with WSAEINTR and `for await` ends. The promise resolves
   * once every connection the server accepted has closed too (node:net's `close()`); end them sooner with
   * {@link closeIdleConnections} or {@link closeAllConnections}. Closing again returns the same wait.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#drained = new Promise<void>((resolve) => (this.#onDrained = resolve));
      try {
        closeHandle(this.handle);
        removeBoundPath(this.handle);
      } finally {
        this.#resolveIfDrained(); // else a close() that threw would leave every later close() waiting for ever
      }
    }
    return this.#drained!;
  }

  /**
   * Closes the connections that wait for their peer with nothing to send (see `Socket.idle`): their pending
   * `read` resolves null, as at the end of the stream, and a later `end()` on them does nothing. node:http's
   * `closeIdleConnections()`; for connections handed to node:http, call the http server's own, which knows requests.
   */
  closeIdleConnections(): void {
    for (const connection of [...this.#connections]) if (connection.idle) endIdleConnection(connection);
  }

  /** Closes every connection the server accepted; their pending calls reject with WSAEINTR. */
  closeAllConnections(): void {
    for (const connection of [...this.#connections]) connection.close();
  }

  /** A pending `accept` keeps the process alive again (the default); node:net's `ref()`. */
  ref(): this {
    if (!this.#closed) setKeepsLoopAlive(this.handle, true);
    return this;
  }

  /** A pending `accept` no longer keeps the process alive; node:net's `unref()`. */
  unref(): this {
    if (!this.#closed) setKeepsLoopAlive(this.handle, false);
    return this;
  }

  /** `await using server = Server.listen()` stops listening and closes every connection at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.closeAllConnections();
    await this.close();
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

  #forget(connection: Socket): void {
    this.#connections.delete(connection);
    this.#resolveIfDrained();
  }

  #resolveIfDrained(): void {
    if (this.#closed && this.#connections.size === 0) this.#onDrained?.();
  }
}

/** What {@link emitConnections} hands connections to: node:http's, node:https' and node:tls' servers are such. */
export interface ConnectionListener {
  /** node:events' emit: `emitConnections` emits 'listening' once, then 'connection' with each connection's Duplex. */
  emit(event: 'connection' | 'listening', ...args: unknown[]): boolean;
}

/**
 * Serves every connection `server` accepts with a Node server: each is handed over as a `socket.toStream()` Duplex
 * with `target.emit('connection', stream)`, the documented way to give node:http a connection it did not accept
 * itself. `http.createServer(handler)` then answers HTTP on winsock connections (https.createServer or
 * tls.createServer: HTTPS or TLS). The Node server is never `listen()`ed: its 'listening' event is emitted once
 * here instead, which starts node:http's connection tracking (`headersTimeout`, `requestTimeout`,
 * `closeIdleConnections()`, `closeAllConnections()`). Resolves when `server` closes.
 */
export async function emitConnections(server: Server, target: ConnectionListener): Promise<void> {
  if (target === null || typeof target !== 'object' || typeof target.emit !== 'function') {
    throw invalidArgument('target', 'an EventEmitter such as an http.Server', target);
  }
  target.emit('listening');
  for await (const connection of server) target.emit('connection', connection.toStream());
}
