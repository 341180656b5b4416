// A nonblocking receive that finds nothing while the peer's FIN is on its way. On Linux that FIN closes a socket in
// FIN_WAIT_2 at once, and a closed socket has no peer name, which the POSIX build read as "connect under way"
// (WSAENOTCONN) when it came in the instant between the receive and that check: the tutorial client printed "recv
// failed with error: 10057" instead of "Connection closed" about once in 50 connections. The peer is a worker thread,
// so that its close runs beside the receives.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as sync from '../../src/index.js';
import { describe, test } from '../harness.js';
import { distIndexPath } from '../support.js';

const CONNECTIONS = 500;
const SPIN_LIMIT_MS = 10_000;
const indexUrl = pathToFileURL(distIndexPath).href; // the built library: a worker cannot import TypeScript

/** A worker that serves `CONNECTIONS` connections one after another: reads each to its end, then closes it. */
function closingPeer(): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(indexUrl)}).then((ws) => {
      ws.startup();
      const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(listener, '127.0.0.1', 0);
      ws.listen(listener, ${CONNECTIONS});
      parentPort.postMessage(ws.getsockname(listener).port);
      for (let i = 0; i < ${CONNECTIONS}; i++) {
        const { socket } = ws.accept(listener);
        while (ws.recv(socket, 16).length > 0);
        ws.closesocket(socket);
      }
      ws.closesocket(listener);
      ws.cleanup();
    });`,
    { eval: true },
  );
}

/** Receives on a nonblocking socket until something other than WSAEWOULDBLOCK: 'end of stream', or the error's name. */
function receiveUntilAnswer(s: sync.SOCKET): string {
  const deadline = Date.now() + SPIN_LIMIT_MS;
  while (Date.now() < deadline) {
    try {
      return sync.recv(s, 16).length === 0 ? 'end of stream' : 'data';
    } catch (error) {
      if (!(error instanceof sync.WinsockError) || error.errno !== 10035) return (error as Error).name + ' ' + String((error as sync.WinsockError).code);
    }
  }
  return `no answer in ${SPIN_LIMIT_MS} ms`;
}

describe('end of stream while the peer closes', () => {
  test(`${CONNECTIONS} nonblocking receives racing the peer's close all end in end of stream, never WSAENOTCONN`, async () => {
    sync.startup();
    const peer = closingPeer();
    const exited = once(peer, 'exit');
    try {
      const [port] = (await once(peer, 'message')) as [number];
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < CONNECTIONS; i++) {
        const s = sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP);
        try {
          sync.connect(s, '127.0.0.1', port);
          sync.ioctlsocket(s, sync.FIONBIO, 1);
          sync.shutdown(s, sync.SD_SEND);
          const outcome = receiveUntilAnswer(s);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        } finally {
          sync.closesocket(s);
        }
      }
      assert.deepEqual(outcomes, { 'end of stream': CONNECTIONS });
      await exited;
    } finally {
      await peer.terminate();
      sync.cleanup();
    }
  });
});
