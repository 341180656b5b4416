// WinsockError: every failing Winsock call throws one. The native side hands over only (errno, syscall, address,
// port), through the factory installed below; the name, Node-style code and message are shaped here from one table.
import { errorDescriptions } from './error-messages.js';
import { native } from './native.js';

/** Winsock error number -> its name (10061 -> 'WSAECONNREFUSED'), from the numbers the addon reports. */
const errorNames: ReadonlyMap<number, string> = new Map(
  Object.entries(native.constants)
    .filter(([name]) => name in errorDescriptions)
    .map(([name, value]) => [value, name] as const),
);

/**
 * The error thrown by every Winsock call that fails, shaped like Node's own system errors.
 *
 * `errno` is the Winsock error number on every OS (10061 for a refused connection, also on Linux and macOS), `code`
 * its Winsock name, `posixCode` the name Node's `net` and `dns` modules would use for the same failure.
 *
 * @example
 * ```ts
 * try { connect(s, '127.0.0.1', 1); }
 * catch (error) { if (error instanceof WinsockError && error.code === 'WSAECONNREFUSED') retryLater(); }
 * ```
 */
export class WinsockError extends Error {
  /** The Winsock error number, as `WSAGetLastError()` returns it (e.g. 10061). */
  readonly errno: number;
  /** The Winsock name of the error (e.g. `'WSAECONNREFUSED'`); `'WSA<errno>'` for a number with no known name. */
  readonly code: string;
  /** The name Node's `net`/`dns` modules use for the same failure (e.g. `'ECONNREFUSED'`, `'ENOTFOUND'`). */
  readonly posixCode: string | undefined;
  /** The Winsock function that failed (e.g. `'connect'`, `'getaddrinfo'`, `'WSAStartup'`). */
  readonly syscall: string;
  /** The address (or, for `getaddrinfo`, the host name) the call was about, when there is one. */
  readonly address: string | undefined;
  /** The port the call was about, when there is one. */
  readonly port: number | undefined;

  /**
   * @param errno - a Winsock error number
   * @param syscall - the function that failed
   * @param address - the address or host name involved, if any
   * @param port - the port involved, if any
   */
  constructor(errno: number, syscall: string, address?: string, port?: number) {
    const code = errorNames.get(errno) ?? `WSA${errno}`;
    const description = errorDescriptions[code];
    const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
    const text = description?.message ?? `Unknown Winsock error ${errno}.`;
    super(`${syscall} ${code}${where}: ${text}`);
    this.name = 'WinsockError';
    this.errno = errno;
    this.code = code;
    this.posixCode = description?.posixCode;
    this.syscall = syscall;
    this.address = address;
    this.port = port;
  }
}

native.setErrorFactory((errno, syscall, address, port) => new WinsockError(errno, syscall, address, port));
