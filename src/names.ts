// Names and numeric addresses: getnameinfo, gethostname, inet_pton, inet_ntop.
import { splitAddressAndFlags } from './arguments.js';
import { native } from './native.js';
import type { AddressLike } from './types.js';

/** What `getnameinfo` returns. */
export interface NameInfo {
  /** The host name (or the numeric address, with NI_NUMERICHOST). */
  host: string;
  /** The service name (or the port number as text, with NI_NUMERICSERV). */
  service: string;
}

/**
 * The host and service names of a socket address (GetNameInfoW on Windows).
 *
 * @param flags - NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD, NI_NOFQDN, NI_DGRAM
 * @throws WinsockError WSAHOST_NOT_FOUND with NI_NAMEREQD for an address without a name, WSAEINVAL for a
 * non-numeric address, ...
 */
export function getnameinfo(address: string, port: number, flags?: number): NameInfo;
export function getnameinfo(address: Exclude<AddressLike, string>, flags?: number): NameInfo;
export function getnameinfo(address: AddressLike, portOrFlags?: number, maybeFlags?: number): NameInfo {
  const [host, port, flags] = splitAddressAndFlags(address, portOrFlags, maybeFlags);
  return native.getnameinfo(host, port, flags);
}


/** This machine's host name (GetHostNameW on Windows, so non-ASCII names come back intact). */
export function gethostname(): string {
  return native.gethostname();
}

/**
 * A numeric address's bytes in network order: 4 for AF_INET, 16 for AF_INET6.
 *
 * @throws WinsockError WSAEAFNOSUPPORT for another family, WSAEINVAL for text that is not such an address
 */
export function inet_pton(family: number, address: string): Buffer {
  return native.inet_pton(family, address);
}

/**
 * The text of a numeric address from its bytes: 4 for AF_INET, 16 for AF_INET6 (an IPv4-mapped IPv6 address
 * prints as `::ffff:127.0.0.1`, as on Windows).
 *
 * @throws WinsockError WSAEAFNOSUPPORT for another family, WSAEINVAL for a wrong length
 */
export function inet_ntop(family: number, bytes: ArrayBufferView | ArrayBuffer): string {
  return native.inet_ntop(family, bytes);
}
