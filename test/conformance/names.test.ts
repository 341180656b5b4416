// getnameinfo, gethostname, inet_pton/inet_ntop, getaddrinfo flags.
import assert from 'node:assert/strict';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { describe, test } from '../harness.js';
import { assertWinsockError } from '../support.js';

describe('names and numeric addresses', () => {
  ws.startup();

  test('getnameinfo gives numeric host and service with NI_NUMERICHOST | NI_NUMERICSERV', async () => {
    assert.deepEqual(sync.getnameinfo('127.0.0.1', 27015, ws.NI_NUMERICHOST | ws.NI_NUMERICSERV), {
      host: '127.0.0.1',
      service: '27015',
    });
    assert.deepEqual(await ws.getnameinfo({ address: '::1', port: 80 }, ws.NI_NUMERICHOST | ws.NI_NUMERICSERV), {
      host: '::1',
      service: '80',
    });
  });

  test('getnameinfo names 127.0.0.1 (localhost, or this host\'s name)', () => {
    const { host } = sync.getnameinfo('127.0.0.1', 0);
    assert.ok(host.length > 0 && host !== '127.0.0.1', host);
  });

  test('getnameinfo with NI_NAMEREQD for an address without a name fails with WSAHOST_NOT_FOUND', async () => {
    assertWinsockError(() => sync.getnameinfo('192.0.2.77', 0, ws.NI_NAMEREQD), 'WSAHOST_NOT_FOUND', 'getnameinfo');
    await assert.rejects(ws.getnameinfo('192.0.2.77', 0, ws.NI_NAMEREQD), { code: 'WSAHOST_NOT_FOUND', errno: 11001 });
    assertWinsockError(() => sync.getnameinfo('not-numeric', 0), 'WSAEINVAL', 'getnameinfo');
  });

  test('gethostname returns this machine\'s name', () => {
    const name = ws.gethostname();
    assert.equal(typeof name, 'string');
    assert.ok(name.length > 0);
  });

  test('inet_pton and inet_ntop round-trip, with v4-mapped addresses printed as Winsock does', () => {
    assert.deepEqual([...ws.inet_pton(ws.AF_INET, '192.168.1.2')], [192, 168, 1, 2]);
    const mapped = ws.inet_pton(ws.AF_INET6, '::ffff:127.0.0.1');
    assert.equal(mapped.length, 16);
    assert.equal(ws.inet_ntop(ws.AF_INET6, mapped), '::ffff:127.0.0.1');
    assert.equal(ws.inet_ntop(ws.AF_INET6, ws.inet_pton(ws.AF_INET6, '2001:DB8:0:0:0:0:0:1')), '2001:db8::1');
    assertWinsockError(() => ws.inet_pton(ws.AF_INET, '1.2.3'), 'WSAEINVAL', 'inet_pton');
    assertWinsockError(() => ws.inet_pton(12345, '1.2.3.4'), 'WSAEAFNOSUPPORT', 'inet_pton');
    assertWinsockError(() => ws.inet_ntop(ws.AF_INET, Buffer.alloc(3)), 'WSAEINVAL', 'inet_ntop');
  });

  test('a dual-stack socket reports IPv4 peers as v4-mapped IPv6 addresses', () => {
    const listener = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, 0);
    ws.setOption(listener, 'IPV6_V6ONLY', false);
    ws.bind(listener, '::', 0);
    ws.listen(listener);
    const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    sync.connect(client, '127.0.0.1', ws.getsockname(listener).port);
    const accepted = sync.accept(listener);
    assert.equal(accepted.address, '::ffff:127.0.0.1');
    assert.equal(accepted.family, ws.AF_INET6);
    for (const s of [accepted.socket, client, listener]) ws.closesocket(s);
  });

  test('getaddrinfo flags: AI_NUMERICSERV refuses a service name, AI_CANONNAME gives a name, AI_V4MAPPED maps', () => {
    assertWinsockError(() => sync.getaddrinfo('127.0.0.1', 'http', { flags: ws.AI_NUMERICSERV }), 'WSAHOST_NOT_FOUND');
    const [named] = sync.getaddrinfo('localhost', '80', { flags: ws.AI_CANONNAME, family: ws.AF_INET });
    assert.equal(typeof named!.canonname, 'string');
    const mapped = sync.getaddrinfo('127.0.0.1', '80', { family: ws.AF_INET6, flags: ws.AI_V4MAPPED | ws.AI_NUMERICHOST });
    assert.ok(mapped.length >= 1);
  });
});
