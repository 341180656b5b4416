// Attacks on the send fast paths (src/promises.ts send, src/stream-calls.ts sendNowOrLater and StreamSend,
// src/arguments.ts byteLengthOf and toBytes): byteLength is read once, through TypedArray's own getter, and a send
// that cannot go whole at once carries on from a StreamSend. An adversary hands over what only looks like bytes: an
// object with Uint8Array.prototype as its prototype, a Proxy of a Buffer, a subclass whose getters lie or whose
// subarray (or Symbol.species) returns other memory, a forged ArrayBuffer. Each must be a TypeError with Node's code,
// or a send of exactly the bytes the view really has, with the right count, and never a call that waits forever.
import assert from 'node:assert/strict';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, rejection } from '../support.js';

/** Enough bytes that a send cannot go whole into loopback's socket buffers: it carries on from a StreamSend. */
const LARGE = 16 * 1024 * 1024;

/** Asserts that `error` is a TypeError with Node's ERR_INVALID_ARG_TYPE code (true, for assert.throws). */
function assertArgumentTypeError(error: unknown): true {
  assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
  assert.equal((error as { code?: string }).code, 'ERR_INVALID_ARG_TYPE', String(error));
  return true;
}

/** `promise`, or a rejection after `ms`: a send that waits forever fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  promise.catch(() => {}); // after a timeout, the call's own rejection (closesocket's WSAEINTR) is expected
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Reads from `s` until `length` bytes came (or the end of the stream); their sum of byte values mod 2^32 and count. */
async function drainBytes(s: ws.SOCKET, length: number): Promise<{ count: number; checksum: number }> {
  let count = 0;
  let checksum = 0;
  const into = Buffer.alloc(256 * 1024);
  while (count < length) {
    const n = await ws.recvInto(s, into);
    if (n === 0) break;
    for (let i = 0; i < n; i++) checksum = (checksum + into[i]! * ((count + i) % 251 + 1)) >>> 0;
    count += n;
  }
  return { count, checksum };
}

function checksumOf(bytes: Uint8Array): number {
  let checksum = 0;
  for (let i = 0; i < bytes.length; i++) checksum = (checksum + bytes[i]! * (i % 251 + 1)) >>> 0;
  return checksum;
}

/** Bytes with a pattern, so a send of the wrong memory shows in the checksum. */
function pattern(length: number, into?: Uint8Array): Uint8Array {
  const bytes = into ?? new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}

describe('attack: send fast paths', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('an object with Uint8Array.prototype as its prototype is a TypeError with its code, sync, async and Socket.write', async () => {
    const { client } = scope.pair();
    const forged = Object.setPrototypeOf({ length: 4, byteLength: 4 }, Buffer.prototype) as Buffer;
    assert.ok(forged instanceof Uint8Array); // what the fast path tests
    assert.throws(() => sync.send(client, forged), assertArgumentTypeError);
    assertArgumentTypeError(await rejection(ws.send(client, forged)));
    const socket = new Socket(client);
    assertArgumentTypeError(await rejection(socket.write(forged)));
    assertArgumentTypeError(await rejection(ws.sendto(client, forged, '127.0.0.1', 9)));
    assert.throws(() => sync.sendto(client, forged, '127.0.0.1', 9), assertArgumentTypeError);
  });

  test('a Proxy of a Buffer is a TypeError with its code, not an exception from inside the fast path', async () => {
    const { client } = scope.pair();
    const proxied = new Proxy(Buffer.from('abcd'), {}) as Buffer;
    assert.ok(proxied instanceof Uint8Array);
    assertArgumentTypeError(await rejection(ws.send(client, proxied)));
    assertArgumentTypeError(await rejection(new Socket(client).write(proxied)));
  });

  test('a forged ArrayBuffer is a TypeError with its code, never "0 bytes sent"', async () => {
    const { client } = scope.pair();
    const forged = Object.create(ArrayBuffer.prototype) as ArrayBuffer;
    assert.ok(forged instanceof ArrayBuffer);
    assertArgumentTypeError(await rejection(ws.send(client, forged)));
    assertArgumentTypeError(await rejection(new Socket(client).write(forged)));
  });

  test('a Uint8Array subclass whose byteLength and length lie: the bytes it really has are sent, and that count', async () => {
    const { client, server } = scope.pair();
    class Liar extends Uint8Array {}
    for (const name of ['byteLength', 'length']) {
      Object.defineProperty(Liar.prototype, name, { get: () => 1 << 20 });
    }
    const liar = new Liar(6);
    liar.set(Buffer.from('honest'));
    assert.equal(await within(ws.send(client, liar), 5000, 'send'), 6);
    const into = Buffer.alloc(16);
    assert.equal(await ws.recvInto(server, into), 6);
    assert.equal(into.toString('utf8', 0, 6), 'honest');
  });

  test('a large send from a Uint8Array subclass whose subarray returns nothing completes with every byte, never waits forever', async () => {
    const { client, server } = scope.pair();
    class EmptySubarray extends Uint8Array {}
    Object.defineProperty(EmptySubarray.prototype, 'subarray', { value: () => new Uint8Array(0) });
    const data = pattern(LARGE, new EmptySubarray(LARGE));
    const reading = drainBytes(server, LARGE);
    assert.equal(await within(ws.send(client, data), 20_000, 'send'), LARGE);
    const { count, checksum } = await reading;
    assert.equal(count, LARGE);
    assert.equal(checksum, checksumOf(pattern(LARGE)));
  });

  test('a large send from a subclass whose Symbol.species and buffer getters point elsewhere sends its own bytes', async () => {
    const { client, server } = scope.pair();
    const elsewhere = new Uint8Array(LARGE).fill(0xee);
    class Elsewhere extends Uint8Array {}
    // Any species result will do for subarray: a view of other memory.
    const OtherMemory = function () {
      return new Uint8Array(elsewhere.buffer, 0, LARGE);
    };
    Object.defineProperty(Elsewhere, Symbol.species, { get: () => OtherMemory });
    Object.defineProperty(Elsewhere.prototype, 'buffer', { get: () => elsewhere.buffer });
    Object.defineProperty(Elsewhere.prototype, 'byteOffset', { get: () => 0 });
    const data = pattern(LARGE, new Elsewhere(LARGE));
    const reading = drainBytes(server, LARGE);
    const socket = new Socket(client);
    await within(socket.write(data), 20_000, 'write');
    const { count, checksum } = await reading;
    assert.equal(count, LARGE);
    assert.equal(checksum, checksumOf(pattern(LARGE)), 'bytes from other memory were sent');
  });

  test('a DataView that cannot go whole at once is sent whole, through the Socket and the promises API', async () => {
    const { client, server } = scope.pair();
    const bytes = pattern(LARGE);
    const view = new DataView(bytes.buffer, 0, LARGE);
    const reading = drainBytes(server, 2 * LARGE);
    assert.equal(await within(ws.send(client, view), 20_000, 'send'), LARGE);
    await within(new Socket(client).write(view), 20_000, 'write');
    const { count, checksum } = await reading;
    assert.equal(count, 2 * LARGE);
    const twice = new Uint8Array(2 * LARGE);
    twice.set(bytes);
    twice.set(bytes, LARGE);
    assert.equal(checksum, checksumOf(twice));
  });

  test("an options getter that detaches the data or the buffer before the call reads it: TypeError, nothing sent or read", async () => {
    const { client, server } = scope.pair();
    const memory = new ArrayBuffer(8);
    const data = new Uint8Array(memory).fill(0x61);
    const detaching = {
      get flags(): number {
        structuredClone(memory, { transfer: [memory] });
        return 0;
      },
    };
    assertArgumentTypeError(await rejection(ws.send(client, data, detaching)));
    const into = new ArrayBuffer(8);
    const view = new Uint8Array(into);
    const detachingInto = {
      get flags(): number {
        structuredClone(into, { transfer: [into] });
        return 0;
      },
    };
    await ws.send(client, 'kept');
    assertArgumentTypeError(await rejection(ws.recvInto(server, view, detachingInto)));
    const next = Buffer.alloc(8);
    assert.equal(await ws.recvInto(server, next), 4, 'the bytes were left for the next call');
    assert.equal(next.toString('utf8', 0, 4), 'kept');
  });

  test('recv lengths at 2^31, 2^32, negative, NaN and fractions are RangeErrors with their code, sync and async', async () => {
    const { server } = scope.pair();
    for (const length of [2 ** 31, 2 ** 32, 2 ** 53, -1, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => sync.recv(server, length), (error: unknown) => {
        assert.ok(error instanceof RangeError, `recv(${length}): ${String(error)}`);
        assert.equal((error as { code?: string }).code, 'ERR_OUT_OF_RANGE');
        return true;
      });
      for (const call of [() => ws.recv(server, length), () => ws.recvfrom(server, length), () => ws.recvmsg(server, length)]) {
        const error = await rejection(call());
        assert.ok(error instanceof RangeError, `async length ${length}: ${String(error)}`);
        assert.equal(error.code, 'ERR_OUT_OF_RANGE');
      }
    }
  });
});
