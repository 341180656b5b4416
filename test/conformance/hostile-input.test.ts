// Issue 14, "hostile input": lengths the kernel reports past the memory the addon owns (Linux's MSG_TRUNC, getsockopt
// lengths that are not byte counts or are the length needed). Each test here failed on main before the fix: it read
// or wrote past a buffer (ASan: heap-buffer-overflow) or returned bytes that were never received.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';

/** Linux's MSG_TRUNC: on Winsock the same value is MSG_PUSH_IMMEDIATE. */
const LINUX_MSG_TRUNC = 0x20;
const DATAGRAM = Buffer.alloc(60_000, 0x61);

/** A received result is either a WinsockError or at most `limit` bytes that all came from the datagram. */
function assertWithin(result: Buffer | number | Error, limit: number): void {
  if (result instanceof Error) {
    assert.ok(result instanceof sync.WinsockError, String(result));
    return;
  }
  const length = typeof result === 'number' ? result : result.length;
  assert.ok(length <= limit, `got ${length} bytes from a ${limit}-byte buffer`);
  if (typeof result !== 'number') assert.ok(result.every((byte) => byte === 0x61), 'bytes that were never received');
}

function settle<T>(call: () => T): T | Error {
  try {
    return call();
  } catch (error) {
    return error as Error;
  }
}

async function settleAsync<T>(call: () => Promise<T>): Promise<T | Error> {
  try {
    return await call();
  } catch (error) {
    return error as Error;
  }
}

describe('hostile input: no byte read or written past a buffer', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  function udpPair(): { a: sync.SOCKET; b: sync.SOCKET; port: number } {
    const a = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    const b = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    sync.bind(a, '127.0.0.1', 0);
    sync.bind(b, '127.0.0.1', 0);
    const port = sync.getsockname(b).port;
    sync.connect(a, '127.0.0.1', port);
    return { a, b, port };
  }

  test('recv/recvfrom/recvmsg with flag 0x20 (Linux MSG_TRUNC) never return more than the buffer, sync and async', async () => {
    const calls: ((b: sync.SOCKET) => Buffer | number | Promise<Buffer | number>)[] = [
      (b) => sync.recv(b, 16, LINUX_MSG_TRUNC),
      (b) => sync.recv(b, Buffer.alloc(16), LINUX_MSG_TRUNC),
      (b) => sync.recvfrom(b, 16, LINUX_MSG_TRUNC).data,
      (b) => sync.recvfrom(b, Buffer.alloc(16), LINUX_MSG_TRUNC).bytes,
      (b) => sync.recvmsg(b, 16, LINUX_MSG_TRUNC).data,
      (b) => ws.recv(b, 16, { flags: LINUX_MSG_TRUNC }),
      (b) => ws.recvInto(b, Buffer.alloc(16), { flags: LINUX_MSG_TRUNC }),
      async (b) => (await ws.recvfrom(b, 16, { flags: LINUX_MSG_TRUNC })).data,
      async (b) => (await ws.recvmsg(b, 16, { flags: LINUX_MSG_TRUNC })).data,
    ];
    for (const call of calls) {
      const { a, b } = udpPair();
      sync.send(a, DATAGRAM);
      assertWithin(await settleAsync(async () => call(b)), 16);
    }
  });

  test('Linux MSG_TRUNC and other flags Winsock does not define for receiving are refused with WSAEOPNOTSUPP', async () => {
    const { a, b } = udpPair();
    sync.send(a, 'x');
    for (const flags of [LINUX_MSG_TRUNC, 0x40 /* MSG_DONTWAIT */, 0x2000 /* MSG_ERRQUEUE */, 0x40000000]) {
      assertWinsockError(() => sync.recv(b, 16, flags), 'WSAEOPNOTSUPP', 'recv');
      assertWinsockError(() => sync.recvfrom(b, 16, flags), 'WSAEOPNOTSUPP', 'recvfrom');
      assertWinsockError(() => sync.recvmsg(b, 16, flags), 'WSAEOPNOTSUPP', 'recvmsg');
      await assert.rejects(ws.recv(b, 16, { flags }), { code: 'WSAEOPNOTSUPP' });
    }
    // The datagram is still there for a call with Winsock's own flags.
    assert.equal(sync.recv(b, 16, sync.MSG_PEEK).toString(), 'x');
    assert.equal(sync.recv(b, 16).toString(), 'x');
  });

  /** Nothing waits on `b`: its recv (made nonblocking) says WSAEWOULDBLOCK. */
  function assertNothingArrived(b: sync.SOCKET): void {
    sync.ioctlsocket(b, sync.FIONBIO, 1);
    assertWinsockError(() => sync.recv(b, 16), 'WSAEWOULDBLOCK', 'recv');
  }

  // Winsock's send takes MSG_OOB and MSG_DONTROUTE (learn.microsoft.com, "send function"); Windows refuses a receive
  // flag such as MSG_WAITALL on a send with WSAEOPNOTSUPP (Kode/Kore pull request 801, seen on Windows).
  test('send, sendto and sendmsg refuse receive flags and unknown bits with WSAEOPNOTSUPP, sync and async; nothing is sent', async () => {
    const { a, b, port } = udpPair();
    for (const flags of [sync.MSG_PEEK, sync.MSG_WAITALL, 0x40000000]) {
      assertWinsockError(() => sync.send(a, 'x', flags), 'WSAEOPNOTSUPP', 'send');
      assertWinsockError(() => sync.sendto(a, 'x', '127.0.0.1', port, flags), 'WSAEOPNOTSUPP', 'sendto');
      assertWinsockError(() => sync.sendmsg(a, 'x', '127.0.0.1', port, { flags }), 'WSAEOPNOTSUPP', 'sendmsg');
      await assert.rejects(ws.send(a, 'x', { flags }), { code: 'WSAEOPNOTSUPP', syscall: 'send' });
      await assert.rejects(ws.sendto(a, 'x', '127.0.0.1', port, { flags }), { code: 'WSAEOPNOTSUPP', syscall: 'sendto' });
    }
    assertNothingArrived(b);
    const { client, server } = scope.pair();
    assertWinsockError(() => sync.send(client, 'x', sync.MSG_PEEK), 'WSAEOPNOTSUPP', 'send');
    assertNothingArrived(server);
    // The refusals left both sockets as they were.
    assert.equal(sync.send(a, 'ok'), 2);
    assert.equal(sync.send(client, 'ok'), 2);
    sync.ioctlsocket(b, sync.FIONBIO, 0);
    sync.ioctlsocket(server, sync.FIONBIO, 0);
    assert.equal(sync.recv(b, 16).toString(), 'ok');
    assert.equal(sync.recv(server, 2, sync.MSG_WAITALL).toString(), 'ok');
  });

  test("Linux's own send flags from a caller (MSG_MORE, MSG_NOSIGNAL, MSG_CONFIRM, MSG_EOR, MSG_DONTWAIT) never reach the kernel", async () => {
    const { client, server } = scope.pair();
    // 0x8000 MSG_MORE would hold the byte back (corked) until a later send; 0x40 MSG_DONTWAIT would change blocking.
    for (const flags of [0x8000, 0x4000, 0x800, 0x80, 0x40, 0x20, 0x10, 0x8000 | sync.MSG_OOB]) {
      assertWinsockError(() => sync.send(client, 'x', flags), 'WSAEOPNOTSUPP', 'send');
      await assert.rejects(ws.send(client, 'x', { flags }), { code: 'WSAEOPNOTSUPP' });
    }
    assertNothingArrived(server);
  });

  test('send with MSG_DONTROUTE and MSG_OOB still goes through; MSG_OOB on a datagram socket is WSAEOPNOTSUPP', async () => {
    const { client, server } = scope.pair();
    assert.equal(sync.send(client, 'b', sync.MSG_DONTROUTE), 1);
    assert.equal(await ws.send(client, 'c', { flags: sync.MSG_DONTROUTE }), 1);
    assert.equal(sync.recv(server, 2, sync.MSG_WAITALL).toString(), 'bc');
    assert.equal(sync.send(client, 'u', sync.MSG_OOB), 1);
    const { a, port } = udpPair();
    assertWinsockError(() => sync.sendto(a, 'x', '127.0.0.1', port, sync.MSG_OOB), 'WSAEOPNOTSUPP', 'sendto');
  });

  test('getsockopt never returns more bytes than optlen, whatever the option reports', () => {
    const s = scope.tcp();
    for (let optlen = 0; optlen <= 8; optlen++) {
      for (const [level, name] of [[sync.SOL_SOCKET, sync.SO_RCVBUF], [sync.SOL_SOCKET, sync.SO_LINGER], [sync.IPPROTO_TCP, sync.TCP_NODELAY]] as const) {
        const result = settle(() => sync.getsockopt(s, level, name, optlen));
        if (result instanceof Error) assert.ok(result instanceof sync.WinsockError, String(result));
        else assert.ok((result as Buffer).length <= optlen, `${(result as Buffer).length} bytes for optlen ${optlen}`);
      }
    }
  });

  test('netlink NETLINK_LIST_MEMBERSHIPS with optlen 0 to 3 is WSAEFAULT, not bytes past the buffer', () => {
    const AF_NETLINK = 16, NETLINK_ROUTE = 0, SOL_NETLINK = 270, NETLINK_ADD_MEMBERSHIP = 1, NETLINK_LIST_MEMBERSHIPS = 9;
    const s = scope.track(sync.socket(AF_NETLINK, sync.SOCK_RAW, NETLINK_ROUTE));
    sync.setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1); // RTNLGRP_LINK
    for (let optlen = 0; optlen < 4; optlen++) {
      assertWinsockError(() => sync.getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, optlen), 'WSAEFAULT', 'getsockopt');
    }
    const groups = sync.getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 64) as Buffer;
    assert.ok(groups.length >= 4 && groups.length <= 64);
    assert.equal(groups.readUInt32LE(0) & 1, 1, 'group 1 is listed');
  });

  test('SO_GET_FILTER counts optlen in bytes: a received filtered socket reads back its program, never 8x the buffer', async () => {
    const SO_GET_FILTER = 26;
    const folder = mkdtempSync(join(tmpdir(), 'winsock-filter-'));
    const path = join(folder, 'pass');
    // Four "ret #0xffffffff" instructions attached in another process, sent over SCM_RIGHTS.
    const script = `
import ctypes, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
program = ctypes.create_string_buffer(struct.pack('HBBI', 6, 0, 0, 0xffffffff) * 4)
s.setsockopt(socket.SOL_SOCKET, 26, struct.pack('HL', 4, ctypes.addressof(program)))
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(500):
    try:
        u.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.01)
socket.send_fds(u, [b'x'], [s.fileno()])
`;
    const child = spawn('python3', ['-c', script, path], { stdio: 'ignore' });
    try {
      const s = scope.track(sync.receiveSocket(path));
      const program = sync.getsockopt(s, sync.SOL_SOCKET, SO_GET_FILTER, 32) as Buffer;
      assert.equal(program.length, 32);
      for (let i = 0; i < 4; i++) assert.deepEqual([program.readUInt16LE(i * 8), program.readUInt32LE(i * 8 + 4)], [6, 0xffffffff]);
      // Room for one instruction of four: the kernel refuses; less than one: too small to say anything.
      assertWinsockError(() => sync.getsockopt(s, sync.SOL_SOCKET, SO_GET_FILTER, 8), 'WSAEINVAL', 'getsockopt');
      for (const optlen of [0, 1, 7]) {
        assertWinsockError(() => sync.getsockopt(s, sync.SOL_SOCKET, SO_GET_FILTER, optlen), 'WSAEFAULT', 'getsockopt');
      }
      assert.equal((sync.getsockopt(s, sync.SOL_SOCKET, SO_GET_FILTER, 4096) as Buffer).length, 32);
    } finally {
      child.kill();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
