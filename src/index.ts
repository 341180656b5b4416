// The 1:1 synchronous Winsock API: the calls of Microsoft's "Getting started with Winsock" tutorial, typed, with
// Winsock's names and semantics on every OS. Each function blocks like its C twin; see `winsock/promises` (when
// available) for the event-loop versions.
import { Buffer } from 'node:buffer';
import { native, type SOCKET as SocketObject, type SocketClass } from './native.js';
import type { ReadinessBackendName } from './runtime.js';
import { addrInfoArguments, splitAddress, versionWord } from './arguments.js';
import { SOMAXCONN } from './constants.js';
import type { AcceptResult, AddrInfo, AddrInfoHints, AddressLike, SendData, SockAddr, WSAData } from './types.js';

export * from './constants.js';
export { WinsockError } from './errors.js';
export type { ErrorDescription } from './error-messages.js';
export * from './datagrams.js';
export * from './extensions.js';
export * from './names.js';
export * from './options.js';
export * from './select.js';

/**
 * The class of the socket objects `socket()` and `accept()` return, for `instanceof` checks. It cannot be
 * constructed from JavaScript.
 */
export const SOCKET: SocketClass = native.SOCKET;
/** An open or closed socket: an opaque object, never a number, so a closed one cannot alias a newer socket. */
export type SOCKET = SocketObject;
export type { SocketClass } from './native.js';
export { runtime } from './runtime.js';
export type { ReadinessBackendName, RuntimeName } from './runtime.js';

/**
 * How the async API (`winsock/promises`, `winsock/socket`) waits for sockets in this environment: `'uv_poll'` on
 * Node's libuv loop, or `'thread'`, the addon's own poller on one thread (always under Bun and Deno, and under Node
 * when the environment variable `WINSOCK_POLLER=thread` asks for it).
 */
export const readinessBackend: ReadinessBackendName = native.readinessBackend();
export type {
  WSAData, SockAddr, UnixAddress, AddrInfo, AddrInfoHints, AcceptResult, AddressLike, SendData,
} from './types.js';

/**
 * Starts Winsock for this thread (WSAStartup). Every other call fails with WSANOTINITIALISED (10093) until it has
 * been called, on every OS. Calls are counted: each `startup()` needs a `cleanup()`.
 *
 * @param version - the version asked for, `'2.2'` (the default) or a Winsock version word such as `0x0202`
 * @returns the negotiated version and the implementation's description
 * @throws WinsockError WSAVERNOTSUPPORTED (10092) for a version below 1.0
 */
export function startup(version: string | number = '2.2'): WSAData {
  return native.startup(versionWord(version));
}

/**
 * Balances one `startup()` (WSACleanup). The last one closes every socket this thread still has open, as Winsock
 * does. It never releases the reference that Node itself holds on Winsock.
 *
 * @throws WinsockError WSANOTINITIALISED (10093) when there is no `startup()` left to balance
 */
export function cleanup(): void {
  native.cleanup();
}

/** The Winsock error number of the last call that failed on this thread (WSAGetLastError), 0 if none has. */
export function getLastError(): number {
  return native.getLastError();
}

/**
 * Resolves a host name and/or service to socket addresses (GetAddrInfoW on Windows, so non-ASCII names work).
 *
 * @param node - a host name or numeric address; null for the local host (with AI_PASSIVE: the wildcard address)
 * @param service - a port number or service name; null for port 0
 * @param hints - which families, types and protocols to return, and AI_* flags
 * @throws WinsockError WSAHOST_NOT_FOUND (11001, posixCode 'ENOTFOUND') for an unknown host, and the other WSA*
 * name-resolution errors
 */
export function getaddrinfo(
  node: string | null,
  service: string | number | null,
  hints: AddrInfoHints = {},
): AddrInfo[] {
  return native.getaddrinfo(...addrInfoArguments(node, service, hints));
}

/**
 * Creates a socket.
 *
 * @param af - the address family, e.g. AF_INET
 * @param type - the socket type, e.g. SOCK_STREAM
 * @param protocol - the protocol, e.g. IPPROTO_TCP; 0 picks the default for the type
 * @throws WinsockError WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT, WSAEPROTONOSUPPORT, WSAEMFILE, ...
 */
export function socket(af: number, type: number, protocol = 0): SOCKET {
  return native.socket(af, type, protocol);
}

/**
 * Binds a socket to a local address. `bind(s, '0.0.0.0', 27015)` or `bind(s, addrinfo)`.
 *
 * @throws WinsockError WSAEADDRINUSE (10048), WSAEADDRNOTAVAIL, WSAEINVAL for a non-numeric address, ...
 */
export function bind(s: SOCKET, address: AddressLike, port?: number): void {
  const [host, portNumber] = splitAddress(address, port);
  native.bind(s, host, portNumber);
}

/**
 * Puts a bound stream socket into the listening state.
 *
 * @param backlog - the length of the queue of pending connections; SOMAXCONN by default
 * @throws WinsockError WSAEINVAL when the socket is not bound, ...
 */
export function listen(s: SOCKET, backlog: number = SOMAXCONN): void {
  native.listen(s, backlog);
}

/**
 * Waits for and accepts one connection on a listening socket.
 *
 * @returns the new connection's socket and the peer's address
 * @throws WinsockError WSAEINVAL when `s` is not listening, WSAEWOULDBLOCK on a nonblocking socket with none
 * pending, ...
 */
export function accept(s: SOCKET): AcceptResult {
  return native.accept(s);
}

/**
 * Connects a socket to a remote address. `connect(s, '127.0.0.1', 27015)` or `connect(s, addrinfo)`.
 *
 * @throws WinsockError WSAECONNREFUSED (10061), WSAETIMEDOUT, WSAENETUNREACH, ...
 */
export function connect(s: SOCKET, address: AddressLike, port?: number): void {
  const [host, portNumber] = splitAddress(address, port);
  native.connect(s, host, portNumber);
}

/**
 * Sends bytes on a connected socket; strings are sent as UTF-8.
 *
 * @param flags - MSG_* flags, 0 by default
 * @returns the number of bytes sent, which on a nonblocking socket may be fewer than given
 * @throws WinsockError WSAECONNRESET (10054) when the peer reset the connection (never a SIGPIPE), WSAENOTCONN,
 * WSAESHUTDOWN after `shutdown(s, SD_SEND)`, ...
 */
export function send(s: SOCKET, data: SendData, flags = 0): number {
  return native.send(s, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, flags);
}

/**
 * Receives bytes from a connected socket.
 *
 * With a buffer, reads into it (no copy) and returns the byte count; with a length, returns a new Buffer of the
 * bytes read. 0 bytes (or an empty Buffer) means the peer has closed the connection gracefully.
 *
 * @param flags - MSG_* flags such as MSG_PEEK or MSG_WAITALL, 0 by default
 * @throws WinsockError WSAECONNRESET, WSAENOTCONN, WSAESHUTDOWN after `shutdown(s, SD_RECEIVE)`, ...
 */
export function recv(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags?: number): number;
export function recv(s: SOCKET, len: number, flags?: number): Buffer;
export function recv(s: SOCKET, bufOrLen: ArrayBufferView | ArrayBuffer | number, flags = 0): number | Buffer {
  return typeof bufOrLen === 'number' ? native.recv(s, bufOrLen, flags) : native.recv(s, bufOrLen, flags);
}

/**
 * Disables sends (SD_SEND: the peer sees end of stream), receives (SD_RECEIVE) or both (SD_BOTH).
 *
 * @throws WinsockError WSAENOTCONN when the socket is not connected, ...
 */
export function shutdown(s: SOCKET, how: number): void {
  native.shutdown(s, how);
}

/**
 * Closes a socket. Closing it again throws WSAENOTSOCK (10038), as Winsock does for a closed handle.
 */
export function closesocket(s: SOCKET): void {
  native.closesocket(s);
}

/** The local address a socket is bound to (after `bind()`, or the one `connect()` picked). */
export function getsockname(s: SOCKET): SockAddr {
  return native.getsockname(s);
}

/** The address of a connected socket's peer. @throws WinsockError WSAENOTCONN when not connected */
export function getpeername(s: SOCKET): SockAddr {
  return native.getpeername(s);
}

/**
 * Sets a socket option. `optval` is an int (a number, or a boolean for BOOL options), or the option's raw bytes.
 *
 * @param level - SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP or IPPROTO_IPV6
 * @param optname - SO_*, TCP_*, IP_*, IPV6_*; a constant this OS lacks is `undefined` and rejected with a TypeError
 * @throws WinsockError WSAENOPROTOOPT for an option the level does not know, WSAEINVAL, ...
 */
export function setsockopt(
  s: SOCKET,
  level: number,
  optname: number,
  optval: number | boolean | ArrayBufferView | ArrayBuffer,
): void {
  native.setsockopt(s, level, optname, optval);
}

/**
 * Reads a socket option: as an int, or with `optlen` as that many raw bytes (a Buffer of the length the OS gave).
 *
 * @throws WinsockError WSAENOPROTOOPT for an option the level does not know, ...
 */
export function getsockopt(s: SOCKET, level: number, optname: number): number;
export function getsockopt(s: SOCKET, level: number, optname: number, optlen: number): Buffer;
export function getsockopt(s: SOCKET, level: number, optname: number, optlen?: number): number | Buffer {
  return optlen === undefined ? native.getsockopt(s, level, optname) : native.getsockopt(s, level, optname, optlen);
}

export {
  /** Winsock's own name for `startup()`. */
  startup as WSAStartup,
  /** Winsock's own name for `cleanup()`. */
  cleanup as WSACleanup,
  /** Winsock's own name for `getLastError()`. */
  getLastError as WSAGetLastError,
};
