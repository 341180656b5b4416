// Socket options by name, with their types: `setOption(s, 'SO_RCVTIMEO', 5000)`, `getOption(s, 'SO_LINGER')`.
// One table gives each option's level, constant and C type; the addon converts the types that differ between
// Winsock and POSIX (SO_RCVTIMEO is a DWORD of milliseconds in Winsock, a struct timeval in POSIX). An option this
// OS lacks fails with WSAENOPROTOOPT, as Winsock does for an unknown option: never silently.
import * as c from './constants.js';
import { WinsockError } from './errors.js';
import { invalidArgument } from './arguments.js';
import { native, type SOCKET } from './native.js';

/** SO_LINGER's value. */
export interface Linger {
  /** Linger on close. */
  onoff: boolean;
  /** How long, in seconds. */
  linger: number;
}

/** Every option `setOption`/`getOption` knows, with the type of its value. */
export interface SocketOptions {
  /** Lets a socket bind a local address in use (POSIX: one whose old connections are in TIME_WAIT; Windows: any, which is why the Server leaves it off). */
  SO_REUSEADDR: boolean;
  /** Windows only (WSAENOPROTOOPT on POSIX). */
  SO_EXCLUSIVEADDRUSE: boolean;
  /** POSIX only (WSAENOPROTOOPT on Windows). */
  SO_REUSEPORT: boolean;
  /** Sends TCP keep-alive probes on an idle connection. */
  SO_KEEPALIVE: boolean;
  /** Allows sending datagrams to a broadcast address (WSAEACCES without it). */
  SO_BROADCAST: boolean;
  /** What `closesocket` does with unsent data: `{ onoff: true, linger: 0 }` resets the connection. */
  SO_LINGER: Linger;
  /** The receive buffer's size, in bytes (Linux reports twice the size set, its bookkeeping included). */
  SO_RCVBUF: number;
  /** The send buffer's size, in bytes (Linux reports twice the size set, its bookkeeping included). */
  SO_SNDBUF: number;
  /** Milliseconds; 0 waits without limit. */
  SO_RCVTIMEO: number;
  /** Milliseconds; 0 waits without limit. */
  SO_SNDTIMEO: number;
  /** Read-only: the pending error (and clears it). */
  SO_ERROR: number;
  /** Read-only: SOCK_STREAM, SOCK_DGRAM, ... */
  SO_TYPE: number;
  /** Turns Nagle's algorithm off: small writes go out at once instead of waiting for an ACK. */
  TCP_NODELAY: boolean;
  /** Seconds. */
  TCP_KEEPIDLE: number;
  /** Seconds. */
  TCP_KEEPINTVL: number;
  /** How many unanswered keep-alive probes end the connection. */
  TCP_KEEPCNT: number;
  /** The time-to-live of outgoing IPv4 packets. */
  IP_TTL: number;
  /** The IPv4 type-of-service byte (Windows ignores it: set through setsockopt it changes nothing there). */
  IP_TOS: number;
  /** The time-to-live of outgoing IPv4 multicast datagrams (1 by default: this network only). */
  IP_MULTICAST_TTL: number;
  /** Whether this host's own IPv4 multicast datagrams are delivered back to it. */
  IP_MULTICAST_LOOP: boolean;
  /** Write-only here: the IPv4 address of the interface multicast leaves from. */
  IP_MULTICAST_IF: string;
  /** Restricts an AF_INET6 socket to IPv6; false makes it dual-stack (Windows defaults to true). */
  IPV6_V6ONLY: boolean;
  /** The hop limit of outgoing IPv6 unicast packets. */
  IPV6_UNICAST_HOPS: number;
  /** The hop limit of outgoing IPv6 multicast datagrams. */
  IPV6_MULTICAST_HOPS: number;
  /** Whether this host's own IPv6 multicast datagrams are delivered back to it. */
  IPV6_MULTICAST_LOOP: boolean;
  /** The interface index IPv6 multicast leaves from. */
  IPV6_MULTICAST_IF: number;
}

/** The name of an option `setOption`/`getOption` knows. */
export type SocketOptionName = keyof SocketOptions;

type Kind = 'bool' | 'int' | 'milliseconds' | 'linger' | 'ipv4-address';

interface OptionSpec {
  level: number;
  optname: number | undefined;
  kind: Kind;
  readOnly?: boolean;
  writeOnly?: boolean;
}

const options: Readonly<Record<SocketOptionName, OptionSpec>> = {
  SO_REUSEADDR: { level: c.SOL_SOCKET, optname: c.SO_REUSEADDR, kind: 'bool' },
  SO_EXCLUSIVEADDRUSE: { level: c.SOL_SOCKET, optname: c.SO_EXCLUSIVEADDRUSE, kind: 'bool' },
  SO_REUSEPORT: { level: c.SOL_SOCKET, optname: c.SO_REUSEPORT, kind: 'bool' },
  SO_KEEPALIVE: { level: c.SOL_SOCKET, optname: c.SO_KEEPALIVE, kind: 'bool' },
  SO_BROADCAST: { level: c.SOL_SOCKET, optname: c.SO_BROADCAST, kind: 'bool' },
  SO_LINGER: { level: c.SOL_SOCKET, optname: c.SO_LINGER, kind: 'linger' },
  SO_RCVBUF: { level: c.SOL_SOCKET, optname: c.SO_RCVBUF, kind: 'int' },
  SO_SNDBUF: { level: c.SOL_SOCKET, optname: c.SO_SNDBUF, kind: 'int' },
  SO_RCVTIMEO: { level: c.SOL_SOCKET, optname: c.SO_RCVTIMEO, kind: 'milliseconds' },
  SO_SNDTIMEO: { level: c.SOL_SOCKET, optname: c.SO_SNDTIMEO, kind: 'milliseconds' },
  SO_ERROR: { level: c.SOL_SOCKET, optname: c.SO_ERROR, kind: 'int', readOnly: true },
  SO_TYPE: { level: c.SOL_SOCKET, optname: c.SO_TYPE, kind: 'int', readOnly: true },
  TCP_NODELAY: { level: c.IPPROTO_TCP, optname: c.TCP_NODELAY, kind: 'bool' },
  TCP_KEEPIDLE: { level: c.IPPROTO_TCP, optname: c.TCP_KEEPIDLE, kind: 'int' },
  TCP_KEEPINTVL: { level: c.IPPROTO_TCP, optname: c.TCP_KEEPINTVL, kind: 'int' },
  TCP_KEEPCNT: { level: c.IPPROTO_TCP, optname: c.TCP_KEEPCNT, kind: 'int' },
  IP_TTL: { level: c.IPPROTO_IP, optname: c.IP_TTL, kind: 'int' },
  IP_TOS: { level: c.IPPROTO_IP, optname: c.IP_TOS, kind: 'int' },
  IP_MULTICAST_TTL: { level: c.IPPROTO_IP, optname: c.IP_MULTICAST_TTL, kind: 'int' },
  IP_MULTICAST_LOOP: { level: c.IPPROTO_IP, optname: c.IP_MULTICAST_LOOP, kind: 'bool' },
  IP_MULTICAST_IF: { level: c.IPPROTO_IP, optname: c.IP_MULTICAST_IF, kind: 'ipv4-address', writeOnly: true },
  IPV6_V6ONLY: { level: c.IPPROTO_IPV6, optname: c.IPV6_V6ONLY, kind: 'bool' },
  IPV6_UNICAST_HOPS: { level: c.IPPROTO_IPV6, optname: c.IPV6_UNICAST_HOPS, kind: 'int' },
  IPV6_MULTICAST_HOPS: { level: c.IPPROTO_IPV6, optname: c.IPV6_MULTICAST_HOPS, kind: 'int' },
  IPV6_MULTICAST_LOOP: { level: c.IPPROTO_IPV6, optname: c.IPV6_MULTICAST_LOOP, kind: 'bool' },
  IPV6_MULTICAST_IF: { level: c.IPPROTO_IPV6, optname: c.IPV6_MULTICAST_IF, kind: 'int' },
};

function specOf(name: SocketOptionName, syscall: string): OptionSpec & { optname: number } {
  // Checked before the lookup: hasOwn converts its key to a string, which throws a bare TypeError for an object that
  // cannot be converted (a null-prototype object, a view of a detached buffer).
  const spec = typeof name === 'string' && Object.hasOwn(options, name) ? options[name] : undefined;
  if (spec === undefined) throw invalidArgument('optname', `one of ${Object.keys(options).join(', ')}`, name);
  // The OS has no such option: Winsock's answer for an option it does not know.
  if (spec.optname === undefined) throw new WinsockError(c.WSAENOPROTOOPT, syscall);
  return spec as OptionSpec & { optname: number };
}

/**
 * Sets an option by name with a typed value: `setOption(s, 'SO_KEEPALIVE', true)`,
 * `setOption(s, 'SO_RCVTIMEO', 5000)`, `setOption(s, 'SO_LINGER', { onoff: true, linger: 0 })`.
 *
 * @throws WinsockError WSAENOPROTOOPT for an option this OS does not have (SO_EXCLUSIVEADDRUSE on POSIX,
 * SO_REUSEPORT on Windows) or a read-only one; TypeError for a value of the wrong type
 */
export function setOption<K extends SocketOptionName>(s: SOCKET, name: K, value: SocketOptions[K]): void {
  const spec = specOf(name, 'setsockopt');
  if (spec.readOnly) throw new WinsockError(c.WSAENOPROTOOPT, 'setsockopt');
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw invalidArgument('value', `a boolean for ${name}`, value);
      return native.setsockopt(s, spec.level, spec.optname, value);
    case 'int':
      if (typeof value !== 'number') throw invalidArgument('value', `a number for ${name}`, value);
      return native.setsockopt(s, spec.level, spec.optname, value);
    case 'milliseconds':
      if (typeof value !== 'number') throw invalidArgument('value', `a number of milliseconds for ${name}`, value);
      return native.setTimeoutOption(s, spec.optname, value);
    case 'linger': {
      const linger = value as Linger;
      if (linger === null || typeof linger !== 'object') throw invalidArgument('value', '{ onoff, linger }', value);
      return native.setLinger(s, linger.onoff, linger.linger);
    }
    case 'ipv4-address':
      if (typeof value !== 'string') throw invalidArgument('value', `an IPv4 address for ${name}`, value);
      return native.setMulticastInterface4(s, value);
  }
}

/**
 * Reads an option by name, typed: `getOption(s, 'SO_TYPE') === SOCK_STREAM`.
 *
 * @throws WinsockError WSAENOPROTOOPT for an option this OS does not have
 */
export function getOption<K extends Exclude<SocketOptionName, 'IP_MULTICAST_IF'>>(s: SOCKET, name: K): SocketOptions[K] {
  const spec = specOf(name, 'getsockopt');
  if (spec.writeOnly) throw new WinsockError(c.WSAENOPROTOOPT, 'getsockopt');
  const read = (): unknown => {
    switch (spec.kind) {
      case 'bool':
        return native.getsockopt(s, spec.level, spec.optname) !== 0;
      case 'milliseconds':
        return native.getTimeoutOption(s, spec.optname);
      case 'linger':
        return native.getLinger(s);
      default:
        return native.getsockopt(s, spec.level, spec.optname);
    }
  };
  return read() as SocketOptions[K];
}

/**
 * Joins a multicast group: IP_ADD_MEMBERSHIP for an IPv4 group (`iface` a local IPv4 address, any if omitted),
 * IPV6_JOIN_GROUP for an IPv6 group (`iface` an interface index, 0 for the default).
 */
export function addMembership(s: SOCKET, group: string, iface?: string | number): void {
  membership(s, group, iface, true);
}

/** Leaves a multicast group joined with `addMembership`. */
export function dropMembership(s: SOCKET, group: string, iface?: string | number): void {
  membership(s, group, iface, false);
}

function membership(s: SOCKET, group: string, iface: string | number | undefined, join: boolean): void {
  if (typeof group !== 'string') throw invalidArgument('group', 'a numeric multicast address', group);
  if (group.includes(':')) {
    const index = iface ?? 0;
    if (typeof index !== 'number') throw invalidArgument('iface', 'an interface index for an IPv6 group', iface);
    native.setMembership(s, c.IPPROTO_IPV6, join ? c.IPV6_JOIN_GROUP : c.IPV6_LEAVE_GROUP, group, null, index);
    return;
  }
  if (iface !== undefined && typeof iface !== 'string') {
    throw invalidArgument('iface', 'a local IPv4 address for an IPv4 group', iface);
  }
  native.setMembership(s, c.IPPROTO_IP, join ? c.IP_ADD_MEMBERSHIP : c.IP_DROP_MEMBERSHIP, group, iface ?? null, 0);
}

/**
 * ioctlsocket, returning `argp` as the call leaves it: `FIONBIO` sets (1) or clears (0) nonblocking mode (and
 * returns the value given); `FIONREAD` returns how many bytes `recv` can read at once. A socket the async API has used cannot be made blocking again (WSAEINVAL), as Winsock
 * refuses FIONBIO off while WSAEventSelect is active.
 */
export function ioctlsocket(s: SOCKET, cmd: number, argp = 0): number {
  return native.ioctlsocket(s, cmd, argp);
}

/** SIO_KEEPALIVE_VALS' input: keep-alive on/off, the idle time and the probe interval, in milliseconds. */
export interface KeepAliveValues {
  /** Keep-alive on or off. */
  onoff: boolean;
  /** Milliseconds of idleness before the first probe. */
  keepalivetime: number;
  /** Milliseconds between unanswered probes. */
  keepaliveinterval: number;
}

/**
 * WSAIoctl for the Winsock control codes this package knows:
 * `SIO_KEEPALIVE_VALS` with `{ onoff, keepalivetime, keepaliveinterval }` (POSIX: SO_KEEPALIVE with TCP_KEEPIDLE and
 * TCP_KEEPINTVL, rounded up to whole seconds), and `SIO_LOOPBACK_FAST_PATH` / `SIO_UDP_CONNRESET` with a boolean.
 * On POSIX, `SIO_UDP_CONNRESET` false is what POSIX always does (accepted); true and `SIO_LOOPBACK_FAST_PATH` have no
 * POSIX counterpart and fail with WSAEOPNOTSUPP.
 */
export function WSAIoctl(s: SOCKET, code: number, input: KeepAliveValues | boolean): void {
  if (code === c.SIO_KEEPALIVE_VALS) {
    const values = input as KeepAliveValues;
    if (values === null || typeof values !== 'object') {
      throw invalidArgument('input', '{ onoff, keepalivetime, keepaliveinterval }', input);
    }
    native.setKeepAliveValues(s, values.onoff, values.keepalivetime, values.keepaliveinterval);
    return;
  }
  if (code !== c.SIO_LOOPBACK_FAST_PATH && code !== c.SIO_UDP_CONNRESET) {
    throw invalidArgument('code', 'SIO_KEEPALIVE_VALS, SIO_LOOPBACK_FAST_PATH or SIO_UDP_CONNRESET', code);
  }
  if (typeof input !== 'boolean') throw invalidArgument('input', 'a boolean', input);
  native.booleanIoctl(s, code, input);
}
