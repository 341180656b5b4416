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

/** A live signal with one of its own methods replaced by one that throws: still `instanceof AbortSignal`. */
function hostileSignal(method: 'addEventListener' | 'removeEventListener'): { controller: AbortController; signal: AbortSignal } {
  const controller = new AbortController();
  Object.defineProperty(controller.signal, method, {
    value() {
      throw new Error(`hostile ${method}`);
    },
  });
  return { controller, signal: controller.signal };
}

/** Resolves after `ms` milliseconds. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('security review: an AbortSignal with hostile methods', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('a signal whose removeEventListener throws: its recv and the recv queued behind it get their data', async () => {
    const { client, server } = scope.pair();
    const { signal } = hostileSignal('removeEventListener');
    // Both wait, so both complete from the readiness callback, where a throw used to end the process.
    const first = ws.recv(client, 5, { signal });
    const second = ws.recv(client, 6);
    await delay(20);
    ws.send(server, 'FIRST');
    assert.equal(String(await first), 'FIRST');
    await delay(20);
    ws.send(server, 'SECOND');
    assert.equal(String(await second), 'SECOND');
  });

  test('a signal whose removeEventListener throws: async select resolves', async () => {
    const { client, server } = scope.pair();
    const { signal } = hostileSignal('removeEventListener');
    const selecting = ws.select([client], null, null, 5000, { signal });
    await delay(20);
    ws.send(server, 'x');
    const result = await selecting;
    assert.deepEqual(result.read, [client]);
  });

  test('a signal whose addEventListener throws: the call waits, takes its own data only, and aborts', async () => {
    const { client, server } = scope.pair();
    const { signal } = hostileSignal('addEventListener');
    const first = ws.recv(client, 5, { signal });
    await delay(20);
    ws.send(server, 'FIRST');
    assert.equal(String(await first), 'FIRST');
    const second = ws.recv(client, 6);
    await delay(20);
    ws.send(server, 'SECOND');
    assert.equal(String(await second), 'SECOND');
    // The listener was added through EventTarget's own method, so aborting still works.
    const { controller, signal: aborting } = hostileSignal('addEventListener');
    const waiting = rejection(ws.recv(client, 1, { signal: aborting }));
    controller.abort(new Error('stop'));
    const error = await waiting;
    assert.equal(error.name, 'AbortError');
    assert.equal((error.cause as Error).message, 'stop');
  });

  test('a signal that lies about being aborted, or is only AbortSignal-shaped, is not believed', async () => {
    const { client } = scope.pair();
    const controller = new AbortController();
    controller.abort();
    Object.defineProperty(controller.signal, 'aborted', { value: false });
    assert.equal((await rejection(ws.recv(client, 1, { signal: controller.signal }))).name, 'AbortError');
    const shaped = Object.create(AbortSignal.prototype) as AbortSignal;
    const error = await rejection(ws.recv(client, 1, { signal: shaped }));
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
  });
});
