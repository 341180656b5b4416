// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c), checks that pass on Windows: UDP connect, send and
// receive rules, and datagrams longer than the buffer. Each test names the Wine function its checks come from.
import assert from 'node:assert/strict';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';

describe('Windows conformance (Wine ws2_32 tests): datagrams', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());
  const udp = (): sync.SOCKET => scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));

  test('sock.c test_connect_udp: send on an unconnected UDP socket fails with WSAENOTCONN', () => {
    const client = udp();
    sync.ioctlsocket(client, sync.FIONBIO, 1);
    assertWinsockError(() => sync.send(client, 'data'), 'WSAENOTCONN', 'send');
  });

  test('sock.c test_connect_udp: recv on an unbound UDP socket fails with WSAEINVAL; bound and empty, WSAEWOULDBLOCK', () => {
    const server = udp();
    sync.ioctlsocket(server, sync.FIONBIO, 1);
    assertWinsockError(() => sync.recv(server, 5), 'WSAEINVAL', 'recv');
    sync.bind(server, '127.0.0.1', 0);
    assertWinsockError(() => sync.recv(server, 5), 'WSAEWOULDBLOCK', 'recv');
  });

  test('sock.c test_connect_udp: a connected UDP socket sends to its peer; the peer stays unconnected', () => {
    const client = udp();
    const server = udp();
    sync.ioctlsocket(server, sync.FIONBIO, 1);
    sync.bind(server, '127.0.0.1', 0);
    const address = sync.getsockname(server);
    sync.connect(client, address.address, address.port);
    assert.deepEqual(sync.getpeername(client), address);
    assert.notEqual(sync.getsockname(client).port, 0);
    assertWinsockError(() => sync.getpeername(server), 'WSAENOTCONN', 'getpeername');
    assert.equal(sync.send(client, 'data'), 4);
    assert.deepEqual(sync.select([server], null, null, 1000).read, [server]);
    assert.equal(sync.recv(server, 5).toString(), 'data');
    assertWinsockError(() => sync.recv(server, 5), 'WSAEWOULDBLOCK', 'recv');
    assertWinsockError(() => sync.send(server, 'data'), 'WSAENOTCONN', 'send');
  });

  test('sock.c test_connect_udp: a UDP socket can connect again, to another port', () => {
    const client = udp();
    sync.connect(client, '127.0.0.1', 4000);
    sync.connect(client, '127.0.0.1', 4001);
    assert.equal(sync.getpeername(client).port, 4001);
  });

  test('sock.c test_WSASendTo: sendto from an unbound UDP socket binds it to an address and a port', () => {
    const server = udp();
    sync.bind(server, '127.0.0.1', 0);
    const client = udp();
    assertWinsockError(() => sync.getsockname(client), 'WSAEINVAL', 'getsockname');
    assert.equal(sync.sendto(client, 'data', '127.0.0.1', sync.getsockname(server).port), 4);
    const name = sync.getsockname(client);
    assert.equal(name.family, sync.AF_INET);
    assert.notEqual(name.port, 0);
    assert.equal(sync.recvfrom(server, 16).port, name.port);
  });

  test('sock.c test_UDP: datagrams from several peers arrive whole, each with its sender', () => {
    const server = udp();
    sync.bind(server, '127.0.0.1', 0);
    const { port } = sync.getsockname(server);
    const peers = [udp(), udp(), udp()];
    peers.forEach((peer, i) => sync.sendto(peer, Buffer.alloc(16, 65 + i), '127.0.0.1', port));
    for (let i = 0; i < peers.length; i++) {
      const datagram = sync.recvfrom(server, 64);
      const sender = peers.findIndex((peer) => sync.getsockname(peer).port === datagram.port);
      assert.ok(sender >= 0);
      assert.ok(datagram.data.equals(Buffer.alloc(16, 65 + sender)));
    }
  });

  test('sock.c test_ip_pktinfo: a datagram longer than the buffer is cut to it and recv fails with WSAEMSGSIZE', () => {
    const server = udp();
    sync.bind(server, '127.0.0.1', 0);
    const { port } = sync.getsockname(server);
    const client = udp();
    sync.sendto(client, 'message', '127.0.0.1', port);
    const buffer = Buffer.alloc(3);
    assertWinsockError(() => sync.recv(server, buffer), 'WSAEMSGSIZE', 'recv');
    assert.equal(buffer.toString(), 'mes');
    sync.sendto(client, 'message', '127.0.0.1', port);
    assertWinsockError(() => sync.recvfrom(server, 3), 'WSAEMSGSIZE', 'recvfrom');
    sync.sendto(client, 'message', '127.0.0.1', port);
    assert.equal(sync.recvfrom(server, 64).data.toString(), 'message'); // the cut ones are gone
  });

  test('sock.c test_ip_pktinfo: an async receive of a datagram longer than the buffer rejects with WSAEMSGSIZE', async () => {
    const server = udp();
    sync.bind(server, '127.0.0.1', 0);
    const { port } = sync.getsockname(server);
    const waiting = ws.recvfrom(server, 3);
    sync.sendto(udp(), 'message', '127.0.0.1', port);
    await assert.rejects(waiting, (error: unknown) => error instanceof sync.WinsockError && error.code === 'WSAEMSGSIZE');
  });

  test('sock.c test_ip_pktinfo: WSARecvMsg of a datagram longer than the buffer fails with WSAEMSGSIZE', () => {
    const server = udp();
    sync.bind(server, '127.0.0.1', 0);
    sync.enablePacketInfo(server);
    sync.sendto(udp(), 'message', '127.0.0.1', sync.getsockname(server).port);
    assert.deepEqual(sync.select([server], null, null, 1000).read, [server]);
    assertWinsockError(() => sync.recvmsg(server, 2), 'WSAEMSGSIZE', 'recvmsg');
  });
});
