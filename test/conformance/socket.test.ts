import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertArgumentError, assertWinsockError } from '../support.js';

describe('socket objects and closesocket', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('socket() returns an opaque SOCKET object, not a number', () => {
    const s = scope.tcp();
    assert.equal(typeof s, 'object');
    assert.ok(s instanceof ws.SOCKET);
    assert.deepEqual(Object.keys(s), []);
  });

  test('a SOCKET cannot be made from JavaScript', () => {
    assert.throws(() => Reflect.construct(ws.SOCKET, []), TypeError);
    const forged = Object.create(ws.SOCKET.prototype) as ws.SOCKET;
    assertArgumentError(() => ws.closesocket(forged), TypeError);
  });

  test('closesocket twice fails with WSAENOTSOCK (10038)', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    ws.closesocket(s);
    const error = assertWinsockError(() => ws.closesocket(s), 'WSAENOTSOCK', 'closesocket');
    assert.equal(error.errno, 10038);
  });

  test('every call on a closed SOCKET fails with WSAENOTSOCK', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    ws.closesocket(s);
    assertWinsockError(() => ws.bind(s, '127.0.0.1', 0), 'WSAENOTSOCK', 'bind');
    assertWinsockError(() => ws.listen(s), 'WSAENOTSOCK', 'listen');
    assertWinsockError(() => ws.accept(s), 'WSAENOTSOCK', 'accept');
    assertWinsockError(() => ws.connect(s, '127.0.0.1', 1), 'WSAENOTSOCK', 'connect');
    assertWinsockError(() => ws.send(s, 'x'), 'WSAENOTSOCK', 'send');
    assertWinsockError(() => ws.recv(s, 1), 'WSAENOTSOCK', 'recv');
    assertWinsockError(() => ws.shutdown(s, ws.SD_BOTH), 'WSAENOTSOCK', 'shutdown');
    assertWinsockError(() => ws.getsockname(s), 'WSAENOTSOCK', 'getsockname');
    assertWinsockError(() => ws.getpeername(s), 'WSAENOTSOCK', 'getpeername');
  });

  test('anything but a SOCKET is a TypeError, never a crash', () => {
    for (const value of [42, -1, '3', null, undefined, {}, [], Symbol('s'), 10n, () => 1]) {
      assertArgumentError(() => ws.closesocket(value as unknown as ws.SOCKET), TypeError);
      assertArgumentError(() => ws.send(value as unknown as ws.SOCKET, 'x'), TypeError);
    }
  });

  test('socket() with an unknown family fails with WSAEAFNOSUPPORT (10047)', () => {
    assertWinsockError(() => ws.socket(12345, ws.SOCK_STREAM, 0), 'WSAEAFNOSUPPORT', 'socket');
  });

  test('socket() rejects non-integer arguments', () => {
    assertArgumentError(() => ws.socket('AF_INET' as unknown as number, ws.SOCK_STREAM), TypeError);
    assertArgumentError(() => ws.socket(ws.AF_INET, 1.5), RangeError);
    assertArgumentError(() => ws.socket(ws.AF_INET, ws.SOCK_STREAM, Number.NaN), RangeError);
    assertArgumentError(() => ws.socket(2 ** 40, ws.SOCK_STREAM), RangeError);
  });

  test('IPv6 sockets are supported', () => {
    const s = scope.tcp(ws.AF_INET6);
    ws.bind(s, '::1', 0);
    const name = ws.getsockname(s);
    assert.equal(name.family, ws.AF_INET6);
    assert.equal(name.address, '::1');
    assert.ok(name.port > 0);
  });

  test('constants come from the OS and the WSA numbers are Winsock\'s', () => {
    assert.equal(ws.AF_INET, 2);
    assert.equal(ws.AF_INET6, process.platform === 'win32' ? 23 : process.platform === 'darwin' ? 30 : 10);
    assert.equal(ws.SOCK_STREAM, 1);
    assert.equal(ws.IPPROTO_TCP, 6);
    assert.deepEqual([ws.SD_RECEIVE, ws.SD_SEND, ws.SD_BOTH], [0, 1, 2]);
    assert.equal(ws.WSAECONNREFUSED, 10061);
    assert.equal(ws.WSAEADDRINUSE, 10048);
    assert.equal(ws.WSAHOST_NOT_FOUND, 11001);
    assert.equal(ws.WSANOTINITIALISED, 10093);
  });
});
