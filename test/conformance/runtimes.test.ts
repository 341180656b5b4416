// Node, Bun and Deno: which readiness backend each runtime gets, the switch that forces the thread poller under
// Node, the refusal of uv_poll where there is no libuv loop, and one script giving the same results on both
// backends. The whole suite also runs under WINSOCK_POLLER=thread (.ci/run) and under Bun and Deno
// (scripts/test-runtimes.sh).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import * as sync from '../../src/index.js';
import { chooseReadinessBackend, describeRuntime, detectRuntime } from '../../src/runtime.js';
import { describe, runtime, test } from '../harness.js';
import { distIndexPath, evalModuleArgs } from '../support.js';

const distUrl = (name: string): string => pathToFileURL(distIndexPath.replace(/index\.js$/, `${name}.js`)).href;

/** Runs ES module `source` in a fresh process of this runtime with WINSOCK_POLLER set (or unset: undefined). */
async function runWithPoller(poller: string | undefined, source: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.WINSOCK_POLLER;
  if (poller !== undefined) env.WINSOCK_POLLER = poller;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, evalModuleArgs(source), { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error; // not an exit code: the child did not run (or timed out)
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

// The "script that runs unchanged on Node, Bun and Deno": the promises API and the Socket/Server classes,
// a 1 MiB transfer through accept/connect/send/recv, abort, timeout, close while pending, name resolution.
const portableScript = `
  const ws = await import(${JSON.stringify(distUrl('promises'))});
  const { Socket, Server } = await import(${JSON.stringify(distUrl('socket'))});
  const { readinessBackend } = await import(${JSON.stringify(distUrl('index'))});
  ws.startup();
  const results = { backend: readinessBackend };
  const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.bind(l, '127.0.0.1', 0); ws.listen(l);
  const [{ socket: a }] = await Promise.all([ws.accept(l), (async () => {
    const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    await ws.connect(c, '127.0.0.1', ws.getsockname(l).port);
    results.client = c;
  })()]);
  const c = results.client; delete results.client;
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  const chunks = [];
  let received = 0;
  const reading = (async () => {
    while (received < big.length) { const b = await ws.recv(a, 65536); if (b.length === 0) break; chunks.push(b); received += b.length; }
  })();
  results.sent = await ws.send(c, big);
  await reading;
  results.intact = Buffer.concat(chunks).equals(big);
  const controller = new AbortController();
  const aborted = ws.recv(c, 1, { signal: controller.signal });
  setTimeout(() => controller.abort(), 5);
  results.abort = await aborted.then(() => 'resolved', (error) => error.name);
  results.timeout = await ws.recv(c, 1, { timeout: 20 }).then(() => 'resolved', (error) => error.code);
  const pending = ws.recv(c, 1);
  setTimeout(() => ws.closesocket(c), 5);
  results.closeWhilePending = await pending.then(() => 'resolved', (error) => error.code + ' ' + error.errno);
  const port = ws.getsockname(l).port;
  ws.closesocket(a); ws.closesocket(l);
  const refused = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  results.refused = await ws.connect(refused, '127.0.0.1', port).then(() => 'connected', (error) => error.code);
  ws.closesocket(refused);
  results.lookup = (await ws.getaddrinfo('127.0.0.1', 80)).map((entry) => entry.address).includes('127.0.0.1');
  const server = Server.listen({ host: '127.0.0.1' });
  const accepting = server.accept();
  const client = await Socket.connect('127.0.0.1', server.address().port);
  const peer = await accepting;
  await client.end('hello over Socket');
  const text = [];
  for await (const chunk of peer) text.push(chunk);
  results.stream = Buffer.concat(text).toString();
  peer.close(); client.close(); server.close();
  console.log(JSON.stringify(results));
`;

describe('runtimes and readiness backends', () => {
  test('uv_poll on Node unless WINSOCK_POLLER=thread, the thread poller in Bun and Deno', () => {
    assert.equal(sync.runtime, detectRuntime());
    assert.equal(sync.runtime, runtime);
    const requested = process.env.WINSOCK_POLLER;
    const expected = runtime === 'node' && requested !== 'thread' ? 'uv_poll' : 'thread';
    assert.equal(sync.readinessBackend, expected);
    assert.equal(chooseReadinessBackend(requested, runtime), expected);
  });

  test('the runtime is told by process.versions: Bun and Deno also claim a Node version', () => {
    assert.equal(detectRuntime({ bun: '1.4.5' }), 'bun');
    assert.equal(detectRuntime({ deno: '2.9.6' }), 'deno');
    assert.equal(describeRuntime('bun', { bun: '1.4.5' }), 'Bun 1.4.5');
    assert.equal(describeRuntime('deno', { deno: '2.9.6' }), 'Deno 2.9.6');
  });

  test('WINSOCK_POLLER: uv_poll is refused where there is no libuv loop, naming the runtime; unknown values too', () => {
    assert.equal(chooseReadinessBackend(undefined, 'node'), 'uv_poll');
    assert.equal(chooseReadinessBackend('', 'node'), 'uv_poll');
    assert.equal(chooseReadinessBackend('thread', 'node'), 'thread');
    assert.equal(chooseReadinessBackend('uv_poll', 'node'), 'uv_poll');
    for (const other of ['bun', 'deno'] as const) {
      assert.equal(chooseReadinessBackend(undefined, other), 'thread');
      assert.equal(chooseReadinessBackend('thread', other), 'thread');
      assert.throws(() => chooseReadinessBackend('uv_poll', other), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.equal((error as { code?: string }).code, 'ERR_INVALID_ARG_VALUE');
        assert.match(error.message, other === 'bun' ? /in Bun / : /in Deno /);
        assert.match(error.message, /no libuv event loop/);
        return true;
      });
    }
    assert.throws(() => chooseReadinessBackend('epoll', 'node'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });

  test('one script, unchanged, gives the same results on the uv_poll and the thread backend', async () => {
    const defaultRun = await runWithPoller(undefined, portableScript);
    const threadRun = await runWithPoller('thread', portableScript);
    assert.equal(defaultRun.code, 0, defaultRun.stderr);
    assert.equal(threadRun.code, 0, threadRun.stderr);
    const byDefault = JSON.parse(defaultRun.stdout) as Record<string, unknown>;
    const onThread = JSON.parse(threadRun.stdout) as Record<string, unknown>;
    assert.equal(byDefault.backend, runtime === 'node' ? 'uv_poll' : 'thread');
    assert.equal(onThread.backend, 'thread');
    const expected = {
      sent: 1 << 20,
      intact: true,
      abort: 'AbortError',
      timeout: 'WSAETIMEDOUT',
      closeWhilePending: 'WSAEINTR 10004',
      refused: 'WSAECONNREFUSED',
      lookup: true,
      stream: 'hello over Socket',
    };
    assert.deepEqual({ ...byDefault, backend: undefined }, { ...expected, backend: undefined });
    assert.deepEqual({ ...onThread, backend: undefined }, { ...expected, backend: undefined });
  });

  test('a bad WINSOCK_POLLER fails the import with a TypeError that says why, never a crash', async () => {
    const load = `await import(${JSON.stringify(distUrl('promises'))}); console.log('loaded');`;
    const uv = await runWithPoller('uv_poll', load);
    if (runtime === 'node') {
      assert.equal(uv.code, 0, uv.stderr);
    } else {
      assert.equal(uv.code, 1, `exit code ${uv.code}: ${uv.stderr}`);
      assert.match(uv.stderr, /TypeError/);
      assert.match(uv.stderr, new RegExp(`WINSOCK_POLLER=uv_poll cannot work in ${runtime === 'bun' ? 'Bun' : 'Deno'}`));
    }
    const bogus = await runWithPoller('epoll', load);
    assert.equal(bogus.code, 1, `exit code ${bogus.code}: ${bogus.stderr}`);
    assert.match(bogus.stderr, /WINSOCK_POLLER must be 'uv_poll' or 'thread'/);
    assert.doesNotMatch(uv.stderr + bogus.stderr, /panic|Segmentation|core dumped|double free/);
  });
});
