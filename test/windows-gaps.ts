// Where the suite ported from Wine's ws2_32 tests (test/conformance/windows-*.test.ts) cannot pass, by exact test
// name: the POSIX build's remaining differences from Windows (the README's POSIX section says the same), and the
// places where Wine is not Windows. test/harness.ts applies both; docs/windows-conformance.md lists every check.

/** A difference of the POSIX build from Windows that Linux cannot (or should not) be made to hide. */
export interface PosixGap {
  readonly skipOn: readonly ('linux' | 'qemu' | 'macos')[];
  readonly reason: string;
}

const posix = ['linux', 'qemu', 'macos'] as const; // qemu: the linux-arm64 build, emulated

export const windowsSuiteGaps: Readonly<Record<string, PosixGap>> = {
  'sock.c test_set_getsockopt: SO_RCVBUF reads back exactly the size set': {
    skipOn: posix,
    reason: 'Linux doubles the buffer size set (room for its bookkeeping) and reports the doubled size',
  },
  'sock.c test_accept_inheritance: an accepted socket inherits the buffer sizes and timeouts of the listener exactly': {
    skipOn: posix,
    reason: 'Linux doubles buffer sizes and keeps timeouts in clock ticks (the accepted socket does inherit them)',
  },
  'sock.c test_reuseaddr: two sockets with SO_REUSEADDR both listen on one port, and a connection goes to the first': {
    skipOn: posix,
    reason: "Linux's SO_REUSEADDR lets two sockets bind a port but only one listen (WSAEADDRINUSE); SO_REUSEPORT is not the same rule",
  },
  'sock.c test_ipv6only: a dual-stack IPv6 socket with SO_EXCLUSIVEADDRUSE keeps an IPv4 SO_REUSEADDR bind out (WSAEACCES)': {
    skipOn: posix,
    reason: 'POSIX has no SO_EXCLUSIVEADDRUSE (the constant is undefined there)',
  },
  'protocol.c test_startup: WSADATA describes the implementation as "WinSock 2.0"': {
    skipOn: posix,
    reason: 'the POSIX build says "WinSock 2.0 (POSIX sockets)" on purpose, so a program can tell the two apart',
  },
};

/**
 * A test Wine fails because Wine is not Windows there (its own ws2_32 tests mark the assertion todo_wine). `since`:
 * the first Wine major version known to depart; a later one is assumed to depart alike until it is tried, and a
 * Wine whose version the runner did not say is assumed to depart. Never counted as a pass.
 */
export interface WineDeparture {
  readonly since: number;
  readonly reason: string;
}

export const wineDepartures: Readonly<Record<string, WineDeparture>> = {
  'sock.c test_reuseaddr: two sockets with SO_REUSEADDR both listen on one port, and a connection goes to the first': {
    since: 8,
    reason: "the second listen fails with WSAEADDRINUSE, Linux's rule (todo_wine in test_reuseaddr)",
  },
  'sock.c test_connecting_socket: recv and send while a connect is under way fail with WSAENOTCONN': {
    since: 8,
    reason: 'recv and send on a connecting socket fail with WSAEWOULDBLOCK (todo_wine in test_connecting_socket)',
  },
  'sock.c test_select: after a failed connect, a connect that succeeds clears SO_ERROR and makes the socket writable': {
    since: 8,
    reason: 'the connect after a failed one fails with WSAECONNABORTED (todo_wine in test_select)',
  },
  'sock.c test_tcp_reset: after the peer resets, recv fails with WSAECONNRESET': {
    since: 8,
    reason: 'recv after a reset returns 0 instead of failing with WSAECONNRESET (todo_wine in test_tcp_reset)',
  },
  'sock.c test_connect_udp: send on an unconnected UDP socket fails with WSAENOTCONN': {
    since: 8,
    reason: 'send on an unconnected UDP socket fails with WSAEINVAL (todo_wine in test_connect_udp)',
  },
  'sock.c test_connect_udp: recv on an unbound UDP socket fails with WSAEINVAL; bound and empty, WSAEWOULDBLOCK': {
    since: 8,
    reason: 'recv on an unbound UDP socket fails with WSAEWOULDBLOCK (todo_wine in test_connect_udp)',
  },
  'sock.c test_connect_udp: a connected UDP socket sends to its peer; the peer stays unconnected': {
    since: 8,
    reason: 'send on the unconnected peer fails with WSAEINVAL, not WSAENOTCONN (todo_wine in test_connect_udp)',
  },
  'sock.c test_fionread_siocatmark: SIOCATMARK is FALSE while urgent data waits, TRUE once it is read': {
    since: 8,
    reason: 'SIOCATMARK stays FALSE after the urgent byte is read (todo_wine in test_fionread_siocatmark)',
  },
  'sock.c test_WSAPoll: a failed nonblocking connect reports POLLHUP and POLLERR, with POLLWRNORM when asked': {
    since: 8,
    reason: 'WSAPoll reports a failed connect as POLLERR alone (todo_wine in test_WSAPoll)',
  },
  'sock.c test_select: a failed nonblocking connect is in the except set only': {
    since: 8,
    reason:
      'sometimes the failed connect is in the read set too (count 2): Wine 8.0 on a CI machine, once; it passed on ' +
      'the same build elsewhere. Its server maps the Linux socket\'s POLLHUP to a read event, so it races the connect',
  },
  'sock.c test_WSASocket: an unknown family with an unknown protocol fails with WSAEAFNOSUPPORT': {
    since: 8,
    reason: 'an unknown family with an unknown protocol fails with WSAEPROTONOSUPPORT (todo_wine in test_WSASocket)',
  },
  // test/conformance/review-attacks.test.ts
  'a connected UDP socket reports an ICMP port unreachable as WSAECONNRESET, as Winsock does (not WSAECONNREFUSED)': {
    since: 8,
    reason: 'the ICMP port unreachable is never reported: the recv waits until its 2 s timeout (WSAETIMEDOUT), seen ' +
      'on Wine 8.0 here; Windows reports it as WSAECONNRESET (its recv and send pages)',
  },
};
