// Faults from outside: peers that reset or die, full accept queues, sockets closed under a pending call, workers
// terminated and processes exiting with calls in flight. Each test states the outcome it expects; none may crash
// the process, leave a call waiting forever, or fail with anything but a WinsockError (or an AbortError).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, platformTimeout, test } from '../harness.js';
import { SocketScope, distIndexPath, evalModuleArgs } from '../support.js';

const promisesUrl = pathToFileURL(distIndexPath.replace(/index\.js$/, 'promises.js')).href;

/** The outcome of a call: 'ok', or the code (or name) of the error it failed with. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof ws.WinsockError) return error.code;
    return error instanceof Error ? error.name : String(error);
  }
}

/** Settles with `promise`, or fails the test if it is still pending after `ms` (a hang). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface Child {
  /** Lines the child printed so far, and a promise of the next one. */
  line(): Promise<string>;
  kill(): void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** A node child process running an ES module snippet, with the compiled `winsock/promises` imported as `ws`. */
function spawnModule(body: string): Child {
  const source = `const ws = await import(${JSON.stringify(promisesUrl)});\nws.startup();\n${body}`;
  const child = spawn(process.execPath, evalModuleArgs(source), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: ((line: string) => void)[] = [];
  let consumed = 0;
  const deliver = (): void => {
    for (;;) {
      const end = stdout.indexOf('\n', consumed);
      if (end === -1 || waiting.length === 0) return;
      const line = stdout.slice(consumed, end).trim();
      consumed = end + 1;
      waiting.shift()!(line);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => ((stdout += text), deliver()));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return {
    line: () => within(platformTimeout(20_000), 'child output', new Promise<string>((resolve) => (waiting.push(resolve), deliver()))),
    kill: () => child.kill('SIGKILL'),
    done,
  };
}

/** A listener whose accept queue is full and never served, so further SYNs go unanswered. */
async function fullBacklog(scope: SocketScope): Promise<number> {
  const listener = scope.tcp();
  ws.bind(listener, '127.0.0.1', 0);
  ws.listen(listener, 0);
  const port = ws.getsockname(listener).port;
  await Promise.all(Array.from({ length: 3 }, () => outcome(ws.connect(scope.tcp(), '127.0.0.1', port, { timeout: 100 }))));
  return port;
}

/** A worker running `body` with `ws` = winsock/promises; it posts 'ready' when the body has run. */
function startWorker(body: string): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(promisesUrl)}).then(async (ws) => {
      ws.startup();
      ${body}
      parentPort.postMessage('ready');
    });`,
    { eval: true },
  );
}

describe('faults', () => {
  ws.startup();
  const scope = new SocketScope();
  const open: { close(): void }[] = [];
  afterEach(() => {
    scope.closeAll();
    for (const thing of open.splice(0)) thing.close();
  });

  test('peer reset during send: the pending send rejects with WSAECONNRESET and its bytesWritten', async () => {
    const server = Server.listen({ host: '127.0.0.1' });
    open.push(server);
    const accepting = server.accept();
    const client = await Socket.connect('127.0.0.1', server.address().port);
    open.push(client);
    const peer = await accepting;
    await peer.write('unread'); // the peer closes with this unread: its stack resets the connection
    const writing = client.sendAll(Buffer.alloc(64 << 20));
    await new Promise((resolve) => setTimeout(resolve, 20));
    peer.close();
    const error = await within(10_000, 'send', writing.then(() => null, (caught: unknown) => caught));
    assert.ok(error instanceof ws.WinsockError, String(error));
    assert.equal(error.code, 'WSAECONNRESET');
    const written = (error as unknown as { bytesWritten: number }).bytesWritten;
    assert.ok(written > 0 && written < 64 << 20, `bytesWritten ${written}`);
    client.close(); // still closes cleanly
    assert.equal(client.closed, true);
  });

  test('peer reset during recv: the waiting recv rejects with WSAECONNRESET', async () => {
    const { client, server } = scope.pair();
    sync.send(client, 'unread');
    const reading = ws.recv(client, 16);
    await new Promise((resolve) => setTimeout(resolve, 20));
    scope.close(server); // closed with unread data: a reset
    assert.equal(await within(5_000, 'recv', outcome(reading)), 'WSAECONNRESET');
  });

  test('a server killed mid-transfer: pending calls settle, nothing hangs, reconnecting is refused', async () => {
    const child = spawnModule(`
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(l, '127.0.0.1', 0); ws.listen(l);
      console.log(ws.getsockname(l).port);
      for (;;) {
        const { socket } = await ws.accept(l);
        (async () => { // echo, slowly enough that the client's data piles up unread
          for (let chunk; (chunk = await ws.recv(socket, 65536)).length > 0; ) {
            await ws.send(socket, chunk);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })().catch(() => {});
      }`);
    const port = Number(await child.line());
    const client = scope.tcp();
    await ws.connect(client, '127.0.0.1', port);
    const sending = outcome(ws.send(client, Buffer.alloc(64 << 20)));
    const reading = outcome((async () => {
      for (;;) if ((await ws.recv(client, 65536)).length === 0) return;
    })());
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill();
    const exited = await child.done;
    assert.notEqual(exited.code, 0);
    assert.ok(['WSAECONNRESET', 'WSAECONNABORTED'].includes(await within(10_000, 'send', sending)));
    assert.ok(['ok', 'WSAECONNRESET', 'WSAECONNABORTED'].includes(await within(10_000, 'recv', reading)));
    assert.equal(await outcome(ws.connect(scope.tcp(), '127.0.0.1', port)), 'WSAECONNREFUSED');
  });

  test('listen backlog overflow: the queued connections are accepted, the rest time out or are refused', async () => {
    const listener = scope.tcp();
    ws.bind(listener, '127.0.0.1', 0);
    ws.listen(listener, 1);
    const port = ws.getsockname(listener).port;
    const clients = Array.from({ length: 8 }, () => scope.tcp());
    const results = await Promise.all(clients.map((c) => outcome(ws.connect(c, '127.0.0.1', port, { timeout: 300 }))));
    const connected = results.filter((result) => result === 'ok').length;
    assert.ok(connected >= 1, results.join());
    assert.ok(connected < clients.length, `no overflow: ${results.join()}`);
    for (const result of results) assert.ok(['ok', 'WSAETIMEDOUT', 'WSAECONNREFUSED'].includes(result), result);
    // Serving the queue makes room again: a new client gets through and is accepted.
    for (let i = 0; i < connected; i++) scope.track((await ws.accept(listener, { timeout: 2_000 })).socket);
    const late = scope.tcp();
    await ws.connect(late, '127.0.0.1', port, { timeout: 2_000 });
    scope.track((await ws.accept(listener, { timeout: 2_000 })).socket);
  });

  test('connect against a full, never-accepting listener rejects with WSAETIMEDOUT on time', async () => {
    const port = await fullBacklog(scope);
    const started = performance.now();
    await assert.rejects(Socket.connect('127.0.0.1', port, { timeout: 250 }), { code: 'WSAETIMEDOUT', errno: 10060 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 240 && elapsed < 2_000, `took ${elapsed.toFixed(0)} ms`);
  });

  test('close from a timer while a send is pending: the send rejects with WSAEINTR, then WSAENOTSOCK', async () => {
    const { client, server } = scope.pair();
    const sending = ws.send(client, Buffer.alloc(64 << 20));
    setImmediate(() => ws.closesocket(client));
    const error = await within(5_000, 'send', sending.then(() => null, (caught: unknown) => caught));
    assert.ok(error instanceof ws.WinsockError, String(error));
    assert.equal(error.code, 'WSAEINTR');
    assert.equal(typeof (error as unknown as { bytesWritten: number }).bytesWritten, 'number');
    assert.equal(await outcome(ws.send(client, 'x')), 'WSAENOTSOCK');
    assert.ok(['ok', 'WSAECONNRESET'].includes(await within(5_000, 'peer recv', outcome(drain(server)))));
  });

  test('close from the callback of another call on the same socket while a send is pending', async () => {
    const { client, server } = scope.pair();
    const sending = outcome(ws.send(client, Buffer.alloc(64 << 20)));
    const closedFromRecv = ws.recv(client, 16).then(() => ws.closesocket(client));
    sync.send(server, 'wake up');
    await within(5_000, 'recv', closedFromRecv);
    assert.equal(await within(5_000, 'send', sending), 'WSAEINTR');
  });

  test('close while a high-level write waits; destroying a Duplex while it writes', async () => {
    const server = Server.listen({ host: '127.0.0.1' });
    open.push(server);
    const accepting = server.accept();
    const client = await Socket.connect('127.0.0.1', server.address().port);
    open.push(client, await accepting);
    const writing = outcome(client.write(Buffer.alloc(64 << 20)));
    setTimeout(() => client.close(), 10);
    assert.equal(await within(5_000, 'write', writing), 'WSAEINTR');

    const accepting2 = server.accept();
    const other = await Socket.connect('127.0.0.1', server.address().port);
    open.push(other, await accepting2);
    const stream = other.toStream();
    stream.on('error', () => {});
    stream.write(Buffer.alloc(64 << 20));
    setTimeout(() => stream.destroy(), 10);
    await within(5_000, 'destroy', once(stream, 'close'));
    assert.equal(other.closed, true);
  });

  test('a worker terminated while getaddrinfo waits on the threadpool does not take the process down', async () => {
    const { pbkdf2 } = await import('node:crypto');
    for (let round = 0; round < 5; round++) {
      // Keep the threadpool busy so the lookups are still queued (or running) when the worker ends.
      const busy = Array.from({ length: 4 }, () => new Promise((resolve) => pbkdf2('x', 'y', 100_000, 32, 'sha256', resolve)));
      const worker = startWorker(`for (let i = 0; i < 5; i++) ws.getaddrinfo('localhost', 80).catch(() => {});`);
      await once(worker, 'message');
      await worker.terminate();
      await Promise.all(busy);
    }
  });

  test('a worker terminated while its sockets keep becoming ready does not take the process down', async () => {
    for (let round = 0; round < 8; round++) {
      const { listener, port } = scope.listener();
      // Both directions busy, so the worker's poll handles fire while its environment is being torn down.
      const worker = startWorker(`
        const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        await ws.connect(c, '127.0.0.1', ${port});
        (async () => { for (;;) await ws.recv(c, 65536); })().catch(() => {});
        (async () => { for (;;) await ws.send(c, Buffer.alloc(65536)); })().catch(() => {});`);
      const peer = scope.track(sync.accept(listener).socket);
      await once(worker, 'message');
      const pumping = outcome((async () => {
        for (;;) {
          await ws.send(peer, Buffer.alloc(65536));
          await ws.recv(peer, 65536);
        }
      })());
      await new Promise((resolve) => setTimeout(resolve, round % 4));
      await worker.terminate();
      // The worker's socket is gone with it: the peer's next send fails with a reset instead of waiting forever.
      const ended = await within(10_000, 'peer', pumping);
      assert.ok(['WSAECONNRESET', 'WSAECONNABORTED'].includes(ended), ended);
      scope.close(peer);
    }
  });

  test('workers terminated while they load the addon do not take the process down', async () => {
    // Terminated at every moment of the addon's initialisation: its N-API calls fail and its constructor throws.
    // A cleanup hook registered before that point was left pointing at the freed object (a use-after-free that
    // ASan reports from this test).
    for (let round = 0; round < 30; round++) {
      const worker = new Worker(`import(${JSON.stringify(promisesUrl)}).then((ws) => ws.startup());`, { eval: true });
      await once(worker, 'online');
      await new Promise((resolve) => setTimeout(resolve, round % 15));
      await worker.terminate();
    }
  });

  test('a worker terminated with accept, connect, send and recv pending closes its sockets', async () => {
    const port = await fullBacklog(scope);
    const worker = startWorker(`
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(l, '127.0.0.1', 0); ws.listen(l);
      ws.connect(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), '127.0.0.1', ${port}).catch(() => {});
      const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      const accepting = ws.accept(l);
      await ws.connect(c, '127.0.0.1', ws.getsockname(l).port);
      const { socket: a } = await accepting;
      ws.accept(l).catch(() => {});
      ws.send(c, Buffer.alloc(64 << 20)).catch(() => {});
      ws.recv(a, 1).catch(() => {}); ws.recv(c, 1).catch(() => {});`);
    await once(worker, 'message');
    assert.equal(await worker.terminate(), 1);
  });

  test('process exit with open sockets and pending calls, from inside a readiness callback: exit code 0', async () => {
    const child = spawnModule(`
      const l = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, 0);
      ws.bind(l, '::1', 0); ws.listen(l);
      const accepting = ws.accept(l);
      const c = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, 0);
      await ws.connect(c, '::1', ws.getsockname(l).port);
      const { socket: a } = await accepting;
      ws.accept(l).catch(() => {});
      ws.send(c, Buffer.alloc(64 << 20)).catch(() => {});
      console.log('ready');
      ws.recv(a, 1).then(() => process.exit(0)); // exits inside the recv's readiness callback`);
    assert.equal(await child.line(), 'ready');
    const exited = await within(platformTimeout(20_000), 'child exit', child.done);
    assert.equal(exited.stderr, '');
    assert.equal(exited.code, 0);
  });

  test('process exit by an uncaught exception with sockets open: the error is reported, exit code 1', async () => {
    const child = spawnModule(`
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
      ws.bind(l, '127.0.0.1', 0); ws.listen(l);
      ws.accept(l).catch(() => {});
      setTimeout(() => { throw new Error('boom with sockets open'); }, 10);`);
    const exited = await within(platformTimeout(20_000), 'child exit', child.done);
    assert.equal(exited.code, 1);
    assert.match(exited.stderr, /boom with sockets open/);
    assert.doesNotMatch(exited.stderr, /FATAL|Aborted|terminate called|Segmentation/);
  });

  test('a peer in another process sees end of stream when that process exits with the socket open', async () => {
    const { listener, port } = scope.listener();
    const child = spawnModule(`
      const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
      await ws.connect(c, '127.0.0.1', ${port});
      await ws.send(c, 'bye');
      process.exit(0);`);
    const peer = scope.track((await ws.accept(listener, { timeout: platformTimeout(20_000) })).socket);
    assert.equal((await within(platformTimeout(20_000), 'child exit', child.done)).code, 0);
    assert.equal(String(await drain(peer)), 'bye');
  });
});

/** Reads until end of stream; resolves with everything read. */
async function drain(s: ws.SOCKET): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let chunk; (chunk = await ws.recv(s, 1 << 20)).length > 0; ) chunks.push(chunk);
  return Buffer.concat(chunks);
}
