// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c), checks that pass on Windows: socket options and
// ioctls. Each test names the Wine function its checks come from.
import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';

describe('Windows conformance (Wine ws2_32 tests): options and ioctls', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('sock.c test_set_getsockopt: SO_RCVTIMEO and SO_SNDTIMEO read back the milliseconds set (63 s, 0, 997 s)', () => {
    const s = scope.tcp();
    ws.setOption(s, 'SO_RCVTIMEO', 63_000);
    assert.equal(ws.getOption(s, 'SO_RCVTIMEO'), 63_000);
    ws.setOption(s, 'SO_RCVTIMEO', 0);
    assert.equal(ws.getOption(s, 'SO_RCVTIMEO'), 0);
    ws.setOption(s, 'SO_SNDTIMEO', 997_000);
    assert.equal(ws.getOption(s, 'SO_SNDTIMEO'), 997_000);
  });

  test('sock.c test_set_getsockopt: SO_LINGER reads back on/off and seconds', () => {
    const s = scope.tcp();
    ws.setOption(s, 'SO_LINGER', { onoff: false, linger: 0 });
    assert.equal(ws.getOption(s, 'SO_LINGER').onoff, false);
    ws.setOption(s, 'SO_LINGER', { onoff: true, linger: 0 });
    assert.deepEqual(ws.getOption(s, 'SO_LINGER'), { onoff: true, linger: 0 });
    ws.setOption(s, 'SO_LINGER', { onoff: true, linger: 189 });
    assert.deepEqual(ws.getOption(s, 'SO_LINGER'), { onoff: true, linger: 189 });
  });

  test('sock.c test_set_getsockopt: BOOL options read back as 1 or 0 (SO_KEEPALIVE, SO_REUSEADDR, TCP_NODELAY, SO_OOBINLINE, SO_BROADCAST)', () => {
    const tcp = scope.tcp();
    for (const [level, name] of [
      [ws.SOL_SOCKET, ws.SO_KEEPALIVE], [ws.SOL_SOCKET, ws.SO_REUSEADDR], [ws.IPPROTO_TCP, ws.TCP_NODELAY],
      [ws.SOL_SOCKET, ws.SO_OOBINLINE],
    ] as const) {
      assert.equal(ws.getsockopt(tcp, level, name), 0);
      ws.setsockopt(tcp, level, name, true);
      assert.equal(ws.getsockopt(tcp, level, name), 1);
    }
    const udp = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    assert.equal(ws.getsockopt(udp, ws.SOL_SOCKET, ws.SO_BROADCAST), 0);
    ws.setsockopt(udp, ws.SOL_SOCKET, ws.SO_BROADCAST, 1);
    assert.equal(ws.getsockopt(udp, ws.SOL_SOCKET, ws.SO_BROADCAST), 1);
  });

  test('sock.c test_set_getsockopt: IP_TTL and IP_MULTICAST_TTL read back what was set', () => {
    const udp = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    ws.setOption(udp, 'IP_TTL', 17);
    assert.equal(ws.getOption(udp, 'IP_TTL'), 17);
    ws.setOption(udp, 'IP_MULTICAST_TTL', 3);
    assert.equal(ws.getOption(udp, 'IP_MULTICAST_TTL'), 3);
  });

  test('sock.c test_set_getsockopt: SO_RCVBUF reads back exactly the size set', () => {
    const s = scope.tcp();
    ws.setOption(s, 'SO_RCVBUF', 32768);
    assert.equal(ws.getOption(s, 'SO_RCVBUF'), 32768);
  });

  test('sock.c test_set_getsockopt: an unknown option fails with WSAENOPROTOOPT', () => {
    const s = scope.tcp();
    assertWinsockError(() => ws.getsockopt(s, ws.SOL_SOCKET, 0x7777), 'WSAENOPROTOOPT', 'getsockopt');
    assertWinsockError(() => ws.setsockopt(s, ws.SOL_SOCKET, 0x7777, 1), 'WSAENOPROTOOPT', 'setsockopt');
  });

  test('sock.c test_so_debug: SO_DEBUG is off on a new socket', () => {
    assert.equal(ws.getsockopt(scope.tcp(), ws.SOL_SOCKET, ws.SO_DEBUG), 0);
  });

  test('sock.c test_extendedSocketOptions: SO_TYPE reads the type of TCP and UDP sockets; SO_ERROR is 0 on a new one', () => {
    const tcp = scope.tcp();
    const udp = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    assert.equal(ws.getsockopt(tcp, ws.SOL_SOCKET, ws.SO_TYPE), ws.SOCK_STREAM);
    assert.equal(ws.getsockopt(udp, ws.SOL_SOCKET, ws.SO_TYPE), ws.SOCK_DGRAM);
    assert.equal(ws.getsockopt(tcp, ws.SOL_SOCKET, ws.SO_ERROR), 0);
  });

  test('sock.c test_sockopt_validity: IPv4 options on a TCP socket: unknown is WSAENOPROTOOPT, multicast ones WSAEINVAL', () => {
    const tcp = scope.tcp();
    assertWinsockError(() => ws.getsockopt(tcp, ws.IPPROTO_IP, -1, 256), 'WSAENOPROTOOPT', 'getsockopt');
    ws.getsockopt(tcp, ws.IPPROTO_IP, ws.IP_TOS, 256);
    ws.getsockopt(tcp, ws.IPPROTO_IP, ws.IP_TTL, 256);
    assertWinsockError(() => ws.getsockopt(tcp, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL, 256), 'WSAEINVAL', 'getsockopt');
    assertWinsockError(() => ws.getsockopt(tcp, ws.IPPROTO_IP, ws.IP_MULTICAST_LOOP, 256), 'WSAEINVAL', 'getsockopt');
  });

  test('sock.c test_sockopt_validity: IPv4 options on a UDP socket: TTL, TOS and the multicast ones read', () => {
    const udp = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    assertWinsockError(() => ws.getsockopt(udp, ws.IPPROTO_IP, -1, 256), 'WSAENOPROTOOPT', 'getsockopt');
    for (const name of [ws.IP_TOS, ws.IP_TTL, ws.IP_MULTICAST_TTL, ws.IP_MULTICAST_LOOP]) ws.getsockopt(udp, ws.IPPROTO_IP, name, 256);
  });

  test('sock.c test_fionbio: FIONBIO switches a socket to nonblocking and back', () => {
    const { listener } = scope.listener();
    assert.equal(ws.ioctlsocket(listener, ws.FIONBIO, 1), 1);
    assertWinsockError(() => ws.accept(listener), 'WSAEWOULDBLOCK', 'accept');
    ws.ioctlsocket(listener, ws.FIONBIO, 0);
    assert.deepEqual(ws.select([listener], null, null, 0).count, 0);
  });

  test('sock.c test_fionread_siocatmark: FIONREAD counts unread bytes; SIOCATMARK is TRUE with no urgent data', () => {
    const { client, server } = scope.pair();
    ws.ioctlsocket(client, ws.FIONBIO, 1);
    assert.equal(ws.ioctlsocket(client, ws.FIONREAD), 0);
    assert.equal(ws.ioctlsocket(client, ws.SIOCATMARK), 1);
    assert.equal(ws.send(server, 'data\0'), 5);
    assert.deepEqual(ws.select([client], null, null, 1000).read, [client]);
    assert.equal(ws.ioctlsocket(client, ws.FIONREAD), 5);
    assert.equal(ws.ioctlsocket(client, ws.SIOCATMARK), 1);
  });

  test('sock.c test_fionread_siocatmark: SIOCATMARK is FALSE while urgent data waits, TRUE once it is read', () => {
    const { client, server } = scope.pair();
    assert.equal(ws.send(server, 'a', ws.MSG_OOB), 1);
    assert.deepEqual(ws.select(null, null, [client], 1000).except, [client]);
    assert.equal(ws.ioctlsocket(client, ws.SIOCATMARK), 0);
    assert.equal(ws.recv(client, 1, ws.MSG_OOB).toString(), 'a');
    assert.equal(ws.ioctlsocket(client, ws.SIOCATMARK), 1);
  });

  test('sock.c test_unsupported_ioctls: an ioctlsocket command Winsock does not know fails with WSAEINVAL', () => {
    assertWinsockError(() => ws.ioctlsocket(scope.tcp(), 0x7777), 'WSAEINVAL', 'ioctlsocket');
  });

  test('sock.c test_keepalive_vals: SIO_KEEPALIVE_VALS turns keep-alive on and off (SO_KEEPALIVE reads it)', () => {
    const s = scope.tcp();
    ws.WSAIoctl(s, ws.SIO_KEEPALIVE_VALS, { onoff: true, keepalivetime: 1000, keepaliveinterval: 1000 });
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 1);
    ws.WSAIoctl(s, ws.SIO_KEEPALIVE_VALS, { onoff: false, keepalivetime: 1000, keepaliveinterval: 1000 });
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 0);
  });
});
