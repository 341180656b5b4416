// Typed socket options, the raw escape hatch, ioctlsocket and WSAIoctl.
import assert from 'node:assert/strict';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { afterEach, describe, isPosix, test } from '../harness.js';
import { SocketScope, assertArgumentError, assertWinsockError } from '../support.js';

describe('socket options and ioctls', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('boolean options read back as set', () => {
    const s = scope.tcp();
    for (const name of ['SO_REUSEADDR', 'SO_KEEPALIVE', 'TCP_NODELAY'] as const) {
      ws.setOption(s, name, true);
      assert.equal(ws.getOption(s, name), true, name);
      ws.setOption(s, name, false);
      assert.equal(ws.getOption(s, name), false, name);
    }
    const v6 = scope.tcp(ws.AF_INET6);
    ws.setOption(v6, 'IPV6_V6ONLY', true);
    assert.equal(ws.getOption(v6, 'IPV6_V6ONLY'), true);
  });

  test('SO_RCVTIMEO/SO_SNDTIMEO are milliseconds on every OS', () => {
    const s = scope.tcp();
    ws.setOption(s, 'SO_RCVTIMEO', 1500);
    ws.setOption(s, 'SO_SNDTIMEO', 200);
    assert.equal(ws.getOption(s, 'SO_RCVTIMEO'), 1500);
    assert.equal(ws.getOption(s, 'SO_SNDTIMEO'), 200);
  });

  test('SO_RCVTIMEO makes a blocking recv fail with WSAETIMEDOUT (10060)', () => {
    const { client } = scope.pair();
    ws.setOption(client, 'SO_RCVTIMEO', 100);
    const started = performance.now();
    assertWinsockError(() => sync.recv(client, 1), 'WSAETIMEDOUT', 'recv');
    assert.ok(performance.now() - started >= 90);
  });

  test('SO_LINGER takes and gives { onoff, linger }', () => {
    const s = scope.tcp();
    ws.setOption(s, 'SO_LINGER', { onoff: true, linger: 7 });
    assert.deepEqual(ws.getOption(s, 'SO_LINGER'), { onoff: true, linger: 7 });
    ws.setOption(s, 'SO_LINGER', { onoff: false, linger: 0 });
    assert.equal(ws.getOption(s, 'SO_LINGER').onoff, false);
  });

  test('SO_LINGER { onoff: true, linger: 0 } resets the connection on close: the peer sees WSAECONNRESET', async () => {
    const { client, server } = scope.pair();
    ws.setOption(client, 'SO_LINGER', { onoff: true, linger: 0 });
    scope.close(client);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assertWinsockError(() => sync.recv(server, 1), 'WSAECONNRESET', 'recv');
  });

  test('buffer sizes, TTL and the read-only SO_TYPE/SO_ERROR', () => {
    const s = scope.tcp();
    ws.setOption(s, 'SO_RCVBUF', 65536);
    assert.ok(ws.getOption(s, 'SO_RCVBUF') >= 65536 / 2);
    ws.setOption(s, 'IP_TTL', 33);
    assert.equal(ws.getOption(s, 'IP_TTL'), 33);
    assert.equal(ws.getOption(s, 'SO_TYPE'), ws.SOCK_STREAM);
    assert.equal(ws.getOption(s, 'SO_ERROR'), 0);
    assertWinsockError(() => ws.setOption(s, 'SO_TYPE', 2), 'WSAENOPROTOOPT', 'setsockopt');
  });

  test('an option this OS lacks fails with WSAENOPROTOOPT, never silently', () => {
    const s = scope.tcp();
    const missing = isPosix ? 'SO_EXCLUSIVEADDRUSE' : 'SO_REUSEPORT';
    assertWinsockError(() => ws.setOption(s, missing, true), 'WSAENOPROTOOPT', 'setsockopt');
    assertWinsockError(() => ws.getOption(s, missing), 'WSAENOPROTOOPT', 'getsockopt');
    assertWinsockError(() => ws.setsockopt(s, ws.SOL_SOCKET, 0x7777, 1), 'WSAENOPROTOOPT', 'setsockopt');
  });

  test('the raw escape hatch: setsockopt/getsockopt with bytes', () => {
    const s = scope.tcp();
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, one);
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 1);
    const raw = ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, 4);
    assert.ok(Buffer.isBuffer(raw));
    assert.ok(raw.length >= 1 && raw[0] === 1);
  });

  test('typed options refuse values of the wrong type and unknown names', () => {
    const s = scope.tcp();
    assertArgumentError(() => ws.setOption(s, 'SO_KEEPALIVE', 1 as unknown as boolean), TypeError);
    assertArgumentError(() => ws.setOption(s, 'SO_RCVTIMEO', '5' as unknown as number), TypeError);
    assertArgumentError(() => ws.setOption(s, 'SO_LINGER', null as unknown as ws.Linger), TypeError);
    assertArgumentError(() => ws.setOption(s, 'SO_NOPE' as ws.SocketOptionName, true as never), TypeError);
    assertArgumentError(() => ws.setOption(s, 'SO_RCVTIMEO', -1), RangeError);
  });

  test('an option name that is not a string is a TypeError with its code, whatever it is (found by the fuzzer)', () => {
    const s = scope.tcp();
    const detached = new Uint8Array(new ArrayBuffer(4));
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    for (const name of [Object.create(null) as object, detached, {}, 1, Symbol('name')] as unknown[]) {
      assertArgumentError(() => ws.setOption(s, name as ws.SocketOptionName, true as never), TypeError);
      assertArgumentError(() => ws.getOption(s, name as 'SO_TYPE'), TypeError);
    }
  });

  test('ioctlsocket FIONREAD counts the bytes waiting; FIONBIO makes a socket nonblocking', () => {
    const { client, server } = scope.pair();
    sync.send(client, 'twelve bytes');
    for (let i = 0; i < 50 && ws.ioctlsocket(server, ws.FIONREAD) < 12; i++) sync.select([server], null, null, 10);
    assert.equal(ws.ioctlsocket(server, ws.FIONREAD), 12);
    sync.recv(server, 12);
    ws.ioctlsocket(server, ws.FIONBIO, 1);
    assertWinsockError(() => sync.recv(server, 1), 'WSAEWOULDBLOCK', 'recv');
    ws.ioctlsocket(server, ws.FIONBIO, 0);
    assert.equal(ws.ioctlsocket(server, ws.FIONREAD), 0);
  });

  test('FIONBIO off is refused (WSAEINVAL) on a socket the async API uses', async () => {
    const { client } = scope.pair();
    await assert.rejects(ws.recv(client, 1, { timeout: 1 }), { code: 'WSAETIMEDOUT' });
    assertWinsockError(() => ws.ioctlsocket(client, ws.FIONBIO, 0), 'WSAEINVAL', 'ioctlsocket');
  });

  test('WSAIoctl SIO_KEEPALIVE_VALS sets keep-alive with its times', () => {
    const s = scope.tcp();
    ws.WSAIoctl(s, ws.SIO_KEEPALIVE_VALS, { onoff: true, keepalivetime: 2500, keepaliveinterval: 1000 });
    assert.equal(ws.getOption(s, 'SO_KEEPALIVE'), true);
    if (ws.TCP_KEEPIDLE !== undefined) {
      assert.equal(ws.getOption(s, 'TCP_KEEPIDLE'), 3); // 2.5 s rounded up to whole seconds
      assert.equal(ws.getOption(s, 'TCP_KEEPINTVL'), 1);
    }
  });

  test('WSAIoctl SIO_UDP_CONNRESET and SIO_LOOPBACK_FAST_PATH: Windows takes them, POSIX emulates or refuses', () => {
    const udp = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    ws.WSAIoctl(udp, ws.SIO_UDP_CONNRESET, false);
    if (isPosix) {
      assertWinsockError(() => ws.WSAIoctl(udp, ws.SIO_UDP_CONNRESET, true), 'WSAEOPNOTSUPP', 'WSAIoctl');
      assertWinsockError(() => ws.WSAIoctl(scope.tcp(), ws.SIO_LOOPBACK_FAST_PATH, true), 'WSAEOPNOTSUPP', 'WSAIoctl');
    } else {
      ws.WSAIoctl(udp, ws.SIO_UDP_CONNRESET, true);
    }
    assert.throws(() => ws.WSAIoctl(udp, 0x1234, true), TypeError);
  });
});
