// A recvInto without signal or timeout that must wait is armed: at the readiness event the addon reads into its
// buffer itself and hands the outcome over with the event (native/async_calls.cc, ReadForArmedRecv), instead of
// JavaScript calling back into the addon. Each test checks that the armed read keeps what the JavaScript retry did:
// the right call gets the right bytes, flags hold, errors are typed, and a buffer that lost its bytes while the call
// waited is refused by name, with nothing read into it and nothing lost.
import assert from 'node:assert/strict';

import { recv as recvNow } from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, rejection, collectGarbage } from '../support.js';


/** Lets the event loop turn until `predicate` holds (at most ~200 ms), so a readiness event has been delivered. */
async function turnsUntil(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

interface Resizable extends ArrayBuffer {
  resize(length: number): void;
}

function resizable(length: number): Resizable {
  const Constructor = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Resizable;
  return new Constructor(length, { maxByteLength: length });
}

describe('armed reads', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('each waiting recvInto gets its own bytes, in order, the armed one first and those queued behind it next', async () => {
    const { client, server } = scope.pair();
    for (let round = 0; round < 50; round++) {
      const first = Buffer.alloc(8);
      const second = Buffer.alloc(8);
      const a = ws.recvInto(server, first); // waits armed
      const b = ws.recvInto(server, second); // queued behind it, untried
      await ws.send(client, `one${round}`);
      assert.equal(await a, `one${round}`.length);
      assert.equal(first.toString('utf8', 0, `one${round}`.length), `one${round}`);
      await ws.send(client, `two${round}`);
      assert.equal(await b, `two${round}`.length);
      assert.equal(second.toString('utf8', 0, `two${round}`.length), `two${round}`);
    }
  });

  test('an armed read keeps its flags: MSG_PEEK leaves the bytes for the next call', async () => {
    const { client, server } = scope.pair();
    const peeked = Buffer.alloc(5);
    const peeking = ws.recvInto(server, peeked, { flags: ws.MSG_PEEK });
    await ws.send(client, 'hello');
    assert.equal(await peeking, 5);
    assert.equal(peeked.toString(), 'hello');
    const read = Buffer.alloc(5);
    assert.equal(await ws.recvInto(server, read), 5);
    assert.equal(read.toString(), 'hello');
  });

  test('an armed read fails with the peer reset as a WinsockError, and getLastError() says so', async () => {
    const { client, server } = scope.pair();
    const waiting = ws.recvInto(server, Buffer.alloc(16));
    ws.setOption(client, 'SO_LINGER', { onoff: true, linger: 0 });
    scope.close(client); // sends a reset
    const error = await rejection(waiting);
    assert.equal(error.code, 'WSAECONNRESET');
    assert.equal(error.errno, 10054);
    assert.equal(error.syscall, 'recv');
    assert.equal(ws.getLastError(), 10054);
  });

  test('an armed read reads 0 at the end of the stream', async () => {
    const { client, server } = scope.pair();
    const waiting = ws.recvInto(server, Buffer.alloc(16));
    ws.shutdown(client, ws.SD_SEND);
    assert.equal(await waiting, 0);
  });

  test('a buffer detached while its call waits is refused by name; the bytes stay for the next call', async () => {
    const { client, server } = scope.pair();
    const memory = new ArrayBuffer(16);
    const view = new Uint8Array(memory);
    // The handler is attached at once: the rejection may come while the send is awaited (the thread poller).
    const refused = rejection(ws.recvInto(server, view));
    structuredClone(memory, { transfer: [memory] });
    await ws.send(client, 'kept');
    const error = await refused;
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
    const next = Buffer.alloc(16);
    assert.equal(await ws.recvInto(server, next), 4);
    assert.equal(next.toString('utf8', 0, 4), 'kept');
  });

  test('a resizable buffer that shrinks under a waiting call is refused; the bytes stay for the next call', async () => {
    const { client, server } = scope.pair();
    const memory = resizable(16);
    const view = new Uint8Array(memory, 0, 16); // fixed length: out of bounds once the buffer shrinks
    const refused = rejection(ws.recvInto(server, view)); // attached at once, as above
    memory.resize(4);
    await ws.send(client, 'still here');
    const error = await refused;
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
    const next = Buffer.alloc(16);
    assert.equal(await ws.recvInto(server, next), 10);
    assert.equal(next.toString('utf8', 0, 10), 'still here');
  });

  test('a read that shrinks a length-tracking view to fewer bytes than it had reads into what is left', async () => {
    const { client, server } = scope.pair();
    const memory = resizable(16);
    const view = new Uint8Array(memory); // tracks the buffer's length
    const waiting = ws.recvInto(server, view);
    memory.resize(3);
    await ws.send(client, 'abcdef');
    // Not into the 16 bytes the view had at the call: into the 3 it has now, as the JavaScript retry always did.
    assert.equal(await waiting, 3);
    assert.equal(Buffer.from(memory).toString(), 'abc');
    const rest = Buffer.alloc(16);
    assert.equal(await ws.recvInto(server, rest), 3);
    assert.equal(rest.toString('utf8', 0, 3), 'def');
  });

  test('closing the socket rejects an armed read with WSAEINTR and lets its buffer go', async () => {
    const { server } = scope.pair();
    let buffer: Buffer | undefined = Buffer.alloc(1 << 20);
    const collected = new WeakRef(buffer);
    // Only the code is kept: an error's stack, until it is formatted, holds its frames' receivers (the call's own
    // among them), and the rejected promise holds the error.
    const code = await (async (into: Buffer) => {
      const waiting = ws.recvInto(server, into);
      scope.close(server);
      return (await rejection(waiting)).code;
    })(buffer);
    assert.equal(code, 'WSAEINTR');
    buffer = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(collected.deref(), undefined, 'the buffer of a read cancelled by closesocket is still referenced');
  });

  test('a buffer armed once and dropped is collected, and the next read into other bytes gets its data', async () => {
    const { client, server } = scope.pair();
    let buffer: Buffer | undefined = Buffer.alloc(1 << 20);
    const collected = new WeakRef(buffer);
    const first = ws.recvInto(server, buffer);
    await ws.send(client, 'x');
    assert.equal(await first, 1);
    buffer = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(collected.deref(), undefined, 'the addon still holds the last armed buffer');
    const other = Buffer.alloc(4);
    const second = ws.recvInto(server, other);
    await ws.send(client, 'yz');
    assert.equal(await second, 2);
    assert.equal(other.toString('utf8', 0, 2), 'yz');
  });

  test('a sync recv that takes the bytes first leaves the armed call waiting, not settled with nothing', async () => {
    const { client, server } = scope.pair();
    const into = Buffer.alloc(8);
    let settled = false;
    const waiting = ws.recvInto(server, into).then((n) => {
      settled = true;
      return n;
    });
    await ws.send(client, 'first');
    // Loopback delivers at once, and the readiness event comes only at the loop's next poll: take the bytes first.
    const taken = Buffer.alloc(8);
    assert.equal(recvNow(server, taken), 5);
    await turnsUntil(() => settled);
    assert.equal(settled, false, 'the armed read settled although another caller had taken the bytes');
    await ws.send(client, 'second');
    assert.equal(await waiting, 6);
    assert.equal(into.toString('utf8', 0, 6), 'second');
  });

  test('an armed recv(s, length) resolves with a Buffer of what came, cut to its size, each read a Buffer of its own', async () => {
    const { client, server } = scope.pair();
    const kept: Buffer[] = [];
    for (let round = 0; round < 20; round++) {
      const waiting = ws.recv(server, 16);
      await ws.send(client, `r${round}`);
      const got = await waiting;
      assert.equal(got.toString(), `r${round}`);
      assert.equal(got.length, `r${round}`.length);
      kept.push(got);
    }
    // No Buffer handed out was read into again.
    assert.deepEqual(kept.map(String), Array.from({ length: 20 }, (_, round) => `r${round}`));
    const full = ws.recv(server, 4);
    await ws.send(client, 'abcdefgh');
    assert.equal((await full).toString(), 'abcd');
    assert.equal((await ws.recv(server, 16)).toString(), 'efgh');
  });

  test('reading shut down while an armed read waits: the call fails with WSAESHUTDOWN, as from its own retry', async () => {
    const { client, server } = scope.pair();
    const chunk = ws.recv(server, 16);
    const into = ws.recvInto(server, Buffer.alloc(16));
    ws.shutdown(server, ws.SD_RECEIVE);
    await ws.send(client, 'late');
    const [first, second] = await Promise.allSettled([chunk, into]);
    assert.equal(first.status, 'rejected');
    assert.equal((first as PromiseRejectedResult).reason.code, 'WSAESHUTDOWN');
    assert.equal(second.status, 'rejected');
    assert.equal((second as PromiseRejectedResult).reason.code, 'WSAESHUTDOWN');
  });

  test('armed reads into other bytes of one ArrayBuffer each get their own bytes, and nothing lands outside them', async () => {
    const { client, server } = scope.pair();
    const memory = new ArrayBuffer(64);
    const bytes = new Uint8Array(memory);
    for (let round = 0; round < 8; round++) {
      // Alternate views of the same memory: the addon keeps one reference to it and reads into each view's own part.
      const offset = (round % 4) * 16;
      const view = new Uint8Array(memory, offset, 8);
      bytes.fill(0);
      const waiting = ws.recvInto(server, view);
      await ws.send(client, `part${round}`);
      assert.equal(await waiting, 5);
      assert.equal(Buffer.from(memory, offset, 5).toString(), `part${round}`);
      assert.equal(bytes.filter((byte) => byte !== 0).length, 5, 'bytes written outside the view');
    }
  });

  test('an armed read into a view of a SharedArrayBuffer gets its bytes', async () => {
    const { client, server } = scope.pair();
    const shared = new Uint8Array(new SharedArrayBuffer(32), 8, 16);
    for (let round = 0; round < 3; round++) {
      const waiting = ws.recvInto(server, shared);
      await ws.send(client, `shared${round}`);
      assert.equal(await waiting, 7);
      assert.equal(Buffer.from(shared.subarray(0, 7)).toString(), `shared${round}`);
    }
  });
});
