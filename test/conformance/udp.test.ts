// Datagrams: sendto/recvfrom (sync and async), connected UDP, broadcast and multicast kept on this machine.
import assert from 'node:assert/strict';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';

describe('UDP', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  function udp(host = '127.0.0.1'): { s: ws.SOCKET; port: number } {
    const s = scope.track(ws.socket(host.includes(':') ? ws.AF_INET6 : ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    ws.bind(s, host, 0);
    return { s, port: ws.getsockname(s).port };
  }

  test('sendto and recvfrom carry a datagram and its sender', () => {
    const a = udp();
    const b = udp();
    assert.equal(sync.sendto(a.s, 'hello', '127.0.0.1', b.port), 5);
    const datagram = sync.recvfrom(b.s, 64);
    assert.equal(datagram.data.toString(), 'hello');
    assert.deepEqual([datagram.family, datagram.address, datagram.port], [ws.AF_INET, '127.0.0.1', a.port]);
    assert.equal(sync.sendto(b.s, Buffer.from('back'), { address: '127.0.0.1', port: a.port }), 4);
    const into = Buffer.alloc(16);
    const received = sync.recvfrom(a.s, into);
    assert.equal(received.bytes, 4);
    assert.equal(into.toString('utf8', 0, 4), 'back');
    assert.equal(received.port, b.port);
  });

  test('async recvfrom waits for a datagram; async sendto sends one; IPv6 too', async () => {
    const a = udp('::1');
    const b = udp('::1');
    const receiving = ws.recvfrom(b.s, 64, { timeout: 5000 });
    assert.equal(await ws.sendto(a.s, 'six', '::1', b.port), 3);
    const datagram = await receiving;
    assert.equal(datagram.data.toString(), 'six');
    assert.deepEqual([datagram.family, datagram.address, datagram.port], [ws.AF_INET6, '::1', a.port]);
    const into = Buffer.alloc(8);
    const receivingInto = ws.recvfromInto(a.s, into);
    await ws.sendto(b.s, 'ok', ws.getsockname(a.s));
    assert.equal((await receivingInto).bytes, 2);
  });

  test('datagram boundaries are kept, and a zero-length datagram arrives as one', () => {
    const a = udp();
    const b = udp();
    for (const text of ['one', '', 'three']) sync.sendto(a.s, text, '127.0.0.1', b.port);
    assert.deepEqual([0, 1, 2].map(() => sync.recvfrom(b.s, 64).data.toString()), ['one', '', 'three']);
  });

  test('connected UDP: send/recv reach only the connected peer', () => {
    const a = udp();
    const b = udp();
    const stranger = udp();
    ws.connect(a.s, '127.0.0.1', b.port);
    assert.equal(sync.send(a.s, 'via send'), 8);
    assert.equal(sync.recv(b.s, 64).toString(), 'via send');
    sync.sendto(stranger.s, 'not from b', '127.0.0.1', a.port);
    sync.sendto(b.s, 'from b', '127.0.0.1', a.port);
    assert.equal(sync.recv(a.s, 64).toString(), 'from b');
    assert.equal(ws.getpeername(a.s).port, b.port);
  });

  test('recvfrom on a nonblocking socket with nothing queued fails with WSAEWOULDBLOCK; async times out', async () => {
    const a = udp();
    await assert.rejects(ws.recvfrom(a.s, 8, { timeout: 20 }), { code: 'WSAETIMEDOUT', syscall: 'recvfrom' });
    assertWinsockError(() => sync.recvfrom(a.s, 8), 'WSAEWOULDBLOCK', 'recvfrom');
  });

  test('a datagram larger than UDP allows fails with WSAEMSGSIZE', () => {
    const a = udp();
    assertWinsockError(() => sync.sendto(a.s, Buffer.alloc(70_000), '127.0.0.1', a.port), 'WSAEMSGSIZE', 'sendto');
  });

  test('broadcast needs SO_BROADCAST (WSAEACCES without); with it, 127.255.255.255 is delivered', () => {
    const receiver = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    ws.bind(receiver, '0.0.0.0', 0);
    const port = ws.getsockname(receiver).port;
    const sender = udp();
    assertWinsockError(() => sync.sendto(sender.s, 'x', '127.255.255.255', port), 'WSAEACCES', 'sendto');
    ws.setOption(sender.s, 'SO_BROADCAST', true);
    assert.equal(sync.sendto(sender.s, 'to all', '127.255.255.255', port), 6);
    assert.equal(sync.select([receiver], null, null, 2000).count, 1);
    assert.equal(sync.recvfrom(receiver, 64).data.toString(), 'to all');
  });

  test('multicast on the loopback interface: join, send with TTL 0 and loop on, receive, leave', () => {
    const group = '239.255.42.99';
    const receiver = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    ws.setOption(receiver, 'SO_REUSEADDR', true);
    ws.bind(receiver, '0.0.0.0', 0);
    const port = ws.getsockname(receiver).port;
    ws.addMembership(receiver, group, '127.0.0.1');
    const sender = udp();
    ws.setOption(sender.s, 'IP_MULTICAST_IF', '127.0.0.1');
    ws.setOption(sender.s, 'IP_MULTICAST_TTL', 0); // never leaves this host
    ws.setOption(sender.s, 'IP_MULTICAST_LOOP', true);
    assert.equal(ws.getOption(sender.s, 'IP_MULTICAST_TTL'), 0);
    assert.equal(ws.getOption(sender.s, 'IP_MULTICAST_LOOP'), true);
    sync.sendto(sender.s, 'to the group', group, port);
    assert.equal(sync.select([receiver], null, null, 2000).count, 1);
    assert.equal(sync.recvfrom(receiver, 64).data.toString(), 'to the group');
    ws.dropMembership(receiver, group, '127.0.0.1');
    // Leaving again is an error (Linux: WSAEADDRNOTAVAIL; Wine: WSAEINVAL; Windows documents no number for it).
    assert.throws(() => ws.dropMembership(receiver, group, '127.0.0.1'), (error: unknown) =>
      error instanceof sync.WinsockError && error.syscall === 'setsockopt');
  });

  test('IPv6 multicast options: join and leave a group, hop limit 0 and loop read back', () => {
    const receiver = udp('::1');
    ws.addMembership(receiver.s, 'ff02::1:3', 0);
    ws.dropMembership(receiver.s, 'ff02::1:3', 0);
    ws.setOption(receiver.s, 'IPV6_MULTICAST_HOPS', 0);
    ws.setOption(receiver.s, 'IPV6_MULTICAST_LOOP', true);
    assert.equal(ws.getOption(receiver.s, 'IPV6_MULTICAST_HOPS'), 0);
    assert.equal(ws.getOption(receiver.s, 'IPV6_MULTICAST_LOOP'), true);
  });

  test('bad membership arguments: WSAEINVAL for a non-numeric group, TypeError for the wrong interface type', () => {
    const a = udp();
    assertWinsockError(() => ws.addMembership(a.s, 'not-a-group'), 'WSAEINVAL', 'setsockopt');
    assert.throws(() => ws.addMembership(a.s, 'ff02::1', '127.0.0.1'), TypeError);
    assert.throws(() => ws.addMembership(a.s, '239.1.1.1', 1), TypeError);
  });
});
