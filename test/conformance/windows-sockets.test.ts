// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c), checks that pass on Windows: socket creation, bind,
// listen, getsockname and getpeername. Each test names the Wine function its checks come from.
import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';
import { errnoOf } from '../windows-support.js';

describe('Windows conformance (Wine ws2_32 tests): sockets, bind, listen, names', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('sock.c test_WSASocket: an unknown family, type or protocol fails with the error Windows gives', () => {
    const { AF_INET, SOCK_STREAM, SOCK_DGRAM, IPPROTO_TCP, IPPROTO_UDP } = ws;
    const table: [number, number, number, string][] = [
      [0xdead, SOCK_STREAM, IPPROTO_TCP, 'WSAEAFNOSUPPORT'],
      [AF_INET, 0xdead, IPPROTO_TCP, 'WSAESOCKTNOSUPPORT'],
      [AF_INET, SOCK_STREAM, 0xdead, 'WSAEPROTONOSUPPORT'],
      [0xdead, 0xdead, IPPROTO_TCP, 'WSAESOCKTNOSUPPORT'],
      [AF_INET, 0xdead, 0xdead, 'WSAESOCKTNOSUPPORT'],
      [AF_INET, SOCK_STREAM, IPPROTO_UDP, 'WSAEPROTONOSUPPORT'],
      [AF_INET, SOCK_DGRAM, IPPROTO_TCP, 'WSAEPROTONOSUPPORT'],
    ];
    for (const [af, type, protocol, code] of table) {
      assert.equal(errnoOf(() => scope.track(ws.socket(af, type, protocol))), ws[code as 'WSAEINVAL'], `socket(${af}, ${type}, ${protocol})`);
    }
  });

  test('sock.c test_WSASocket: an unknown family with an unknown protocol fails with WSAEAFNOSUPPORT', () => {
    assert.equal(errnoOf(() => scope.track(ws.socket(0xdead, ws.SOCK_STREAM, 0xdead))), ws.WSAEAFNOSUPPORT);
  });

  test('sock.c test_WSASocket: protocol 0 picks TCP for a stream and UDP for a datagram socket (SO_TYPE reads back)', () => {
    const stream = scope.track(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0));
    const datagram = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    assert.equal(ws.getsockopt(stream, ws.SOL_SOCKET, ws.SO_TYPE), ws.SOCK_STREAM);
    assert.equal(ws.getsockopt(datagram, ws.SOL_SOCKET, ws.SO_TYPE), ws.SOCK_DGRAM);
    assertWinsockError(() => ws.setsockopt(stream, ws.SOL_SOCKET, ws.SO_TYPE, ws.SOCK_DGRAM), 'WSAENOPROTOOPT', 'setsockopt');
  });

  test('sock.c test_errors: a refused blocking connect fails with WSAECONNREFUSED and the socket is not writable', () => {
    const s = scope.tcp();
    const closed = scope.tcp();
    ws.bind(closed, '127.0.0.1', 0);
    const port = ws.getsockname(closed).port;
    scope.close(closed);
    assertWinsockError(() => ws.connect(s, '127.0.0.1', port), 'WSAECONNREFUSED', 'connect');
    assert.deepEqual(ws.select(null, [s], null, 50), { count: 0, read: [], write: [], except: [] });
  });

  test('sock.c test_listen: listen before bind fails with WSAEINVAL; after it, twice succeeds; SO_ACCEPTCONN reads it', () => {
    const a = scope.tcp();
    const b = scope.tcp();
    assertWinsockError(() => ws.listen(a, 1), 'WSAEINVAL', 'listen');
    assertWinsockError(() => ws.listen(a), 'WSAEINVAL', 'listen');
    ws.bind(a, '127.0.0.1', 0);
    const port = ws.getsockname(a).port;
    assert.equal(ws.getsockopt(a, ws.SOL_SOCKET, ws.SO_ACCEPTCONN), 0);
    assertWinsockError(() => ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, 1), 'WSAENOPROTOOPT', 'setsockopt');
    assertWinsockError(() => ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, 0), 'WSAENOPROTOOPT', 'setsockopt');
    ws.listen(a, 0);
    ws.listen(a); // a second listen on a listening socket succeeds
    assert.equal(ws.getsockopt(a, ws.SOL_SOCKET, ws.SO_ACCEPTCONN), 1);
    assertWinsockError(() => ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, 1), 'WSAENOPROTOOPT', 'setsockopt');
    assertWinsockError(() => ws.listen(b), 'WSAEINVAL', 'listen');
    assertWinsockError(() => ws.bind(b, '127.0.0.1', port), 'WSAEADDRINUSE', 'bind');
  });

  test('sock.c test_bind: an address the host lacks, a second bind, and an address in use fail as on Windows', () => {
    const s = scope.tcp();
    assertWinsockError(() => ws.bind(s, '192.0.2.0', 0), 'WSAEADDRNOTAVAIL', 'bind');
    ws.bind(s, '127.0.0.1', 0);
    assertWinsockError(() => ws.bind(s, '127.0.0.1', 0), 'WSAEINVAL', 'bind');
    const other = scope.tcp();
    assertWinsockError(() => ws.bind(other, '127.0.0.1', ws.getsockname(s).port), 'WSAEADDRINUSE', 'bind');
    const udp = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    ws.bind(udp, '127.0.0.1', 0);
  });

  test('sock.c test_getsockname: a socket never bound has no name (WSAEINVAL); bound to the wildcard it reads back 0.0.0.0 and a port', () => {
    const s = scope.track(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_IP));
    assertWinsockError(() => ws.getsockname(s), 'WSAEINVAL', 'getsockname');
    ws.bind(s, '0.0.0.0', 0);
    const name = ws.getsockname(s);
    assert.equal(name.family, ws.AF_INET);
    assert.equal(name.address, '0.0.0.0');
    assert.notEqual(name.port, 0);
  });

  test('sock.c test_getpeername: an unconnected UDP socket has no peer, sendto does not give it one, connect does', () => {
    const s = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_IP));
    assertWinsockError(() => ws.getpeername(s), 'WSAENOTCONN', 'getpeername');
    const target = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    ws.bind(target, '127.0.0.1', 0);
    const port = ws.getsockname(target).port;
    assert.equal(ws.sendto(s, 'hello world', '127.0.0.1', port), 11);
    assertWinsockError(() => ws.getpeername(s), 'WSAENOTCONN', 'getpeername');
    ws.connect(s, '127.0.0.1', port);
    assert.deepEqual(ws.getpeername(s), { family: ws.AF_INET, address: '127.0.0.1', port });
  });

  test('sock.c test_getpeername: a closed socket fails with WSAENOTSOCK', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    ws.closesocket(s);
    assertWinsockError(() => ws.getpeername(s), 'WSAENOTSOCK', 'getpeername');
    assertWinsockError(() => ws.listen(s), 'WSAENOTSOCK', 'listen');
  });

  test('sock.c test_reuseaddr: without SO_REUSEADDR a second bind to a bound address and port fails with WSAEADDRINUSE', () => {
    for (const address of ['127.0.0.1', '0.0.0.0']) {
      const first = scope.tcp();
      ws.bind(first, address, 0);
      const second = scope.tcp();
      assertWinsockError(() => ws.bind(second, address, ws.getsockname(first).port), 'WSAEADDRINUSE', 'bind');
    }
  });

  test('sock.c test_reuseaddr: a bind without SO_REUSEADDR fails where a socket with it is bound; with it, succeeds', () => {
    const first = scope.tcp();
    ws.setsockopt(first, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1);
    ws.bind(first, '127.0.0.1', 0);
    const port = ws.getsockname(first).port;
    const second = scope.tcp();
    assert.equal(ws.getsockopt(second, ws.SOL_SOCKET, ws.SO_REUSEADDR), 0);
    assert.throws(() => ws.bind(second, '127.0.0.1', port), ws.WinsockError);
    ws.setsockopt(second, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1);
    ws.bind(second, '127.0.0.1', port);
  });

  test('sock.c test_reuseaddr: two sockets with SO_REUSEADDR both listen on one port, and a connection goes to the first', () => {
    const first = scope.tcp();
    const second = scope.tcp();
    ws.setsockopt(first, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1);
    ws.setsockopt(second, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1);
    ws.bind(first, '127.0.0.1', 0);
    const port = ws.getsockname(first).port;
    ws.bind(second, '127.0.0.1', port);
    ws.listen(first, 1);
    ws.listen(second, 1);
    const client = scope.tcp();
    ws.connect(client, '127.0.0.1', port);
    scope.track(ws.accept(first).socket);
  });

  test('sock.c test_ipv6only: IPV6_V6ONLY is on by default, so an IPv4 socket binds the port an IPv6 wildcard holds', () => {
    onAPortFreeOnIPv4(() => {
      const v6 = scope.tcp(ws.AF_INET6);
      assert.equal(ws.getsockopt(v6, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY), 1);
      ws.bind(v6, '::', 0);
      const v4 = scope.tcp();
      ws.bind(v4, '0.0.0.0', ws.getsockname(v6).port);
    });
  });

  test('sock.c test_ipv6only: IPV6_V6ONLY reads back 0 once cleared, and stays 0 after bind', () => {
    const v6 = scope.tcp(ws.AF_INET6);
    ws.setsockopt(v6, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 0);
    assert.equal(ws.getsockopt(v6, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY), 0);
    ws.bind(v6, '::', 0);
    assert.equal(ws.getsockopt(v6, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY), 0);
  });

  test('sock.c test_ipv6only: a dual-stack IPv6 socket with SO_EXCLUSIVEADDRUSE keeps an IPv4 SO_REUSEADDR bind out (WSAEACCES)', () => {
    onAPortFreeOnIPv4(() => {
      const v6 = scope.tcp(ws.AF_INET6);
      ws.setsockopt(v6, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 0);
      ws.setsockopt(v6, ws.SOL_SOCKET, ws.SO_EXCLUSIVEADDRUSE!, 1);
      ws.bind(v6, '::', 0);
      const v4 = scope.tcp();
      ws.setsockopt(v4, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1);
      let refusal: unknown;
      try {
        ws.bind(v4, '0.0.0.0', ws.getsockname(v6).port);
      } catch (error) {
        refusal = error;
      }
      if (refusal instanceof ws.WinsockError && refusal.errno === ws.WSAEADDRINUSE) throw refusal; // held elsewhere
      assertWinsockError(() => {
        if (refusal !== undefined) throw refusal;
      }, 'WSAEACCES', 'bind');
    });
  });

  /**
   * Runs `attempt`, which binds IPv4 to a port the OS picked for IPv6, again with a new port while it fails with
   * WSAEADDRINUSE: another process (a parallel test file) may hold that port on IPv4, and did once under Wine. A
   * fault of the binding (a dual-stack socket where V6ONLY was asked) fails every attempt, so the test still fails.
   */
  function onAPortFreeOnIPv4(attempt: () => void): void {
    for (let tries = 1; ; tries++) {
      try {
        attempt();
        return;
      } catch (error) {
        if (tries === 5 || !(error instanceof ws.WinsockError) || error.errno !== ws.WSAEADDRINUSE) throw error;
        scope.closeAll();
      }
    }
  }
});
