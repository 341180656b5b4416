import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { describe, test } from '../harness.js';
import { assertArgumentError, assertWinsockError } from '../support.js';

describe('getaddrinfo', () => {
  ws.startup();

  test('resolves a numeric IPv4 address and a numeric service', () => {
    const [first, ...rest] = ws.getaddrinfo('127.0.0.1', '27015', {
      family: ws.AF_INET,
      socktype: ws.SOCK_STREAM,
      protocol: ws.IPPROTO_TCP,
    });
    assert.equal(rest.length, 0);
    assert.deepEqual(
      { family: first!.family, address: first!.address, port: first!.port, socktype: first!.socktype, protocol: first!.protocol },
      { family: ws.AF_INET, address: '127.0.0.1', port: 27015, socktype: ws.SOCK_STREAM, protocol: ws.IPPROTO_TCP },
    );
    assert.equal(first!.canonname, null);
  });

  test('resolves a numeric IPv6 address, and takes the port as a number', () => {
    const results = ws.getaddrinfo('::1', 8080, { socktype: ws.SOCK_STREAM });
    assert.ok(results.length >= 1);
    assert.equal(results[0]!.family, ws.AF_INET6);
    assert.equal(results[0]!.address, '::1');
    assert.equal(results[0]!.port, 8080);
  });

  test('AI_PASSIVE with no node gives the wildcard address, as the tutorial server uses', () => {
    const [first] = ws.getaddrinfo(null, '27015', {
      family: ws.AF_INET,
      socktype: ws.SOCK_STREAM,
      protocol: ws.IPPROTO_TCP,
      flags: ws.AI_PASSIVE,
    });
    assert.equal(first!.address, '0.0.0.0');
    assert.equal(first!.port, 27015);
  });

  test('resolves localhost to a loopback address', () => {
    const results = ws.getaddrinfo('localhost', '80', { family: ws.AF_INET, socktype: ws.SOCK_STREAM });
    assert.ok(results.length >= 1);
    assert.equal(results[0]!.address, '127.0.0.1');
  });

  test('an unknown host fails with WSAHOST_NOT_FOUND (11001), posixCode ENOTFOUND', () => {
    const error = assertWinsockError(
      () => ws.getaddrinfo('no-such-host.invalid', '27015', { socktype: ws.SOCK_STREAM }),
      'WSAHOST_NOT_FOUND',
      'getaddrinfo',
    );
    assert.equal(error.errno, 11001);
    assert.equal(error.posixCode, 'ENOTFOUND');
    assert.equal(error.address, 'no-such-host.invalid');
    assert.match(error.message, /^getaddrinfo WSAHOST_NOT_FOUND no-such-host\.invalid: No such host is known\.$/);
    assert.equal(ws.getLastError(), 11001);
  });

  test('AI_NUMERICHOST refuses a name with WSAHOST_NOT_FOUND', () => {
    assertWinsockError(() => ws.getaddrinfo('localhost', '80', { flags: ws.AI_NUMERICHOST }), 'WSAHOST_NOT_FOUND');
  });

  test('neither node nor service fails with WSAHOST_NOT_FOUND', () => {
    assertWinsockError(() => ws.getaddrinfo(null, null), 'WSAHOST_NOT_FOUND', 'getaddrinfo');
  });

  test('an unknown family fails with WSAEAFNOSUPPORT', () => {
    assertWinsockError(() => ws.getaddrinfo('127.0.0.1', '80', { family: 12345 }), 'WSAEAFNOSUPPORT', 'getaddrinfo');
  });

  test('bad arguments throw TypeError/RangeError', () => {
    assertArgumentError(() => ws.getaddrinfo(42 as unknown as string, '80'), TypeError);
    assertArgumentError(() => ws.getaddrinfo('127.0.0.1', {} as unknown as string), TypeError);
    assertArgumentError(() => ws.getaddrinfo('127.0.0.1', '80', { family: 'inet' as unknown as number }), TypeError);
    assertArgumentError(() => ws.getaddrinfo('127.0.0.1', '80', { flags: 1.5 }), RangeError);
    assertArgumentError(() => ws.getaddrinfo('127.0.0.1', '80', null as unknown as ws.AddrInfoHints), TypeError);
  });
});
