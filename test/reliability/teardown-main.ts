// Workers terminated with every kind of call in flight (lookups stuck in the threadpool's queue, sends, receives,
// accepts, connects), twenty times over, then workers terminated while they load the addon, in a process that then
// ends by itself. Run by scripts/test-asan.sh, where
// LeakSanitizer checks at that exit what a terminated worker's calls left behind: a lookup's napi_deferred once did,
// and so did the addon's method table when a worker was terminated while it loaded the addon.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { distIndexPath } from '../support.js';

const promisesUrl = pathToFileURL(distIndexPath.replace(/index\.js$/, 'promises.js')).href;
const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

// Opening a FIFO for reading blocks until a writer comes: a few such opens hold every threadpool thread, so the
// worker's lookups are certainly still queued when it is terminated.
const fifo = join(tmpdir(), `winsock-teardown-${process.pid}`);
execFileSync('mkfifo', [fifo]);
try {
  for (let round = 0; round < 20; round++) {
    // The worker loads first (module loading reads files on the threadpool), then the threadpool is taken, then
    // the worker makes its calls.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(promisesUrl)}).then(async (ws) => {
        ws.startup();
        parentPort.postMessage('loaded');
        await new Promise((resolve) => parentPort.once('message', resolve));
        const quiet = (promise) => promise.catch(() => {});
        for (let i = 0; i < 5; i++) quiet(ws.getaddrinfo('localhost', 80));
        const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        ws.bind(l, '127.0.0.1', 0); ws.listen(l);
        const accepting = ws.accept(l);
        const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        await ws.connect(c, '127.0.0.1', ws.getsockname(l).port);
        const { socket: a } = await accepting;
        quiet(ws.accept(l));
        quiet(ws.send(c, Buffer.alloc(8 << 20)));
        quiet(ws.recv(a, 1)); quiet(ws.recv(c, 1));
        parentPort.postMessage('ready');
      });`,
      { eval: true },
    );
    await once(worker, 'message');
    const holders = Array.from({ length: THREADPOOL_SIZE }, () => open(fifo, 'r'));
    await new Promise((resolve) => setTimeout(resolve, 10)); // the opens reach the threadpool
    worker.postMessage('go');
    await once(worker, 'message');
    await new Promise((resolve) => setTimeout(resolve, round % 3));
    // The worker's teardown waits for its queued lookups, which wait for the threadpool: free it once the
    // termination has begun, or neither would ever finish.
    const terminated = worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const writer = openSync(fifo, 'w'); // lets every blocked open through
    for (const handle of await Promise.all(holders)) await handle.close();
    closeSync(writer);
    await terminated;
  }
} finally {
  rmSync(fifo, { force: true });
}
// And workers terminated while they load the addon, at every moment of its initialisation. 400 of them: the leak
// of the methods' callback data (WinsockAddon::DefineMethods) showed about once in 800 before it was fixed.
for (let round = 0; round < 400; round++) {
  const worker = new Worker(`import(${JSON.stringify(promisesUrl)}).then((ws) => ws.startup());`, { eval: true });
  await once(worker, 'online');
  await new Promise((resolve) => setTimeout(resolve, round % 25));
  await worker.terminate();
}
console.log('teardown: 20 workers terminated with calls in flight, 400 while loading the addon');
