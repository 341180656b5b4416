// Winsock's constants with this OS's values, read from the addon (AF_INET6 is 23 on Windows, 10 on Linux, 30 on
// macOS): never hard-coded here. A constant the OS lacks would be `undefined`.
import { native } from './native.js';

const c = native.constants;

/** Address families (`af` of `socket()`, `family` of results). */
export const AF_UNSPEC: number = c.AF_UNSPEC!;

/** Address families (`af` of `socket()`, `family` of results). */
export const AF_INET: number = c.AF_INET!;

/** Address families (`af` of `socket()`, `family` of results). */
export const AF_INET6: number = c.AF_INET6!;

/**
 * Address families: Unix-domain stream sockets (`afunix.h`, Windows 10 1803 and later; every POSIX system). The
 * address is a path, or on Linux an abstract name written with a leading `'\0'`.
 */
export const AF_UNIX: number = c.AF_UNIX!;

/** Socket types (`type` of `socket()`). */
export const SOCK_STREAM: number = c.SOCK_STREAM!;

/** Socket types (`type` of `socket()`). */
export const SOCK_DGRAM: number = c.SOCK_DGRAM!;

/** Socket types (`type` of `socket()`). */
export const SOCK_RAW: number = c.SOCK_RAW!;

/** Protocols (`protocol` of `socket()`). */
export const IPPROTO_IP: number = c.IPPROTO_IP!;

/** Protocols (`protocol` of `socket()`). */
export const IPPROTO_IPV6: number = c.IPPROTO_IPV6!;

/** Protocols (`protocol` of `socket()`). */
export const IPPROTO_ICMP: number = c.IPPROTO_ICMP!;

/** Protocols (`protocol` of `socket()`). */
export const IPPROTO_TCP: number = c.IPPROTO_TCP!;

/** Protocols (`protocol` of `socket()`). */
export const IPPROTO_UDP: number = c.IPPROTO_UDP!;

/** ICMP for IPv6 (`protocol` of a SOCK_RAW AF_INET6 socket). */
export const IPPROTO_ICMPV6: number = c.IPPROTO_ICMPV6!;

/** `getaddrinfo()` hint flags. */
export const AI_PASSIVE: number = c.AI_PASSIVE!;

/** `getaddrinfo()` hint flags. */
export const AI_CANONNAME: number = c.AI_CANONNAME!;

/** `getaddrinfo()` hint flags. */
export const AI_NUMERICHOST: number = c.AI_NUMERICHOST!;

/** `getaddrinfo()` hint flags. */
export const AI_NUMERICSERV: number = c.AI_NUMERICSERV!;

/** `getaddrinfo()` hint flags. */
export const AI_ADDRCONFIG: number = c.AI_ADDRCONFIG!;

/** `getaddrinfo()` hint flags. */
export const AI_V4MAPPED: number = c.AI_V4MAPPED!;

/** `getaddrinfo()` hint flags. */
export const AI_ALL: number = c.AI_ALL!;

/** `send()`/`recv()` flags. */
export const MSG_OOB: number = c.MSG_OOB!;

/** `send()`/`recv()` flags. */
export const MSG_PEEK: number = c.MSG_PEEK!;

/** `send()`/`recv()` flags. */
export const MSG_DONTROUTE: number = c.MSG_DONTROUTE!;

/** `send()`/`recv()` flags. */
export const MSG_WAITALL: number = c.MSG_WAITALL!;

/** `shutdown()` directions. */
export const SD_RECEIVE: number = c.SD_RECEIVE!;

/** `shutdown()` directions. */
export const SD_SEND: number = c.SD_SEND!;

/** `shutdown()` directions. */
export const SD_BOTH: number = c.SD_BOTH!;

/** `setsockopt()`/`getsockopt()` level for socket-wide options. */
export const SOL_SOCKET: number = c.SOL_SOCKET!;

/** Allow binding an address in TIME_WAIT (POSIX); on Windows, allow binding a port another socket uses. */
export const SO_REUSEADDR: number = c.SO_REUSEADDR!;

/** Send keep-alive probes on an idle connection. */
export const SO_KEEPALIVE: number = c.SO_KEEPALIVE!;

/** Allow sending datagrams to a broadcast address. */
export const SO_BROADCAST: number = c.SO_BROADCAST!;

/** Linger on close (a `struct linger`, set through a Buffer). */
export const SO_LINGER: number = c.SO_LINGER!;

/** The receive buffer size in bytes. */
export const SO_RCVBUF: number = c.SO_RCVBUF!;

/** The send buffer size in bytes. */
export const SO_SNDBUF: number = c.SO_SNDBUF!;

/**
 * The socket's pending error, as a Winsock number on every OS. As in Winsock, the error of a failed connect stays
 * until a connect succeeds (reading it does not clear it).
 */
export const SO_ERROR: number = c.SO_ERROR!;

/** Whether the socket is listening (read-only: setting it fails with WSAENOPROTOOPT). */
export const SO_ACCEPTCONN: number = c.SO_ACCEPTCONN!;

/** Urgent (MSG_OOB) data is read inline with the normal data instead of with MSG_OOB. */
export const SO_OOBINLINE: number = c.SO_OOBINLINE!;

/** The protocol's debug option (a BOOL); Windows accepts and reports it. */
export const SO_DEBUG: number = c.SO_DEBUG!;

/** The socket's type (SOCK_STREAM, ...), read-only. */
export const SO_TYPE: number = c.SO_TYPE!;

/**
 * Windows only: no other socket may bind this address and port, even with SO_REUSEADDR. `undefined` on POSIX,
 * where a bound port cannot be taken over without SO_REUSEPORT anyway.
 */
export const SO_EXCLUSIVEADDRUSE: number | undefined = c.SO_EXCLUSIVEADDRUSE;

/** Disable Nagle's algorithm (level IPPROTO_TCP). */
export const TCP_NODELAY: number = c.TCP_NODELAY!;

/** The IPv4 time-to-live (level IPPROTO_IP). */
export const IP_TTL: number = c.IP_TTL!;

/** Restrict an AF_INET6 socket to IPv6 (level IPPROTO_IPV6); 0 makes it dual-stack. Windows defaults to 1. */
export const IPV6_V6ONLY: number = c.IPV6_V6ONLY!;

/** Receive timeout in milliseconds, as Winsock's DWORD (a struct timeval on POSIX, converted). */
export const SO_RCVTIMEO: number = c.SO_RCVTIMEO!;

/** Send timeout in milliseconds, as Winsock's DWORD (a struct timeval on POSIX, converted). */
export const SO_SNDTIMEO: number = c.SO_SNDTIMEO!;

/** POSIX only: let several sockets bind one address and port. `undefined` on Windows, which has no such option. */
export const SO_REUSEPORT: number | undefined = c.SO_REUSEPORT;

/** TCP keep-alive idle time in seconds (level IPPROTO_TCP); `undefined` where the headers lack it. */
export const TCP_KEEPIDLE: number | undefined = c.TCP_KEEPIDLE;

/** TCP keep-alive probe interval in seconds (level IPPROTO_TCP); `undefined` where the headers lack it. */
export const TCP_KEEPINTVL: number | undefined = c.TCP_KEEPINTVL;

/** TCP keep-alive probe count (level IPPROTO_TCP); `undefined` where the headers lack it. */
export const TCP_KEEPCNT: number | undefined = c.TCP_KEEPCNT;

/** The IPv4 type of service byte (level IPPROTO_IP). */
export const IP_TOS: number = c.IP_TOS!;
/** The interface IPv4 multicast leaves from (level IPPROTO_IP). */
export const IP_MULTICAST_IF: number = c.IP_MULTICAST_IF!;
/** The TTL of IPv4 multicast (level IPPROTO_IP); 0 keeps it on this host. */
export const IP_MULTICAST_TTL: number = c.IP_MULTICAST_TTL!;
/** Whether IPv4 multicast loops back to this host's own sockets (level IPPROTO_IP). */
export const IP_MULTICAST_LOOP: number = c.IP_MULTICAST_LOOP!;
/** Join an IPv4 multicast group (level IPPROTO_IP). */
export const IP_ADD_MEMBERSHIP: number = c.IP_ADD_MEMBERSHIP!;
/** Leave an IPv4 multicast group (level IPPROTO_IP). */
export const IP_DROP_MEMBERSHIP: number = c.IP_DROP_MEMBERSHIP!;
/** The IPv6 hop limit of unicast (level IPPROTO_IPV6). */
export const IPV6_UNICAST_HOPS: number = c.IPV6_UNICAST_HOPS!;
/** The interface index IPv6 multicast leaves from (level IPPROTO_IPV6). */
export const IPV6_MULTICAST_IF: number = c.IPV6_MULTICAST_IF!;
/** The hop limit of IPv6 multicast (level IPPROTO_IPV6); 0 keeps it on this host. */
export const IPV6_MULTICAST_HOPS: number = c.IPV6_MULTICAST_HOPS!;
/** Whether IPv6 multicast loops back to this host's own sockets (level IPPROTO_IPV6). */
export const IPV6_MULTICAST_LOOP: number = c.IPV6_MULTICAST_LOOP!;
/** Join an IPv6 multicast group (level IPPROTO_IPV6). */
export const IPV6_JOIN_GROUP: number = c.IPV6_JOIN_GROUP!;
/** Leave an IPv6 multicast group (level IPPROTO_IPV6). */
export const IPV6_LEAVE_GROUP: number = c.IPV6_LEAVE_GROUP!;

/** `ioctlsocket()`: set (nonzero) or clear (0) nonblocking mode. */
export const FIONBIO: number = c.FIONBIO!;
/** `ioctlsocket()`: the number of bytes `recv` can read at once. */
export const FIONREAD: number = c.FIONREAD!;
/** `ioctlsocket()`: whether all out-of-band data has been read (nonzero when none is pending). */
export const SIOCATMARK: number = c.SIOCATMARK!;
/** `WSAIoctl()` code: keep-alive on/off, idle time and probe interval in milliseconds (emulated on POSIX). */
export const SIO_KEEPALIVE_VALS: number = c.SIO_KEEPALIVE_VALS!;
/** `WSAIoctl()` code: whether recvfrom reports an ICMP port unreachable as WSAECONNRESET (Windows). */
export const SIO_UDP_CONNRESET: number = c.SIO_UDP_CONNRESET!;
/** `WSAIoctl()` code: the Windows loopback fast path (deprecated by Microsoft; WSAEOPNOTSUPP on POSIX). */
export const SIO_LOOPBACK_FAST_PATH: number = c.SIO_LOOPBACK_FAST_PATH!;

/** `WSAPoll()` events and revents, with this OS's values. */
export const POLLRDNORM: number = c.POLLRDNORM!;
/** `WSAPoll()` event: priority band data can be read. */
export const POLLRDBAND: number = c.POLLRDBAND!;
/** `WSAPoll()` event: data can be read (POLLRDNORM | POLLRDBAND on Windows). */
export const POLLIN: number = c.POLLIN!;
/** `WSAPoll()` event: urgent data (not supported by Windows' provider). */
export const POLLPRI: number = c.POLLPRI!;
/** `WSAPoll()` event: normal data can be written. */
export const POLLWRNORM: number = c.POLLWRNORM!;
/** `WSAPoll()` event: data can be written. */
export const POLLOUT: number = c.POLLOUT!;
/** `WSAPoll()` event: priority data can be written. */
export const POLLWRBAND: number = c.POLLWRBAND!;
/** `WSAPoll()` revent: an error occurred. */
export const POLLERR: number = c.POLLERR!;
/** `WSAPoll()` revent: the connection was closed or aborted. */
export const POLLHUP: number = c.POLLHUP!;
/** `WSAPoll()` revent: the socket is not valid. */
export const POLLNVAL: number = c.POLLNVAL!;

/** `getnameinfo()` flag: only the host part of local names. */
export const NI_NOFQDN: number = c.NI_NOFQDN!;
/** `getnameinfo()` flag: the numeric address, not a name. */
export const NI_NUMERICHOST: number = c.NI_NUMERICHOST!;
/** `getnameinfo()` flag: fail (WSAHOST_NOT_FOUND) when the address has no name. */
export const NI_NAMEREQD: number = c.NI_NAMEREQD!;
/** `getnameinfo()` flag: the numeric port, not a service name. */
export const NI_NUMERICSERV: number = c.NI_NUMERICSERV!;
/** `getnameinfo()` flag: the service is a datagram service. */
export const NI_DGRAM: number = c.NI_DGRAM!;
/** The longest host name `getnameinfo()` returns. */
export const NI_MAXHOST: number = c.NI_MAXHOST!;
/** The longest service name `getnameinfo()` returns. */
export const NI_MAXSERV: number = c.NI_MAXSERV!;
/** 0.0.0.0 as a number. */
export const INADDR_ANY: number = c.INADDR_ANY!;
/** 127.0.0.1 as a number. */
export const INADDR_LOOPBACK: number = c.INADDR_LOOPBACK!;
/** 255.255.255.255 as a number. */
export const INADDR_BROADCAST: number = c.INADDR_BROADCAST!;

/** The largest listen backlog the OS accepts; `listen()`'s default. */
export const SOMAXCONN: number = c.SOMAXCONN!;

/** Winsock error 8. */
export const WSA_NOT_ENOUGH_MEMORY: number = c.WSA_NOT_ENOUGH_MEMORY!;

/** Winsock error 10004. */
export const WSAEINTR: number = c.WSAEINTR!;

/** Winsock error 10009. */
export const WSAEBADF: number = c.WSAEBADF!;

/** Winsock error 10013. */
export const WSAEACCES: number = c.WSAEACCES!;

/** Winsock error 10014. */
export const WSAEFAULT: number = c.WSAEFAULT!;

/** Winsock error 10022. */
export const WSAEINVAL: number = c.WSAEINVAL!;

/** Winsock error 10024. */
export const WSAEMFILE: number = c.WSAEMFILE!;

/** Winsock error 10035. */
export const WSAEWOULDBLOCK: number = c.WSAEWOULDBLOCK!;

/** Winsock error 10036. */
export const WSAEINPROGRESS: number = c.WSAEINPROGRESS!;

/** Winsock error 10037. */
export const WSAEALREADY: number = c.WSAEALREADY!;

/** Winsock error 10038. */
export const WSAENOTSOCK: number = c.WSAENOTSOCK!;

/** Winsock error 10039. */
export const WSAEDESTADDRREQ: number = c.WSAEDESTADDRREQ!;

/** Winsock error 10040. */
export const WSAEMSGSIZE: number = c.WSAEMSGSIZE!;

/** Winsock error 10041. */
export const WSAEPROTOTYPE: number = c.WSAEPROTOTYPE!;

/** Winsock error 10042. */
export const WSAENOPROTOOPT: number = c.WSAENOPROTOOPT!;

/** Winsock error 10043. */
export const WSAEPROTONOSUPPORT: number = c.WSAEPROTONOSUPPORT!;

/** Winsock error 10044. */
export const WSAESOCKTNOSUPPORT: number = c.WSAESOCKTNOSUPPORT!;

/** Winsock error 10045. */
export const WSAEOPNOTSUPP: number = c.WSAEOPNOTSUPP!;

/** Winsock error 10046. */
export const WSAEPFNOSUPPORT: number = c.WSAEPFNOSUPPORT!;

/** Winsock error 10047. */
export const WSAEAFNOSUPPORT: number = c.WSAEAFNOSUPPORT!;

/** Winsock error 10048. */
export const WSAEADDRINUSE: number = c.WSAEADDRINUSE!;

/** Winsock error 10049. */
export const WSAEADDRNOTAVAIL: number = c.WSAEADDRNOTAVAIL!;

/** Winsock error 10050. */
export const WSAENETDOWN: number = c.WSAENETDOWN!;

/** Winsock error 10051. */
export const WSAENETUNREACH: number = c.WSAENETUNREACH!;

/** Winsock error 10052. */
export const WSAENETRESET: number = c.WSAENETRESET!;

/** Winsock error 10053. */
export const WSAECONNABORTED: number = c.WSAECONNABORTED!;

/** Winsock error 10054. */
export const WSAECONNRESET: number = c.WSAECONNRESET!;

/** Winsock error 10055. */
export const WSAENOBUFS: number = c.WSAENOBUFS!;

/** Winsock error 10056. */
export const WSAEISCONN: number = c.WSAEISCONN!;

/** Winsock error 10057. */
export const WSAENOTCONN: number = c.WSAENOTCONN!;

/** Winsock error 10058. */
export const WSAESHUTDOWN: number = c.WSAESHUTDOWN!;

/** Winsock error 10059. */
export const WSAETOOMANYREFS: number = c.WSAETOOMANYREFS!;

/** Winsock error 10060. */
export const WSAETIMEDOUT: number = c.WSAETIMEDOUT!;

/** Winsock error 10061. */
export const WSAECONNREFUSED: number = c.WSAECONNREFUSED!;

/** Winsock error 10062. */
export const WSAELOOP: number = c.WSAELOOP!;

/** Winsock error 10063. */
export const WSAENAMETOOLONG: number = c.WSAENAMETOOLONG!;

/** Winsock error 10064. */
export const WSAEHOSTDOWN: number = c.WSAEHOSTDOWN!;

/** Winsock error 10065. */
export const WSAEHOSTUNREACH: number = c.WSAEHOSTUNREACH!;

/** Winsock error 10066. */
export const WSAENOTEMPTY: number = c.WSAENOTEMPTY!;

/** Winsock error 10067. */
export const WSAEPROCLIM: number = c.WSAEPROCLIM!;

/** Winsock error 10068. */
export const WSAEUSERS: number = c.WSAEUSERS!;

/** Winsock error 10069. */
export const WSAEDQUOT: number = c.WSAEDQUOT!;

/** Winsock error 10070. */
export const WSAESTALE: number = c.WSAESTALE!;

/** Winsock error 10071. */
export const WSAEREMOTE: number = c.WSAEREMOTE!;

/** Winsock error 10091. */
export const WSASYSNOTREADY: number = c.WSASYSNOTREADY!;

/** Winsock error 10092. */
export const WSAVERNOTSUPPORTED: number = c.WSAVERNOTSUPPORTED!;

/** Winsock error 10093. */
export const WSANOTINITIALISED: number = c.WSANOTINITIALISED!;

/** Winsock error 10101. */
export const WSAEDISCON: number = c.WSAEDISCON!;

/** Winsock error 10109. */
export const WSATYPE_NOT_FOUND: number = c.WSATYPE_NOT_FOUND!;

/** Winsock error 11001. */
export const WSAHOST_NOT_FOUND: number = c.WSAHOST_NOT_FOUND!;

/** Winsock error 11002. */
export const WSATRY_AGAIN: number = c.WSATRY_AGAIN!;

/** Winsock error 11003. */
export const WSANO_RECOVERY: number = c.WSANO_RECOVERY!;

/** Winsock error 11004. */
export const WSANO_DATA: number = c.WSANO_DATA!;
