// The process exits on its own when no socket waits; a worker terminated with calls pending takes its sockets down.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

import * as ws from '../../src/promises.js';
import { describe, platformTimeout, test } from '../harness.js';
import { distIndexPath, evalModuleArgs } from '../support.js';

const promisesUrl = pathToFileURL(distIndexPath.replace(/index\.js$/, 'promises.js')).href;

/** Runs an ES module snippet in a fresh node with the compiled package imported as `ws`; resolves with stdout. */
async function runSnippet(body: string): Promise<string> {
  const source = `const ws = await import(${JSON.stringify(promisesUrl)});\nws.startup();\n${body}`;
  const { stdout } = await promisify(execFile)(process.execPath, evalModuleArgs(source), {
    timeout: platformTimeout(20_000),
  });
  return stdout;
}

describe('process and worker lifetime', () => {
  ws.startup();

  test('the process exits on its own after an async echo once every socket is closed', async () => {
    const stdout = await runSnippet(`
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(l, '127.0.0.1', 0); ws.listen(l);
      const accepting = ws.accept(l);
      const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      await ws.connect(c, '127.0.0.1', ws.getsockname(l).port);
      const { socket: a } = await accepting;
      await ws.send(c, 'ping');
      console.log(String(await ws.recv(a, 8)));
      for (const s of [a, c, l]) ws.closesocket(s);`);
    assert.equal(stdout, 'ping\n');
  });

  test('an idle socket that was used asynchronously does not keep the process alive', async () => {
    const stdout = await runSnippet(`
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(l, '127.0.0.1', 0); ws.listen(l);
      await ws.accept(l, { timeout: 20 }).catch((error) => console.log(error.code));
      // l stays open, its poll handle idle: the process must still exit`);
    assert.equal(stdout, 'WSAETIMEDOUT\n');
  });

  test('a worker terminated while accept and recv wait closes its sockets and the process goes on', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(promisesUrl)}).then(async (ws) => {
        ws.startup();
        const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        ws.bind(l, '127.0.0.1', 0); ws.listen(l);
        const port = ws.getsockname(l).port;
        const accepting = ws.accept(l);
        const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        await ws.connect(c, '127.0.0.1', port);
        ws.recv(c, 1); // pending forever
        await accepting;
        ws.accept(l); // pending forever
        parentPort.postMessage(port);
      });`,
      { eval: true },
    );
    const [port] = (await once(worker, 'message')) as [number];
    assert.equal(await worker.terminate(), 1);
    const probe = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    try {
      await assert.rejects(ws.connect(probe, '127.0.0.1', port), { code: 'WSAECONNREFUSED' });
    } finally {
      ws.closesocket(probe);
    }
  });

  test('workers terminated while getaddrinfo and getnameinfo run on the threadpool do not take the process down', async () => {
    for (let round = 0; round < 20; round++) {
      const worker = new Worker(
        `import(${JSON.stringify(promisesUrl)}).then((ws) => {
          ws.startup();
          for (let i = 0; i < 4; i++) {
            ws.getaddrinfo('localhost', 80).catch(() => {});
            ws.getnameinfo('127.0.0.1', 80).catch(() => {});
          }
          require('node:worker_threads').parentPort.postMessage('started');
        });`,
        { eval: true },
      );
      await once(worker, 'message');
      await worker.terminate();
    }
    assert.ok(true, 'the process is still here');
  });

  test('100 workers that open, wait and exit leave nothing behind', async () => {
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 10 }, async () => {
        const worker = new Worker(
          `import(${JSON.stringify(promisesUrl)}).then(async (ws) => {
            ws.startup();
            const l = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, 0);
            ws.bind(l, '::1', 0); ws.listen(l);
            ws.accept(l).catch(() => {});
            await new Promise((resolve) => setTimeout(resolve, 5));
            process.exit(0);
          });`,
          { eval: true },
        );
        const [code] = (await once(worker, 'exit')) as [number];
        assert.equal(code, 0);
      }));
    }
  });
});
