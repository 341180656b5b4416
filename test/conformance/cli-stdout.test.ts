// winsock-echo when the reader of its stdout goes away (`winsock-echo demo | head -3`, `demo | true`): it stops at
// once and quietly with exit code 0, and no server child is left listening. A file of its own: under Wine every
// node.exe takes seconds to start, and each test file has its own time budget there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';

import { describe, test } from '../harness.js';
import { cliPath } from '../support.js';

describe('winsock-echo with a closed stdout', () => {
  /** A port nothing listens on now (a node:net listener's, closed again). */
  async function freePort(): Promise<number> {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    return port;
  }

  /** Whether a connection to the port is refused now. */
  async function refusedNow(port: number): Promise<boolean> {
    const socket = createConnection(port, '127.0.0.1');
    const [outcome] = await Promise.race([once(socket, 'connect').then(() => ['connected']), once(socket, 'error')]);
    socket.destroy();
    return (outcome as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }

  /**
   * Whether connections to the port are refused within 3 s: no server (an orphan of the demo) still listens there.
   * The demo kills its server child as it exits, and the signal takes effect a moment later: under Bun and Deno the
   * child still listened right after the demo had exited, now and then. An orphan listens for good.
   */
  async function refused(port: number): Promise<boolean> {
    for (const deadline = Date.now() + 3000; ; ) {
      if (await refusedNow(port)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** `winsock-echo demo --port PORT | reader`: the reader takes `lines` lines (0: none) and closes the pipe. */
  async function demoIntoClosedPipe(lines: number): Promise<{ code: number | null; signal: string | null; stderr: string; read: string; port: number }> {
    const port = await freePort();
    const child = spawn(process.execPath, [cliPath, 'demo', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>; // before any await: never missed
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    let read = '';
    if (lines === 0) child.stdout.destroy();
    else {
      child.stdout.setEncoding('utf8');
      for await (const text of child.stdout) {
        read += text as string;
        if (read.split('\n').length > lines) break; // leaving the loop destroys the stream: the pipe closes
      }
    }
    const timer = setTimeout(() => child.kill(), 20_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    return { code, signal, stderr, read, port };
  }

  test('demo into a pipe closed at once (demo | true): exits 0 at once, quietly, with no server left behind', async () => {
    const run = await demoIntoClosedPipe(0);
    assert.deepEqual({ code: run.code, signal: run.signal, stderr: run.stderr }, { code: 0, signal: null, stderr: '' });
    assert.ok(await refused(run.port), 'the demo\'s server child still listens 3 s after the demo exited');
  });

  test('demo into a pipe closed after 3 lines (demo | head -3): exits 0, quietly, with no server left behind', async () => {
    const run = await demoIntoClosedPipe(3);
    assert.match(run.read, /^\$ winsock-echo server --host 127\.0\.0\.1 --port \d+\n/);
    assert.deepEqual({ code: run.code, signal: run.signal, stderr: run.stderr }, { code: 0, signal: null, stderr: '' });
    assert.ok(await refused(run.port), 'the demo\'s server child still listens 3 s after the demo exited');
  });
});
