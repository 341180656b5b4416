// Attacks on armed reads (native/async_calls.cc ReadForArmedRecv, native/socket_handle.cc ArmRecv): a recvInto or
// small recv with no signal and no timeout that must wait hands its buffer to the addon, which reads into it at the
// readiness event. armed-reads.test.ts covers the plain cases; these are what an adversary would try next: the
// reference kept weak between reads and re-armed for "the same bytes" through another object, flags changed between
// two arms of the same bytes, buffers that move under a length-tracking view at an offset, growable shared memory,
// datagrams larger than the buffer, a buffer armed on two sockets, and a read aborted behind an armed one. Each must
// keep the rules: no byte past a buffer, the right count for the right call, a typed error, never a hang.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, distIndexPath, rejection } from '../support.js';

const promisesUrl = pathToFileURL(distIndexPath.replace(/index\.js$/, 'promises.js')).href;

interface Resizable extends ArrayBuffer {
  resize(length: number): void;
}

function resizable(length: number, maxByteLength: number): Resizable {
  const Constructor = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Resizable;
  return new Constructor(length, { maxByteLength });
}

interface Growable extends SharedArrayBuffer {
  grow(length: number): void;
}

function growable(length: number, maxByteLength: number): Growable {
  const Constructor = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Growable;
  return new Constructor(length, { maxByteLength });
}

/** Lets a few turns of the event loop pass, so a readiness event that is due has been delivered. */
async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('attack: armed reads', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('a recvInto into an ArrayBuffer itself (not a view) that waits gets its bytes', async () => {
    const { client, server } = scope.pair();
    const memory = new ArrayBuffer(8);
    const waiting = ws.recvInto(server, memory);
    await ws.send(client, 'abc');
    assert.equal(await waiting, 3);
    assert.equal(Buffer.from(memory, 0, 3).toString(), 'abc');
  });

  test('the same bytes re-armed through another view object read into those bytes and report them', async () => {
    const { client, server } = scope.pair();
    const first = Buffer.alloc(8);
    const a = ws.recvInto(server, first);
    await ws.send(client, 'one');
    assert.equal(await a, 3);
    // The addon keeps a weak reference to `first` and re-arms it for a view of the same bytes.
    const again = new Uint8Array(first.buffer, first.byteOffset, first.length);
    const b = ws.recvInto(server, again);
    await ws.send(client, 'second');
    assert.equal(await b, 6);
    assert.equal(Buffer.from(again).toString('utf8', 0, 6), 'second');
  });

  test("the same bytes re-armed after the first view's memory was transferred away read into the new owner", async () => {
    const { client, server } = scope.pair();
    const memory = new ArrayBuffer(16);
    const first = new Uint8Array(memory);
    const a = ws.recvInto(server, first);
    await ws.send(client, 'x');
    assert.equal(await a, 1);
    // A transfer hands the same backing store to a new ArrayBuffer, so the next view has the same address and length
    // as the detached `first`, which the addon still holds (weak).
    const moved = structuredClone(memory, { transfer: [memory] });
    assert.equal(first.byteLength, 0);
    const second = new Uint8Array(moved);
    const b = ws.recvInto(server, second);
    await ws.send(client, 'moved');
    assert.equal(await b, 5);
    assert.equal(Buffer.from(moved, 0, 5).toString(), 'moved');
  });

  test('flags change between two arms of the same bytes: MSG_PEEK then 0, and 0 then MSG_PEEK, each as asked', async () => {
    const { client, server } = scope.pair();
    const buffer = Buffer.alloc(8);
    // Armed with 0 and settled: the weak reference stays, with its flags.
    const plain = ws.recvInto(server, buffer);
    await ws.send(client, 'a');
    assert.equal(await plain, 1);
    // The same bytes armed again with MSG_PEEK: the bytes must stay in the socket.
    const peeking = ws.recvInto(server, buffer, { flags: ws.MSG_PEEK });
    await ws.send(client, 'bc');
    assert.equal(await peeking, 2);
    assert.equal(buffer.toString('utf8', 0, 2), 'bc');
    const taken = Buffer.alloc(8);
    assert.equal(await ws.recvInto(server, taken), 2, 'the peeked bytes were consumed');
    assert.equal(taken.toString('utf8', 0, 2), 'bc');
    // And MSG_PEEK then 0 on the same bytes: this read must consume.
    const peekFirst = Buffer.alloc(8);
    const p = ws.recvInto(server, peekFirst, { flags: ws.MSG_PEEK });
    await ws.send(client, 'd');
    assert.equal(await p, 1);
    assert.equal(await ws.recvInto(server, peekFirst), 1); // the peeked byte, at once
    const consuming = ws.recvInto(server, peekFirst); // waits, armed with 0 on the bytes armed with MSG_PEEK before
    await ws.send(client, 'e');
    assert.equal(await consuming, 1);
    assert.equal(peekFirst.toString('utf8', 0, 1), 'e');
    const next = ws.recvInto(server, Buffer.alloc(8), { timeout: 50 });
    assert.equal((await rejection(next)).code, 'WSAETIMEDOUT', 'the armed read with flags 0 left its byte behind');
  });

  test('a length-tracking view at an offset whose buffer shrinks below the offset is refused by name; the bytes stay', async () => {
    const { client, server } = scope.pair();
    const memory = resizable(16, 16);
    const view = new Uint8Array(memory, 8); // tracks the length, from byte 8
    const refused = rejection(ws.recvInto(server, view));
    memory.resize(4); // the view is out of bounds now: its offset is past the end
    await ws.send(client, 'kept');
    const error = await refused;
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
    const next = Buffer.alloc(8);
    assert.equal(await ws.recvInto(server, next), 4);
    assert.equal(next.toString('utf8', 0, 4), 'kept');
  });

  test("a view out of bounds of its shrunk buffer whose class overrides at, byteLength or resizable is refused, never 'end of stream'", async () => {
    const { client, server } = scope.pair();
    class LyingAt extends Uint8Array {}
    Object.defineProperty(LyingAt.prototype, 'at', { value: () => 0 });
    // A DataView subclass's prototype that overrides byteLength, set on a real DataView.
    const lyingDataViewPrototype = Object.create(DataView.prototype) as object;
    Object.defineProperty(lyingDataViewPrototype, 'byteLength', { get: () => 0 });
    // A resizable ArrayBuffer whose class says it is not (a subclass's prototype, set on a real one).
    const lyingBufferPrototype = Object.create(ArrayBuffer.prototype) as object;
    Object.defineProperty(lyingBufferPrototype, 'resizable', { get: () => false });
    const views = [
      (memory: Resizable) => new LyingAt(memory, 0, 16),
      (memory: Resizable) => Object.setPrototypeOf(new DataView(memory, 0, 16), lyingDataViewPrototype) as DataView,
      (memory: Resizable) => new Uint8Array(memory, 0, 16),
    ];
    await ws.send(client, 'pending');
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const [index, make] of views.entries()) {
      const memory = resizable(16, 16);
      if (index === 2) Object.setPrototypeOf(memory, lyingBufferPrototype);
      const view = make(memory);
      memory.resize(4);
      const error = await rejection(ws.recvInto(server, view)); // bytes are waiting: the first try refuses it
      assert.ok(error instanceof TypeError, `view ${index}: ${String(error)}`);
      assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
      assert.throws(() => sync.recv(server, view), TypeError);
    }
    // Armed with its bytes, then shrunk out of bounds while it waits: refused at its retry, as above.
    const rest = Buffer.alloc(16);
    assert.equal(await ws.recvInto(server, rest), 7);
    const memory = resizable(16, 16);
    const waiting = rejection(ws.recvInto(server, new LyingAt(memory, 0, 16)));
    memory.resize(4);
    await ws.send(client, 'late');
    assert.equal((await waiting).code, 'ERR_INVALID_ARG_TYPE');
    assert.equal(await ws.recvInto(server, rest), 4, 'the bytes were left for the next call');
  });

  test('a resizable buffer that grows under a waiting fixed-length view: the read stays within the view', async () => {
    const { client, server } = scope.pair();
    const memory = resizable(4, 64);
    const view = new Uint8Array(memory, 0, 4);
    const waiting = ws.recvInto(server, view);
    memory.resize(64);
    await ws.send(client, 'abcdefgh');
    assert.equal(await waiting, 4);
    assert.equal(Buffer.from(memory, 0, 4).toString(), 'abcd');
    assert.ok(new Uint8Array(memory, 4).every((byte) => byte === 0), 'bytes written past the view');
  });

  test('a growable SharedArrayBuffer that grows under a waiting length-tracking view: a count within what it has', async () => {
    const { client, server } = scope.pair();
    const memory = growable(4, 64);
    const view = new Uint8Array(memory); // tracks the length
    const waiting = ws.recvInto(server, view);
    memory.grow(16);
    await ws.send(client, 'abcdefghijklmnopqrstuvwxyz');
    const count = await waiting;
    assert.ok(count >= 1 && count <= 16, `read ${count} bytes into a 16-byte view`);
    assert.equal(Buffer.from(memory, 0, count).toString(), 'abcdefghijklmnopqrstuvwxyz'.slice(0, count));
  });

  test('one buffer armed on two sockets: each call gets its own count, and nothing lands past the buffer', async () => {
    const one = scope.pair();
    const two = scope.pair();
    const memory = new ArrayBuffer(12);
    const shared = new Uint8Array(memory, 0, 8);
    const a = ws.recvInto(one.server, shared);
    const b = ws.recvInto(two.server, shared);
    await ws.send(one.client, 'first');
    assert.equal(await a, 5);
    await ws.send(two.client, 'second-longer');
    assert.equal(await b, 8);
    assert.equal(Buffer.from(shared).toString(), 'second-l');
    assert.ok(new Uint8Array(memory, 8).every((byte) => byte === 0), 'bytes written past the view');
    const rest = Buffer.alloc(16);
    assert.equal(await ws.recvInto(two.server, rest), 5);
    assert.equal(rest.toString('utf8', 0, 5), 'onger');
  });

  test('a datagram larger than an armed buffer fails with WSAEMSGSIZE, its count never past the buffer', async () => {
    const a = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    const b = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    sync.bind(b, '127.0.0.1', 0);
    sync.connect(a, '127.0.0.1', sync.getsockname(b).port);
    const memory = new ArrayBuffer(16);
    const view = new Uint8Array(memory, 0, 8);
    const into = rejection(ws.recvInto(b, view)); // armed
    sync.send(a, Buffer.alloc(100, 0x61));
    const error = await into;
    assert.equal(error.code, 'WSAEMSGSIZE', String(error));
    assert.ok(new Uint8Array(memory, 8).every((byte) => byte === 0), 'bytes written past the view');
    const chunk = rejection(ws.recv(b, 8)); // armed recv(s, length)
    sync.send(a, Buffer.alloc(100, 0x62));
    assert.equal((await chunk).code, 'WSAEMSGSIZE');
    const whole = ws.recv(b, 16);
    sync.send(a, 'fits');
    assert.equal((await whole).toString(), 'fits');
  });

  test('a read aborted and another timed out behind an armed read leave it armed: it still gets the next bytes', async () => {
    const { client, server } = scope.pair();
    const armed = Buffer.alloc(8);
    const first = ws.recvInto(server, armed);
    const controller = new AbortController();
    const aborted = rejection(ws.recvInto(server, Buffer.alloc(8), { signal: controller.signal }));
    const timedOut = rejection(ws.recvInto(server, Buffer.alloc(8), { timeout: 20 }));
    controller.abort();
    assert.equal((await aborted).name, 'AbortError');
    assert.equal((await timedOut).code, 'WSAETIMEDOUT');
    await turns();
    await ws.send(client, 'late');
    assert.equal(await first, 4);
    assert.equal(armed.toString('utf8', 0, 4), 'late');
  });

  test('a socket closed while its readiness event is due, from the settlement of another armed read: 8 bytes or WSAEINTR', async () => {
    for (let round = 0; round < 10; round++) {
      const one = scope.pair();
      const two = scope.pair();
      const into = new Uint8Array(16);
      const waitingTwo = ws.recvInto(two.server, into);
      const waitingOne = ws.recvInto(one.server, Buffer.alloc(8)).then((count) => {
        scope.close(two.server); // from the settlement of the first armed read, its own event maybe due in this poll
        return count;
      });
      // Both readable before the loop polls again: the events may come in one poll phase, in either order.
      sync.send(one.client, 'go');
      sync.send(two.client, 'too late');
      assert.equal(await waitingOne, 2);
      const [outcome] = await Promise.allSettled([waitingTwo]);
      if (outcome.status === 'fulfilled') assert.equal(outcome.value, 8);
      else assert.equal((outcome.reason as { code?: string }).code, 'WSAEINTR', String(outcome.reason));
      assert.ok(into.subarray(8).every((byte) => byte === 0), 'bytes written past what came');
      scope.close(one.client);
      scope.close(one.server);
      scope.close(two.client);
    }
  });

  test('an armed read whose socket is closed in the same turn its bytes arrive: its 32 bytes or WSAEINTR, nothing else', async () => {
    for (let round = 0; round < 20; round++) {
      const { client, server } = scope.pair();
      const buffer = new Uint8Array(64);
      const waiting = ws.recvInto(server, buffer);
      sync.send(client, Buffer.alloc(32, 0x63)); // readable at the next poll
      // Closed just before or just after the readiness event.
      const closed = new Promise<void>((resolve) => setImmediate(() => resolve(scope.close(server))));
      const [outcome] = await Promise.allSettled([waiting, closed]);
      if (outcome.status === 'fulfilled') {
        assert.equal(outcome.value, 32);
        assert.ok(buffer.subarray(0, 32).every((byte) => byte === 0x63));
      } else {
        assert.equal((outcome.reason as { code?: string }).code, 'WSAEINTR', String(outcome.reason));
      }
      assert.ok(buffer.subarray(32).every((byte) => byte === 0), 'bytes written past what came');
      scope.close(client);
    }
  });

  test('a worker terminated while its armed reads keep being served does not take the process down', async () => {
    for (let round = 0; round < 8; round++) {
      const { listener, port } = scope.listener();
      // recvInto and recv(s, 1024) with no signal and no timeout: armed, so the addon reads for them at each event,
      // while the peer keeps them ready until the worker's environment is being torn down.
      const worker = new Worker(
        `const { parentPort } = require('node:worker_threads');
        import(${JSON.stringify(promisesUrl)}).then(async (ws) => {
          ws.startup();
          const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
          await ws.connect(c, '127.0.0.1', ${port});
          const into = new Uint8Array(new ArrayBuffer(512, { maxByteLength: 4096 }));
          (async () => { for (;;) { await ws.recvInto(c, into); await ws.recv(c, 1024); } })().catch(() => {});
          (async () => { for (;;) await ws.send(c, Buffer.alloc(256)); })().catch(() => {});
          parentPort.postMessage('ready');
        });`,
        { eval: true },
      );
      const peer = scope.track(sync.accept(listener).socket);
      scope.close(listener);
      await once(worker, 'message');
      let pumping = true;
      const pump = (async () => {
        while (pumping) {
          await ws.send(peer, Buffer.alloc(300));
          await ws.recv(peer, 4096);
        }
      })().catch((error: { code?: string }) => error.code);
      await new Promise((resolve) => setTimeout(resolve, round % 4));
      assert.equal(await worker.terminate(), 1);
      pumping = false;
      const ended = await pump;
      assert.ok(ended === undefined || ['WSAECONNRESET', 'WSAECONNABORTED'].includes(ended), String(ended));
      scope.close(peer);
    }
  });
});
