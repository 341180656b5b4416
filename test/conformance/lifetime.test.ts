// Socket lifetime: no descriptor leaks, finalizers close dropped sockets, worker teardown closes a worker's sockets.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as ws from '../../src/index.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError, collectGarbage, distIndexPath, openDescriptorCount } from '../support.js';

describe('socket lifetime', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('open/close 2000 sockets leaves the fd count where it was', () => {
    const before = openDescriptorCount();
    for (let i = 0; i < 2000; i++) {
      const s = ws.socket(i % 2 ? ws.AF_INET : ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      if (i % 10 === 0) ws.bind(s, i % 2 ? '127.0.0.1' : '::1', 0);
      ws.closesocket(s);
    }
    assert.equal(openDescriptorCount(), before);
  });

  test('2000 connect/accept/close cycles, with refused connects between, leave nothing open', () => {
    const { listener, port } = scope.listener();
    const before = openDescriptorCount();
    for (let i = 0; i < 2000; i++) {
      const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.connect(client, '127.0.0.1', port);
      ws.closesocket(ws.accept(listener).socket);
      ws.closesocket(client);
    }
    assert.equal(openDescriptorCount(), before);
  });

  test('sockets dropped without closesocket are closed by the garbage collector', async () => {
    const before = openDescriptorCount();
    (() => {
      for (let i = 0; i < 200; i++) ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    })();
    assert.equal(openDescriptorCount(), before + 200);
    for (let attempt = 0; attempt < 20 && openDescriptorCount() > before; attempt++) {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(openDescriptorCount(), before);
  });

  test('a dropped listening socket frees its port once collected', async () => {
    const port = await (async () => {
      const { port } = new SocketScope().listener();
      return port; // the listener goes out of scope here, unclosed
    })();
    for (let attempt = 0; attempt < 20; attempt++) {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
      const probe = scope.tcp();
      try {
        ws.bind(probe, '127.0.0.1', port);
        return;
      } catch {
        scope.close(probe);
      }
    }
    assert.fail(`port ${port} is still bound after the listener was collected`);
  });

  test('a worker_thread that exits with sockets open has them closed at teardown', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(pathToFileURL(distIndexPath).href)}).then((ws) => {
        ws.startup();
        const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        ws.bind(s, '127.0.0.1', 0);
        ws.listen(s);
        parentPort.on('message', () => {}); // stay alive, socket open, until terminated
        parentPort.postMessage(ws.getsockname(s).port);
      });`;
    const worker = new Worker(code, { eval: true });
    const [port] = (await once(worker, 'message')) as [number];
    const probe = scope.tcp();
    ws.connect(probe, '127.0.0.1', port); // the worker's socket is listening
    scope.close(probe);
    await worker.terminate();
    assertWinsockError(() => ws.connect(scope.tcp(), '127.0.0.1', port), 'WSAECONNREFUSED', 'connect');
  });

  test('workers have their own startup count', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(pathToFileURL(distIndexPath).href)}).then((ws) => {
        try { ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0); parentPort.postMessage('started'); }
        catch (error) { parentPort.postMessage(error.code); }
      });`;
    const worker = new Worker(code, { eval: true });
    const [answer] = (await once(worker, 'message')) as [string];
    await worker.terminate();
    assert.equal(answer, 'WSANOTINITIALISED');
  });
});
