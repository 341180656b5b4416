// What node:net and node:dgram never gave: port ownership, packet info, keep-alive tuning, dead-peer timeout,
// traffic class, the native handle, moving a socket to another process, raw sockets.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import * as ws from '../../src/promises.js';
import * as sync from '../../src/index.js';
import { packageRoot } from '../../src/native.js';
import { Server } from '../../src/socket.js';
import { afterEach, describe, isPosix, platformTimeout, test } from '../harness.js';
import { SocketScope, assertWinsockError, distIndexPath, evalModuleArgs } from '../support.js';

describe('beyond node:net', () => {
  ws.startup();
  const scope = new SocketScope();
  const servers: Server[] = [];
  afterEach(() => {
    scope.closeAll();
    for (const server of servers.splice(0)) server.close();
  });

  /** A socket that sets SO_REUSEADDR and tries to bind the server's address and port: the hijack. */
  function hijack(port: number): void {
    const thief = scope.tcp();
    ws.setOption(thief, 'SO_REUSEADDR', true);
    ws.bind(thief, '127.0.0.1', port);
  }

  test('port ownership: while a Server lives, a SO_REUSEADDR socket cannot bind its port', () => {
    const server = Server.listen({ host: '127.0.0.1' });
    servers.push(server);
    // Windows: SO_EXCLUSIVEADDRUSE refuses it with WSAEACCES; POSIX never lets it take a listening port.
    assertWinsockError(() => hijack(server.address().port), isPosix ? 'WSAEADDRINUSE' : 'WSAEACCES', 'bind');
  });

  test('without exclusive use, Windows lets the hijack through; POSIX still refuses it', () => {
    const server = Server.listen({ host: '127.0.0.1', exclusiveAddressUse: false });
    servers.push(server);
    if (isPosix) assertWinsockError(() => hijack(server.address().port), 'WSAEADDRINUSE', 'bind');
    else hijack(server.address().port);
  });

  test('reusePort lets two POSIX servers share a port; Windows has no SO_REUSEPORT (WSAENOPROTOOPT)', () => {
    if (!isPosix) {
      assert.throws(() => Server.listen({ host: '127.0.0.1', reusePort: true }), { code: 'WSAENOPROTOOPT' });
      return;
    }
    const first = Server.listen({ host: '127.0.0.1', reusePort: true });
    servers.push(first);
    const second = Server.listen({ host: '127.0.0.1', reusePort: true, port: first.address().port });
    servers.push(second);
    assert.equal(second.address().port, first.address().port);
  });

  test('packet info: a wildcard-bound UDP server learns the address it was reached on and answers from it', async () => {
    const server = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    ws.bind(server, '0.0.0.0', 0);
    ws.enablePacketInfo(server);
    const client = scope.track(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    await ws.sendto(client, 'hello 127.0.0.2', '127.0.0.2', ws.getsockname(server).port);
    const request = await ws.recvmsg(server, 64, { timeout: 5000 });
    assert.equal(request.data.toString(), 'hello 127.0.0.2');
    assert.equal(request.localAddress, '127.0.0.2');
    assert.equal(typeof request.interfaceIndex, 'number');
    await ws.sendmsg(server, 'reply', request.address, request.port, { localAddress: request.localAddress });
    const reply = await ws.recvfrom(client, 64, { timeout: 5000 });
    assert.equal(reply.address, '127.0.0.2'); // not 127.0.0.1: the source the server chose
    assert.equal(sync.sendmsg(server, 'sync', { address: request.address, port: request.port }), 4);
  });

  test('packet info over IPv6', async () => {
    const server = scope.track(ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    ws.bind(server, '::', 0);
    ws.enablePacketInfo(server);
    const client = scope.track(ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP));
    await ws.sendto(client, 'six', '::1', ws.getsockname(server).port);
    const request = sync.recvmsg(server, 64);
    assert.equal(request.localAddress, '::1');
  });

  test('setKeepAlive sets idle time, interval and count, read back', () => {
    const s = scope.tcp();
    ws.setKeepAlive(s, { idleMs: 5000, intervalMs: 2000, count: 4 });
    assert.equal(ws.getOption(s, 'SO_KEEPALIVE'), true);
    assert.equal(ws.getOption(s, 'TCP_KEEPIDLE'), 5);
    assert.equal(ws.getOption(s, 'TCP_KEEPINTVL'), 2);
    assert.equal(ws.getOption(s, 'TCP_KEEPCNT'), 4);
    ws.setKeepAlive(s, { enable: false, idleMs: 1, intervalMs: 1 });
    assert.equal(ws.getOption(s, 'SO_KEEPALIVE'), false);
  });

  test('setUserTimeout: TCP_USER_TIMEOUT (ms) on Linux, TCP_MAXRT (s) on Windows', () => {
    const s = scope.tcp();
    ws.setUserTimeout(s, 4000);
    assert.equal(ws.getUserTimeout(s), 4000);
  });

  test('setTOS sets IP_TOS / IPV6_TCLASS on POSIX and refuses on Windows (WSAEOPNOTSUPP), never pretending', () => {
    const v4 = scope.tcp();
    const v6 = scope.tcp(ws.AF_INET6);
    if (isPosix) {
      ws.setTOS(v4, 0x10);
      assert.equal(ws.getTOS(v4), 0x10);
      ws.setTOS(v6, 0x28);
      assert.equal(ws.getTOS(v6), 0x28);
    } else {
      assertWinsockError(() => ws.setTOS(v4, 0x10), 'WSAEOPNOTSUPP', 'setsockopt');
    }
    assert.throws(() => ws.setTOS(v4, 256), RangeError);
  });

  test('nativeHandle gives the OS handle as a bigint; a closed socket has none', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    const handle = ws.nativeHandle(s);
    assert.equal(typeof handle, 'bigint');
    assert.ok(handle > 0n);
    ws.closesocket(s);
    assertWinsockError(() => ws.nativeHandle(s), 'WSAENOTSOCK', 'handle');
  });

  test('share/fromShare move a listening socket to another process, which accepts on it', async () => {
    const listener = scope.tcp();
    ws.bind(listener, '127.0.0.1', 0);
    ws.listen(listener);
    const port = ws.getsockname(listener).port;
    const script = `
      const ws = await import(${JSON.stringify(pathToFileURL(distIndexPath).href)});
      ws.startup();
      let blob = '';
      for await (const chunk of process.stdin) blob += chunk;
      const s = ws.fromShare(Buffer.from(blob, 'base64'));
      const { socket } = ws.accept(s);
      ws.send(socket, 'accepted by ' + process.pid);
      for (const x of [socket, s]) ws.closesocket(x);`;
    const child = spawn(process.execPath, evalModuleArgs(script), { stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.end(ws.share(listener, child.pid!).toString('base64'));
    const client = scope.tcp();
    await ws.connect(client, '127.0.0.1', port);
    const reply = String(await ws.recv(client, 64, { timeout: 10_000 }));
    assert.equal(reply, `accepted by ${child.pid}`);
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assertWinsockError(() => ws.fromShare(Buffer.from('not a share')), 'WSAEINVAL', 'WSASocket');
  });

  test('sendSocket/receiveSocket pass a connected socket over a Unix-domain socket (SCM_RIGHTS)', async () => {
    const { client, server } = scope.pair();
    const path = join(tmpdir(), `winsock-pass-${process.pid}-${Date.now()}.sock`);
    const script = `
      const ws = await import(${JSON.stringify(pathToFileURL(distIndexPath).href)});
      ws.startup();
      const s = ws.receiveSocket(${JSON.stringify(path)});
      ws.send(s, 'hello from ' + process.pid);
      ws.closesocket(s);`;
    const child = spawn(process.execPath, evalModuleArgs(script), { stdio: 'inherit' });
    const deadline = performance.now() + platformTimeout(5_000);
    for (;;) {
      try {
        ws.sendSocket(path, server); // the child may not be listening yet
        break;
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    scope.close(server); // the child has its own descriptor now
    assert.equal(String(await ws.recv(client, 64, { timeout: 10_000 })), `hello from ${child.pid}`);
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
  });

  test('raw sockets: examples/ping.ts pings 127.0.0.1 and ::1', async () => {
    const { ping } = (await import(pathToFileURL(join(packageRoot, 'dist-test', 'examples', 'ping.js')).href)) as {
      ping(address: string): Promise<number>;
    };
    for (const address of ['127.0.0.1', '::1']) {
      const ms = await ping(address);
      assert.ok(ms >= 0 && ms < 2000, `${address}: ${ms}`);
    }
  });
});
