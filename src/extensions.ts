// What Node users asked node:net and node:dgram for and never got, as plain calls on a SOCKET: keep-alive tuning,
// a dead-peer timeout, the traffic class, the native handle, moving a socket to another process, and packet info.
import { invalidArgument, splitAddressAndFlags, toBytes } from './arguments.js';
import { SIO_KEEPALIVE_VALS } from './constants.js';
import type { AddressLike, SendData, SockAddr } from './types.js';
import { native, type SOCKET } from './native.js';
import { WSAIoctl, setOption } from './options.js';

/** Keep-alive settings for {@link setKeepAlive}. */
export interface KeepAliveOptions {
  /** Turn keep-alive on (the default) or off. */
  enable?: boolean;
  /** Idle time before the first probe, in milliseconds (POSIX rounds up to whole seconds). */
  idleMs: number;
  /** Time between probes, in milliseconds (POSIX rounds up to whole seconds). */
  intervalMs: number;
  /** Probes without an answer before the connection is dropped (TCP_KEEPCNT; Windows 10 1703 and later). */
  count?: number;
}

/**
 * Turns TCP keep-alive on with its timing: SIO_KEEPALIVE_VALS (and TCP_KEEPCNT for `count`) on Windows,
 * SO_KEEPALIVE with TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT on POSIX. Read the values back with `getOption`.
 *
 * @throws WinsockError WSAENOPROTOOPT when `count` is given and the OS has no TCP_KEEPCNT
 */
export function setKeepAlive(s: SOCKET, options: KeepAliveOptions): void {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', '{ idleMs, intervalMs }', options);
  const { enable = true, idleMs, intervalMs, count } = options;
  WSAIoctl(s, SIO_KEEPALIVE_VALS, { onoff: enable, keepalivetime: idleMs, keepaliveinterval: intervalMs });
  if (count !== undefined) setOption(s, 'TCP_KEEPCNT', count);
}

/**
 * How long sent data may stay unacknowledged before the connection is dropped with WSAETIMEDOUT: TCP_USER_TIMEOUT
 * (milliseconds) on Linux, TCP_MAXRT (whole seconds, rounded up) on Windows.
 *
 * @throws WinsockError WSAENOPROTOOPT where the OS has neither (macOS)
 */
export function setUserTimeout(s: SOCKET, milliseconds: number): void {
  native.setUserTimeout(s, milliseconds);
}

/** The dead-peer timeout in milliseconds (Windows reports whole seconds); see {@link setUserTimeout}. */
export function getUserTimeout(s: SOCKET): number {
  return native.getUserTimeout(s);
}

/**
 * Sets the traffic class byte: IP_TOS on an IPv4 socket, IPV6_TCLASS on an IPv6 one.
 *
 * @throws WinsockError WSAEOPNOTSUPP on Windows, which accepts IP_TOS through setsockopt but ignores it (only the
 * QoS API, qWAVE, sets the DSCP of outgoing packets): this call refuses rather than pretend.
 */
export function setTOS(s: SOCKET, tos: number): void {
  native.setTrafficClass(s, tos);
}

/** The traffic class byte (IP_TOS / IPV6_TCLASS); WSAEOPNOTSUPP on Windows, as {@link setTOS}. */
export function getTOS(s: SOCKET): number {
  return native.getTrafficClass(s);
}

/**
 * The OS's own handle of the socket, as a bigint: the SOCKET value on Windows, the file descriptor on POSIX. For
 * interop with other native code; the number may be reused by a new socket once this one is closed.
 */
export function nativeHandle(s: SOCKET): bigint {
  return native.nativeHandle(s);
}

/**
 * Prepares a socket to be moved to another process (like Python's `socket.share`): a blob to hand to that process,
 * which calls {@link fromShare}. Windows: WSADuplicateSocketW for process `pid`. Linux: the blob names this process
 * and the descriptor, which the receiver takes with pidfd_getfd (it needs ptrace access to this process: the same
 * user, or root, and Yama's ptrace_scope allowing it); `pid` is not needed. Keep the socket open here until the
 * other process has taken it.
 *
 * @throws WinsockError WSAEOPNOTSUPP on other POSIX systems
 */
export function share(s: SOCKET, pid = 0): Buffer {
  return native.share(s, pid);
}

/** Takes the socket a {@link share} blob describes, as a new SOCKET of this process. */
export function fromShare(blob: ArrayBufferView | ArrayBuffer): SOCKET {
  return native.fromShare(blob);
}

/** Options of {@link sendSocket} and {@link receiveSocket}. */
export interface PassSocketOptions {
  /** Milliseconds the call may block, 30,000 by default; then it fails with WSAETIMEDOUT (10060). */
  timeout?: number | undefined;
}

/** How long sendSocket/receiveSocket block at most unless told: they block the whole thread, event loop included. */
const DEFAULT_PASS_TIMEOUT_MS = 30_000;

function passTimeout(options: PassSocketOptions | undefined): number {
  if (options === undefined) return DEFAULT_PASS_TIMEOUT_MS;
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  return options.timeout ?? DEFAULT_PASS_TIMEOUT_MS;
}

/**
 * Passes a socket to the process waiting in {@link receiveSocket} on the Unix-domain `path` (SCM_RIGHTS): the way
 * to move a socket on POSIX systems where no {@link share} blob can carry a descriptor (macOS, the BSDs), and on
 * Linux without ptrace rights. Windows: WSAEOPNOTSUPP (use `share`). The socket goes only to a process of this
 * user: put `path` in a directory only this user can enter (mode 0700), so nobody else can bind it first.
 *
 * @throws WinsockError WSAECONNREFUSED or an ENOENT-like error while nobody waits on `path` yet; WSAEACCES when
 * the process listening on `path` runs as another user; WSAETIMEDOUT after `options.timeout`
 */
export function sendSocket(path: string, s: SOCKET, options?: PassSocketOptions): void {
  native.sendSocket(path, s, passTimeout(options));
}

/**
 * Listens on the Unix-domain `path`, blocks until {@link sendSocket} passes a socket, removes `path` and returns
 * the socket as a SOCKET of this process. The first process to connect is the sender, and it must run as this
 * user: put `path` in a directory only this user can enter (mode 0700). Windows: WSAEOPNOTSUPP.
 *
 * @throws WinsockError WSAETIMEDOUT when no socket arrived within `options.timeout` (30 s by default; the call
 * blocks the thread, event loop included, until then); WSAEACCES when the sender runs as another user;
 * WSAENOTSOCK when it sent no descriptor; WSAEMSGSIZE when it sent more than one (all are closed)
 */
export function receiveSocket(path: string, options?: PassSocketOptions): SOCKET {
  return native.receiveSocket(path, passTimeout(options));
}

/** A datagram with packet info, from {@link recvmsg}. */
export interface Message extends SockAddr {
  /** The datagram's bytes. */
  data: Buffer;
  /** The local address the datagram was sent to (present once {@link enablePacketInfo} was called). */
  localAddress?: string;
  /** The index of the interface the datagram came in on. */
  interfaceIndex?: number;
}

/** Options of {@link sendmsg}. */
export interface SendMsgOptions {
  /** MSG_* flags, 0 by default. */
  flags?: number;
  /** The source address to send from (one of this host's, e.g. the `localAddress` a request came to). */
  localAddress?: string;
  /** The interface to send on; 0 lets the routing table choose. */
  interfaceIndex?: number;
}

/** Asks for packet info on every datagram: IP_PKTINFO on an IPv4 socket, IPV6_RECVPKTINFO/IPV6_PKTINFO on IPv6. */
export function enablePacketInfo(s: SOCKET): void {
  native.enablePacketInfo(s);
}

/**
 * Receives one datagram with its sender and, after {@link enablePacketInfo}, the local address it was sent to and
 * the interface it came in on (WSARecvMsg on Windows, recvmsg on POSIX).
 */
export function recvmsg(s: SOCKET, length: number, flags = 0): Message {
  return native.recvmsg(s, length, flags);
}

/**
 * Sends one datagram, optionally from a chosen local address and interface (WSASendMsg / sendmsg with
 * IP_PKTINFO or IPV6_PKTINFO): a server bound to a wildcard address can answer from the address it was reached on.
 */
export function sendmsg(s: SOCKET, data: SendData, address: string, port: number, options?: SendMsgOptions): number;
export function sendmsg(s: SOCKET, data: SendData, address: Exclude<AddressLike, string>, options?: SendMsgOptions): number;
export function sendmsg(
  s: SOCKET,
  data: SendData,
  address: AddressLike,
  portOrOptions?: number | SendMsgOptions,
  maybeOptions?: SendMsgOptions,
): number {
  const options = (typeof address === 'string' ? maybeOptions : (portOrOptions as SendMsgOptions | undefined)) ?? {};
  const [host, port] = splitAddressAndFlags(address, typeof address === 'string' ? (portOrOptions as number) : undefined);
  return native.sendmsg(s, toBytes(data), host, port, options.flags ?? 0, options.localAddress, options.interfaceIndex);
}
