// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/protocol.c), checks that pass on Windows: getaddrinfo,
// getnameinfo, gethostname and the address conversions. Each test names the Wine function its checks come from.
import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { describe, test } from '../harness.js';
import { assertWinsockError } from '../support.js';

describe('Windows conformance (Wine ws2_32 tests): names', () => {
  ws.startup();

  test('protocol.c test_getaddrinfo: no name and no service fails with WSAHOST_NOT_FOUND', () => {
    assertWinsockError(() => ws.getaddrinfo(null, null), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
  });

  test('protocol.c test_getaddrinfo: localhost resolves with or without a service, "0" and "80" alike', () => {
    for (const service of [null, '', '0', '80']) assert.ok(ws.getaddrinfo('localhost', service).length > 0, `service ${service}`);
    assert.ok(ws.getaddrinfo(null, '0').length > 0);
  });

  test('protocol.c test_getaddrinfo: the empty name is this host, as the empty service is port 0', () => {
    assert.ok(ws.getaddrinfo('', null).length > 0);
    assert.ok(ws.getaddrinfo('', '0').length > 0);
    assert.ok(ws.getaddrinfo('', '').length > 0);
    assert.ok(ws.getaddrinfo(null, '').length > 0);
  });

  test('protocol.c test_getaddrinfo: a numeric address with a port is not a name (AI_NUMERICHOST: WSAHOST_NOT_FOUND)', () => {
    assertWinsockError(() => ws.getaddrinfo('192.168.1.253:1024', null, { flags: ws.AI_NUMERICHOST }), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
    const [entry] = ws.getaddrinfo('192.168.1.253', null);
    assert.equal(entry!.address, '192.168.1.253');
  });

  test('protocol.c test_getaddrinfo: an IPv6 literal in brackets resolves, with or without a port', () => {
    assert.equal(ws.getaddrinfo('2a00:2039:dead:beef:cafe::6666', null)[0]!.address, '2a00:2039:dead:beef:cafe::6666');
    assert.equal(ws.getaddrinfo('[beef::cafe]', null)[0]!.address, 'beef::cafe');
    assert.equal(ws.getaddrinfo('[beef::cafe]', null, { flags: ws.AI_NUMERICHOST, family: ws.AF_INET6 })[0]!.address, 'beef::cafe');
    assert.equal(ws.getaddrinfo('[beef::cafe]:10239', null)[0]!.address, 'beef::cafe');
  });

  test('protocol.c test_getaddrinfo: unmatched brackets, or an IPv6 literal asked as IPv4, fail with WSAHOST_NOT_FOUND', () => {
    const numeric = { flags: ws.AI_NUMERICHOST };
    assertWinsockError(() => ws.getaddrinfo('[beef::cafe]', null, { ...numeric, family: ws.AF_INET }), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
    assertWinsockError(() => ws.getaddrinfo('[beef::cafe', null, numeric), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
    assertWinsockError(() => ws.getaddrinfo('beef::cafe]', null, numeric), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
  });

  test('protocol.c test_getaddrinfo: socket type and protocol hints come back as given, even a pairing POSIX refuses', () => {
    const { AF_UNSPEC, AF_INET, SOCK_STREAM, SOCK_DGRAM, IPPROTO_TCP, IPPROTO_UDP } = ws;
    const table: [number, number, number][] = [
      [AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP], [AF_UNSPEC, SOCK_STREAM, IPPROTO_UDP], [AF_UNSPEC, SOCK_DGRAM, IPPROTO_TCP],
      [AF_INET, SOCK_DGRAM, IPPROTO_UDP], [AF_UNSPEC, 0, IPPROTO_TCP], [AF_INET, 0, IPPROTO_UDP],
      [AF_UNSPEC, SOCK_STREAM, 0], [AF_INET, SOCK_DGRAM, 0], [AF_INET, SOCK_DGRAM, 999],
    ];
    for (const [family, socktype, protocol] of table) {
      const entries = ws.getaddrinfo('localhost', null, { family, socktype, protocol });
      assert.ok(entries.length > 0, `hints ${family}/${socktype}/${protocol}`);
      for (const entry of entries) {
        if (family !== AF_UNSPEC) assert.equal(entry.family, family);
        assert.equal(entry.socktype, socktype, `socktype for ${family}/${socktype}/${protocol}`);
        assert.equal(entry.protocol, protocol, `protocol for ${family}/${socktype}/${protocol}`);
      }
    }
  });

  test('protocol.c test_getaddrinfo: an unknown socket type fails with WSAESOCKTNOSUPPORT, an unknown service with WSATYPE_NOT_FOUND', () => {
    assertWinsockError(() => ws.getaddrinfo('localhost', null, { socktype: 999, protocol: ws.IPPROTO_TCP }), 'WSAESOCKTNOSUPPORT', 'getaddrinfo');
    assertWinsockError(() => ws.getaddrinfo(null, 'nonexistentservice'), 'WSATYPE_NOT_FOUND', 'getaddrinfo');
  });

  test('protocol.c test_getaddrinfo: a name that does not exist fails with WSAHOST_NOT_FOUND', () => {
    assertWinsockError(() => ws.getaddrinfo('nxdomain.invalid', null), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
  });

  test('protocol.c test_inet_pton: IPv4 and IPv6 text converts, and garbage fails with WSAEINVAL', () => {
    assert.deepEqual([...ws.inet_pton(ws.AF_INET, '127.0.0.1')], [127, 0, 0, 1]);
    assert.equal(ws.inet_ntop(ws.AF_INET6, ws.inet_pton(ws.AF_INET6, '2001:cdba::3257:9652')), '2001:cdba::3257:9652');
    assertWinsockError(() => ws.inet_pton(ws.AF_INET, '0x12345678'), 'WSAEINVAL');
  });

  test('protocol.c test_gethostname: the host name resolves with getaddrinfo', () => {
    const name = ws.gethostname();
    assert.ok(name.length > 0);
    assert.ok(ws.getaddrinfo(name, null).length > 0);
  });

  test('protocol.c test_GetAddrInfoW: getnameinfo of 127.0.0.1 with NI_NUMERICHOST gives the address back', () => {
    assert.equal(ws.getnameinfo('127.0.0.1', 80, ws.NI_NUMERICHOST | ws.NI_NUMERICSERV).host, '127.0.0.1');
  });
});
