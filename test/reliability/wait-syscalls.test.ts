// Issue 17: the system calls of a wait. A promises-API recv or send that finds nothing to read or no room makes one
// receive or send and then waits for readiness; it used to ask the kernel twice more each time why the call found
// nothing (fcntl F_GETFL for a blocking socket's timeout, getpeername for a connect under way), which a socket the
// addon made nonblocking and knows to be connected cannot be. Counted with strace in a child process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { packageRoot } from '../../src/native.js';
import { describe, test } from '../harness.js';
import { evalModuleArgs } from '../support.js';

const ROUNDS = 20;

// The child: a loopback pair; ROUNDS receives that wait for the peer's byte, then sends that find the kernel's
// buffer full. It writes "begin <server fd> <client fd>" (one write(2), which strace records)
// before the waits.
const child = `
import { writeSync } from 'node:fs';
const ws = await import(${JSON.stringify(pathToFileURL(join(packageRoot, 'dist', 'src', 'promises.js')).href)});
ws.startup();
const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
ws.bind(listener, '127.0.0.1', 0);
ws.listen(listener, 1);
const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
await ws.connect(client, '127.0.0.1', ws.getsockname(listener).port);
const server = (await ws.accept(listener)).socket;
const into = Buffer.alloc(64);
await ws.send(client, 'warm');
await ws.recvInto(server, into);
writeSync(1, 'begin ' + ws.nativeHandle(server) + ' ' + ws.nativeHandle(client) + '\\n');
for (let round = 0; round < ${ROUNDS}; round++) {
  const waiting = ws.recvInto(server, into);
  await new Promise((resolve) => setTimeout(resolve, 2));
  await ws.send(client, 'x');
  if (await waiting !== 1) throw new Error('one byte expected');
}
const { native } = await import(${JSON.stringify(pathToFileURL(join(packageRoot, 'dist', 'src', 'native.js')).href)});
const chunk = Buffer.alloc(1 << 16);
for (let round = 0; round < 5; round++) {
  // The kernel's send buffer filled by one try (a part sent); the next send then finds no room at all.
  const filled = native.trySend(native.socketId(client), Buffer.alloc(16 << 20), 0);
  const sending = ws.send(client, 'y');
  let received = 0;
  while (received < filled + 1) received += await ws.recvInto(server, chunk);
  await sending;
}
for (const s of [client, server, listener]) ws.closesocket(s);
`;

describe('system calls of a wait', () => {
  test('a recv or send that waits makes no fcntl or getpeername on its socket, only the receive or send', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'winsock-strace-'));
    try {
      // One file per thread (-ff): the JavaScript thread's calls in order, none split by another thread's.
      await promisify(execFile)('strace', ['-ff', '-qq', '-o', join(folder, 'trace'), '-e',
        'trace=write,fcntl,getpeername,recvfrom,recvmsg,sendto', process.execPath, ...evalModuleArgs(child)], { timeout: 60_000 });
      const lines = readdirSync(folder).map((file) => readFileSync(join(folder, file), 'utf8'))
        .find((text) => text.includes('"begin '))?.split('\n') ?? [];
      const begin = lines.findIndex((line) => /write\(1, "begin \d+ \d+\\n"/.test(line));
      assert.ok(begin >= 0, 'the child wrote its descriptors');
      const [, server, client] = /begin (\d+) (\d+)/.exec(lines[begin]!)!;
      const after = lines.slice(begin + 1);
      const count = (pattern: RegExp): number => after.filter((line) => pattern.test(line)).length;
      const fds = `(?:${server}|${client})`;
      // The waits happened: receives that found nothing on the server, sends that found no room on the client.
      assert.ok(count(new RegExp(`recv(?:from|msg)\\(${server},.*= -1 EAGAIN`)) >= ROUNDS, 'every round waited to receive');
      assert.ok(count(new RegExp(`sendto\\(${client},.*= -1 EAGAIN`)) >= 5, 'every send into a full buffer waited');
      // And asked the kernel nothing more about either socket.
      assert.equal(count(new RegExp(`fcntl\\(${fds}, F_GETFL`)), 0, 'fcntl F_GETFL on a waiting socket');
      assert.equal(count(new RegExp(`getpeername\\(${fds},`)), 0, 'getpeername on a waiting socket');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
