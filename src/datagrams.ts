// Datagrams: sendto and recvfrom, 1:1 with Winsock's. A UDP socket may also be connect()ed, then send/recv work
// on it as on a stream, and only datagrams from the connected peer arrive.
import { splitAddressAndFlags, toBytes } from './arguments.js';
import { native, type SOCKET } from './native.js';
import type { AddressLike, SendData, SockAddr } from './types.js';

/** A datagram read into a new Buffer, with the sender's address. */
export interface Datagram extends SockAddr {
  /** The datagram's bytes. */
  data: Buffer;
}

/** A datagram read into the caller's buffer: its length, with the sender's address. */
export interface DatagramInto extends SockAddr {
  /** How many bytes of the caller's buffer the datagram filled. */
  bytes: number;
}

/**
 * Sends one datagram to `address`:`port` (or to an `AddrInfo`/`SockAddr`).
 *
 * @param flags - MSG_* flags, 0 by default
 * @returns the bytes sent: the whole datagram
 * @throws WinsockError WSAEMSGSIZE for a datagram larger than the protocol allows, WSAEACCES for a broadcast address
 * without SO_BROADCAST, WSAEAFNOSUPPORT for an address of the other family, ...
 */
export function sendto(s: SOCKET, data: SendData, address: string, port: number, flags?: number): number;
export function sendto(s: SOCKET, data: SendData, address: Exclude<AddressLike, string>, flags?: number): number;
export function sendto(s: SOCKET, data: SendData, address: AddressLike, portOrFlags?: number, maybeFlags?: number): number {
  const [host, port, flags] = splitAddressAndFlags(address, portOrFlags, maybeFlags);
  return native.sendto(s, toBytes(data), host, port, flags);
}

/**
 * Receives one datagram and its sender's address. With a length, returns `{ data, family, address, port }`; with a
 * buffer, reads into it (no copy) and returns `{ bytes, family, address, port }`. A datagram longer than the buffer
 * fails with WSAEMSGSIZE (the rest is lost), on Windows and on POSIX alike (docs/udp.md).
 */
export function recvfrom(s: SOCKET, len: number, flags?: number): Datagram;
export function recvfrom(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags?: number): DatagramInto;
export function recvfrom(s: SOCKET, bufOrLen: number | ArrayBufferView | ArrayBuffer, flags = 0): Datagram | DatagramInto {
  return typeof bufOrLen === 'number' ? native.recvfrom(s, bufOrLen, flags) : native.recvfrom(s, bufOrLen, flags);
}
