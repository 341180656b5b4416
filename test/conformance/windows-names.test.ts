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

  test('protocol.c test_inet_pton: IPv4 text converts only in dotted-decimal form, four parts, no leading zeros or spaces', () => {
    assert.deepEqual([...ws.inet_pton(ws.AF_INET, '1.1.1.1')], [1, 1, 1, 1]);
    assert.deepEqual([...ws.inet_pton(ws.AF_INET, '0.0.0.0')], [0, 0, 0, 0]);
    assert.deepEqual([...ws.inet_pton(ws.AF_INET, '127.127.127.255')], [127, 127, 127, 255]);
    const refused = ['', ' ', '127.127.127.255:123', '127.127.127.256', 'a', '1.1.1.0xaA', '1.1.1.010', '1.1.1.00',
      '1.1.1.-2', '1', '1.2', '1.2.3', '203569230', '3.4.5.6.7', ' 3.4.5.6', '3.4.5.6 ', '3. 4.5.6', '[0.1.2.3]',
      '0x00010203', '0777', '2607:f0d0:1002:51::4', '::1'];
    for (const text of refused) assertWinsockError(() => ws.inet_pton(ws.AF_INET, text), 'WSAEINVAL');
  });

  test('protocol.c test_inet_pton: IPv6 text converts in full, compressed and mixed forms; hex prefixes and extra groups do not', () => {
    // The 16-bit words as Wine's table gives them: the address's bytes read as little-endian words.
    const accepted: [string, number[]][] = [
      ['0000:0000:0000:0000:0000:0000:0000:0001', [0, 0, 0, 0, 0, 0, 0, 0x100]], ['0:0:0:0:0:0:0::', [0, 0, 0, 0, 0, 0, 0, 0]],
      ['0:0:0:0:0:0:13.1.68.3', [0, 0, 0, 0, 0, 0, 0x10d, 0x344]],
      ['0:0:0:0:0:FFFF:129.144.52.38', [0, 0, 0, 0, 0, 0xffff, 0x9081, 0x2634]],
      ['1080:0:0:0:8:800:200c:417a', [0x8010, 0, 0, 0, 0x800, 0x8, 0x0c20, 0x7a41]],
      ['1111:2222:3333:4444:5555:6666::8888', [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x8888]],
      ['1111::', [0x1111, 0, 0, 0, 0, 0, 0, 0]], ['1:2:3:4:5:6:1.2.3.4', [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x201, 0x403]],
      ['2001:0db8:0:0:0:0:1428:57ab', [0x120, 0xb80d, 0, 0, 0, 0, 0x2814, 0xab57]],
    ];
    for (const [text, words] of accepted) {
      const bytes = ws.inet_pton(ws.AF_INET6, text);
      assert.deepEqual([...new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 16))], words, text);
    }
    const refused = ['1111:2222:3333:4444:0x5555:6666:7777:8888', '1111:2222:3333:4444:x555:6666:7777:8888',
      '1111:2222:3333:4444:5555:6666::7777:8888', '1111:2222:3333:4444:5555:6666:7777::8888',
      '1111:2222:3333:4444:5555::0x88', '1111:2222:3333:4444:5555::08888', '1111:2222:3333:4444:5555::fffff'];
    for (const text of refused) assertWinsockError(() => ws.inet_pton(ws.AF_INET6, text), 'WSAEINVAL');
  });

  test('protocol.c test_gethostname: the host name resolves with getaddrinfo', () => {
    const name = ws.gethostname();
    assert.ok(name.length > 0);
    assert.ok(ws.getaddrinfo(name, null).length > 0);
  });

  test('protocol.c test_GetAddrInfoW: no name and no service fails; the empty name, the empty service and localhost resolve', () => {
    assertWinsockError(() => ws.getaddrinfo(null, null), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
    const asked: [string | null, string | null][] = [
      ['', null], [null, '0'], [null, ''], ['', '0'], ['', ''], ['localhost', null], ['localhost', ''], ['localhost', '0'],
      ['localhost', '80'],
    ];
    for (const [node, service] of asked) assert.ok(ws.getaddrinfo(node, service).length > 0, `${node} / ${service}`);
    assert.ok(ws.getaddrinfo('localhost', '80').every((entry) => entry.port === 80));
  });
});
