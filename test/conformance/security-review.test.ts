// Regressions for the findings of the security review (docs/reliability.md lists them): each test failed, hung or
// crashed on the code before its fix.
import assert from 'node:assert/strict';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope } from '../support.js';

/** The error `promise` rejects with, or a failure if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  assert.fail('expected the promise to reject');
}

/** A loopback port nothing listens on. */
function closedPort(scope: SocketScope): number {
  const { listener, port } = scope.listener();
  scope.close(listener);
  return port;
}

describe('security review: connect when another call took SO_ERROR', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('a refused connect rejects with WSAECONNREFUSED even when a waiting recv took its error first', async () => {
    const s = scope.tcp();
    const started = process.cpuUsage();
    // A timeout so that the old failure (spinning on a socket that is always writable) ends as WSAETIMEDOUT.
    const connecting = rejection(ws.connect(s, '127.0.0.1', closedPort(scope), { timeout: 3000 }));
    const receiving = rejection(ws.recv(s, 100));
    const error = await connecting;
    assert.ok(error instanceof ws.WinsockError, String(error));
    assert.equal(error.code, 'WSAECONNREFUSED', error.message);
    assert.equal(error.syscall, 'connect');
    assert.ok((await receiving) instanceof ws.WinsockError);
    const cpu = process.cpuUsage(started);
    assert.ok(cpu.user + cpu.system < 1_000_000, `connect took ${(cpu.user + cpu.system) / 1000} ms of CPU`);
  });

  test('a refused connect rejects with WSAECONNREFUSED after getsockopt SO_ERROR read and cleared its error', async () => {
    const s = scope.tcp();
    const connecting = rejection(ws.connect(s, '127.0.0.1', closedPort(scope), { timeout: 3000 }));
    // Wait (blocking, before any readiness callback can run) until the connect has failed, then take its error.
    const ready = sync.select(null, [s], [s], 3000);
    assert.ok(ready.write.length + ready.except.length > 0, 'the connect did not fail within 3 s');
    assert.notEqual(ws.getOption(s, 'SO_ERROR'), 0);
    const error = await connecting;
    assert.ok(error instanceof ws.WinsockError, String(error));
    assert.equal(error.code, 'WSAECONNREFUSED', error.message);
  });
});
