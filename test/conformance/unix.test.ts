// AF_UNIX stream sockets (afunix.h on Windows 10 1803+, every POSIX system): the 1:1 calls, the async ones, and
// Socket/Server with a path. The error numbers are Windows' (see README "AF_UNIX"): an existing file on bind is
// WSAEADDRINUSE, a path with nothing behind it WSAECONNREFUSED, a path that does not fit sun_path WSAEINVAL.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

import * as ws from '../../src/index.js';
import * as wsp from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';

describe('AF_UNIX stream sockets', () => {
  ws.startup();
  const scope = new SocketScope();
  const folders: string[] = [];
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const thing of open.splice(0)) thing.close();
    scope.closeAll();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** A path in a new, empty folder of the temp dir (short, so sun_path's 108 bytes are never the limit). */
  function freshPath(name = 's.sock'): string {
    const folder = mkdtempSync(join(tmpdir(), 'ws-unix-'));
    folders.push(folder);
    return join(folder, sep, name);
  }

  const unixSocket = (): ws.SOCKET => scope.track(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0));

  function listening(path: string): ws.SOCKET {
    const listener = unixSocket();
    ws.bind(listener, path);
    ws.listen(listener, 4);
    return listener;
  }

  test('AF_UNIX: bind, listen, connect, accept, send and recv over a path; the names are the path', () => {
    const path = freshPath();
    const listener = listening(path);
    assert.deepEqual(ws.getsockname(listener), { family: ws.AF_UNIX, address: path, port: 0 });
    const client = unixSocket();
    ws.connect(client, path);
    const accepted = ws.accept(listener);
    const server = scope.track(accepted.socket);
    // The client never bound: its name, and so the accepted peer's address, is the empty (unnamed) one.
    assert.deepEqual({ family: accepted.family, address: accepted.address, port: accepted.port }, { family: ws.AF_UNIX, address: '', port: 0 });
    assert.deepEqual(ws.getpeername(client), { family: ws.AF_UNIX, address: path, port: 0 });
    assert.deepEqual(ws.getsockname(client), { family: ws.AF_UNIX, address: '', port: 0 });
    assert.equal(ws.send(client, 'over a path'), 11);
    assert.equal(String(ws.recv(server, 64)), 'over a path');
    ws.shutdown(client, ws.SD_SEND);
    assert.equal(ws.recv(server, 64).length, 0);
  });

  test('AF_UNIX async: connect({ path }) and accept with the promises API, then an echo', async () => {
    const path = freshPath();
    const listener = listening(path);
    const accepting = wsp.accept(listener);
    const client = unixSocket();
    await wsp.connect(client, { path });
    const server = scope.track((await accepting).socket);
    const payload = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => i % 251));
    const receiving = (async () => {
      const chunks: Buffer[] = [];
      for (let got = 0; got < payload.length; ) {
        const chunk = await wsp.recv(server, 64 * 1024);
        assert.notEqual(chunk.length, 0, 'the peer ended early');
        chunks.push(chunk);
        got += chunk.length;
      }
      return Buffer.concat(chunks);
    })();
    assert.equal(await wsp.send(client, payload), payload.length);
    assert.ok((await receiving).equals(payload));
  });

  test('AF_UNIX bind to a path that exists fails with WSAEADDRINUSE, for a socket file and a plain file', () => {
    const path = freshPath();
    listening(path);
    assertWinsockError(() => ws.bind(unixSocket(), path), 'WSAEADDRINUSE', 'bind');
    const plain = freshPath('plain.txt');
    writeFileSync(plain, 'not a socket');
    const error = assertWinsockError(() => ws.bind(unixSocket(), plain), 'WSAEADDRINUSE', 'bind');
    assert.equal(error.address, plain);
    assert.equal(error.port, undefined);
  });

  test('AF_UNIX connect to a path with no socket file fails with WSAECONNREFUSED, sync and async', async () => {
    const missing = freshPath('nothing-here.sock');
    const error = assertWinsockError(() => ws.connect(unixSocket(), missing), 'WSAECONNREFUSED', 'connect');
    assert.equal(error.address, missing);
    await assert.rejects(wsp.connect(unixSocket(), { path: missing }), (rejected: unknown) => {
      assert.ok(rejected instanceof ws.WinsockError);
      assert.equal(rejected.code, 'WSAECONNREFUSED');
      return true;
    });
  });

  test('AF_UNIX connect to a socket file nobody listens on any more fails with WSAECONNREFUSED', () => {
    const path = freshPath();
    const listener = listening(path);
    scope.close(listener); // the file stays, as on Windows: nothing removes it but the application
    assert.ok(existsSync(path));
    assertWinsockError(() => ws.connect(unixSocket(), path), 'WSAECONNREFUSED', 'connect');
  });

  test('AF_UNIX paths: 107 bytes bind, 108 and more (no room for the NUL in sun_path) and empty fail with WSAEINVAL', () => {
    const prefix = freshPath('');
    const named = (bytes: number): string => prefix + 'x'.repeat(bytes - Buffer.byteLength(prefix));
    const longest = named(107);
    const bound = unixSocket();
    ws.bind(bound, longest);
    assert.equal(ws.getsockname(bound).address, longest);
    for (const path of [named(108), named(200), '']) {
      const error = assertWinsockError(() => ws.bind(unixSocket(), path), 'WSAEINVAL', 'bind');
      assert.equal(error.address, path);
      assertWinsockError(() => ws.connect(unixSocket(), path), 'WSAEINVAL', 'connect');
    }
  });

  test('AF_UNIX listen on an unbound socket fails with WSAEINVAL (Linux would bind an abstract name)', () => {
    assertWinsockError(() => ws.listen(unixSocket()), 'WSAEINVAL', 'listen');
  });

  test('AF_UNIX arguments: a NUL byte after the first, or a path that is not a string, is a TypeError', () => {
    assert.throws(() => ws.bind(unixSocket(), 'a\0b'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => ws.bind(unixSocket(), { path: 42 as unknown as string }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    // An AF_INET socket still needs its port.
    assert.throws(() => ws.connect(scope.tcp(), '127.0.0.1'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  });

  test('AF_UNIX abstract names (Linux): a leading NUL binds no file, getsockname returns the name, a client connects', async () => {
    const name = `\0winsock-test-${process.pid}-${Date.now()}`;
    const listener = listening(name);
    assert.deepEqual(ws.getsockname(listener), { family: ws.AF_UNIX, address: name, port: 0 });
    const accepting = wsp.accept(listener);
    const client = unixSocket();
    await wsp.connect(client, { path: name });
    scope.track((await accepting).socket);
    assert.equal(ws.getpeername(client).address, name);
    // An abstract name may fill all of sun_path (108 bytes, no terminator): it comes back whole, read no further.
    const longest = `\0${'a'.repeat(107)}`;
    const full = listening(longest);
    assert.equal(ws.getsockname(full).address, longest);
    assertWinsockError(() => ws.bind(unixSocket(), `${longest}b`), 'WSAEINVAL', 'bind');
  });

  test('AF_UNIX where Winsock lacks it (Wine 8): socket() fails with WSAEAFNOSUPPORT, as on Windows before 1803', () => {
    assertWinsockError(() => ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0), 'WSAEAFNOSUPPORT', 'socket');
  });

  test('Server.listen({ path }) and Socket.connect({ path }): an echo; close() removes the socket file', async () => {
    const path = freshPath();
    const server = Server.listen({ path });
    open.push(server);
    assert.deepEqual(server.address(), { family: ws.AF_UNIX, address: path, port: 0 });
    const accepting = server.accept();
    const client = await Socket.connect({ path, timeout: 5000 });
    open.push(client);
    const peer = await accepting;
    open.push(peer);
    await client.write('hello over AF_UNIX');
    assert.equal(String(await peer.read()), 'hello over AF_UNIX');
    server.close();
    assert.equal(existsSync(path), false);
    // The path is free again: a second server binds it.
    const again = Server.listen({ path });
    open.push(again);
    assert.equal(again.address().address, path);
  });

  test('Server.listen({ path }) on an existing file fails with WSAEADDRINUSE and leaves the file alone', () => {
    const path = freshPath('taken.txt');
    writeFileSync(path, 'keep me');
    assert.throws(() => Server.listen({ path }), { name: 'WinsockError', code: 'WSAEADDRINUSE' });
    assert.ok(existsSync(path));
    assert.throws(() => Server.listen({ path: 7 as unknown as string }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  });
});
