// Issue 14, "hangs" and "smaller": no call waits forever because its buffer changed, a call that yielded to the event
// loop still gets its answer, and the remaining hostile arguments fail with Node's error codes. Each test failed on
// main: the calls waited until their timeout (WSAETIMEDOUT) or threw a TypeError without a `code`.
import assert from 'node:assert/strict';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope } from '../support.js';

type Resizable = ArrayBuffer & { resize(length: number): void };

function resizable(length: number): Resizable {
  const Constructor = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Resizable;
  return new Constructor(length, { maxByteLength: length });
}

describe('no hang: calls settle whatever happens to their buffers', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  /** A pair whose client's send buffer fills quickly, and a reader that drains the server side until stopped. */
  function congestedPair(): { client: sync.SOCKET; server: sync.SOCKET; drain(): () => Promise<void> } {
    const { client, server } = scope.pair();
    sync.setsockopt(client, sync.SOL_SOCKET, sync.SO_SNDBUF, 4096);
    sync.setsockopt(server, sync.SOL_SOCKET, sync.SO_RCVBUF, 4096);
    const drain = (): (() => Promise<void>) => {
      let reading = true;
      const loop = (async () => {
        while (reading) await ws.recv(server, 65536, { timeout: 100 }).catch(() => undefined);
      })();
      return async () => {
        reading = false;
        await loop;
      };
    };
    return { client, server, drain };
  }

  /** Sends `view` (too large to go at once), lets `change` act on it while the send waits, then drains. */
  async function sendWhileChanging(view: Uint8Array, change: () => void): Promise<unknown> {
    const { client, drain } = congestedPair();
    const sending = ws.send(client, view, { timeout: 10_000 });
    const failure = sending.then(() => 'resolved', (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50)); // it has written part and waits for room
    change();
    const stop = drain();
    const outcome = await failure;
    // The socket's queue moves on: a later send completes.
    assert.equal(await ws.send(client, 'after', { timeout: 10_000 }), 5);
    await stop();
    return outcome;
  }

  test('an async send of a resizable buffer that shrinks below the bytes written settles with ERR_INVALID_STATE', async () => {
    const buffer = resizable(4 * 1024 * 1024);
    const outcome = await sendWhileChanging(new Uint8Array(buffer), () => buffer.resize(16));
    assert.ok(outcome instanceof TypeError, String(outcome));
    assert.equal((outcome as { code?: string }).code, 'ERR_INVALID_STATE');
    assert.ok((outcome as { bytesWritten?: number }).bytesWritten! > 0);
  });

  test('an async send whose buffer is detached part-way settles with ERR_INVALID_STATE', async () => {
    const buffer = new ArrayBuffer(4 * 1024 * 1024);
    const outcome = await sendWhileChanging(new Uint8Array(buffer), () => structuredClone(buffer, { transfer: [buffer] }));
    assert.ok(outcome instanceof TypeError, String(outcome));
    assert.equal((outcome as { code?: string }).code, 'ERR_INVALID_STATE');
  });

  test('after 300 sends that completed at once, send on a listening socket rejects with WSAENOTCONN', async () => {
    const { client } = scope.pair();
    const { listener } = scope.listener();
    // Back to back, with no turn of the event loop between: the first 256 use up the immediate path's budget.
    const sends = Array.from({ length: 300 }, () => ws.send(client, 'x'));
    await assert.rejects(ws.send(listener, 'x', { timeout: 3000 }), { code: 'WSAENOTCONN' });
    assert.equal((await Promise.all(sends)).length, 300);
  });

  test('recv into a view out of bounds of its shrunk resizable buffer is a TypeError, not 0 (end of stream)', async () => {
    const { client, server } = scope.pair();
    sync.send(client, 'data');
    const buffer = resizable(64);
    const view = new Uint8Array(buffer, 16, 16);
    buffer.resize(8);
    const refused = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
    assert.throws(() => sync.recv(server, view), refused);
    const other = resizable(64);
    const dataView = new DataView(other, 16, 16);
    other.resize(8);
    assert.throws(() => sync.recv(server, dataView), refused);
    await assert.rejects(ws.recvInto(server, view), refused);
    // The data is still there, and a zero-length view in bounds still reads 0 bytes as Winsock does.
    assert.equal(sync.recv(server, new Uint8Array(buffer, 0, 0)), 0);
    assert.equal(sync.recv(server, 16).toString(), 'data');
  });

  test('async select and WSAPoll over 20 sockets print no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const sockets = Array.from({ length: 20 }, () => scope.pair().server);
      assert.equal((await ws.select(sockets, null, null, 50)).count, 0);
      assert.equal(await ws.WSAPoll(sockets.map((socket) => ({ socket, events: ws.POLLRDNORM })), 50), 0);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.deepEqual(warnings.map((warning) => warning.name), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('a Symbol as the timeout of WSAPoll, sync or async, is a TypeError with ERR_INVALID_ARG_TYPE', async () => {
    const { server } = scope.pair();
    const fds = [{ socket: server, events: ws.POLLRDNORM }];
    const timeout = Symbol('timeout') as unknown as number;
    const refused = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
    assert.throws(() => sync.WSAPoll(fds, timeout), refused);
    await assert.rejects(ws.WSAPoll(fds, timeout), refused);
  });
});
