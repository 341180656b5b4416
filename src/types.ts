// The value types the API takes and returns, shared by every module. They live here, below their users, so no
// module has to import them from index.ts (which re-exports those modules): the import graph has no cycles.
import type { SOCKET } from './native.js';

export type { SOCKET, SocketClass } from './native.js';

/** What `startup()` reports, from Winsock's WSADATA. */
export interface WSAData {
  /** The Winsock version in use, `'2.2'` when 2.2 was asked for. */
  version: string;
  /** The highest version the implementation supports. */
  highVersion: string;
  /** The implementation's description (`'WinSock 2.0'` on Windows). */
  description: string;
  /** The implementation's status text. */
  systemStatus: string;
}

/**
 * A socket address: the `family` (AF_INET or AF_INET6), a numeric `address` and a `port`. For AF_UNIX, `address`
 * is the path (`''` for an unnamed socket, `'\0name'` for a Linux abstract name) and `port` is 0.
 */
export interface SockAddr {
  /** AF_INET, AF_INET6 or AF_UNIX. */
  family: number;
  /** The numeric address (`'127.0.0.1'`, `'::1'`, `'fe80::1%2'`), or an AF_UNIX socket's path. */
  address: string;
  /** The port, in host byte order; 0 for AF_UNIX. */
  port: number;
}

/** An AF_UNIX address for `bind()`/`connect()`: a file-system path, or on Linux an abstract name (`'\0name'`). */
export interface UnixAddress {
  /** At most 107 bytes of UTF-8 for a path (108 with its terminating NUL, the size of `sun_path`). */
  path: string;
}

/** One result of `getaddrinfo()`: a socket address and the socket parameters to use with it. */
export interface AddrInfo extends SockAddr {
  /** The AI_* flags of this result. */
  flags: number;
  /** The socket type to open for this address (SOCK_STREAM, SOCK_DGRAM, ...). */
  socktype: number;
  /** The protocol to open for this address (IPPROTO_TCP, IPPROTO_UDP, ...). */
  protocol: number;
  /** The canonical host name, on the first result only and only when AI_CANONNAME was asked for; otherwise null. */
  canonname: string | null;
}

/** The `hints` of `getaddrinfo()`; every field defaults to 0 (AF_UNSPEC, any type, any protocol, no flags). */
export interface AddrInfoHints {
  /** AI_* flags (AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, ...). */
  flags?: number;
  /** AF_INET or AF_INET6 to ask for that family only; AF_UNSPEC for both. */
  family?: number;
  /** SOCK_STREAM or SOCK_DGRAM to ask for that type only. */
  socktype?: number;
  /** IPPROTO_TCP or IPPROTO_UDP to ask for that protocol only. */
  protocol?: number;
}

/** What `accept()` returns: the new connection's socket and its peer's address. */
export interface AcceptResult extends SockAddr {
  /** The accepted connection's socket, which the caller owns and closes. */
  socket: SOCKET;
}

/**
 * A target for `bind()`/`connect()`: a numeric address string (with a port argument), a `SockAddr`/`AddrInfo`, or
 * for an AF_UNIX socket a path (a string with no port argument, or a {@link UnixAddress}).
 */
export type AddressLike = string | Pick<SockAddr, 'address' | 'port'> | UnixAddress;

/** Bytes to send: a string is sent as UTF-8. */
export type SendData = string | ArrayBufferView | ArrayBuffer;
