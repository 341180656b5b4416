// The round trip's hot paths (issue 17): trySend/tryRecv as plain Node-API functions, Waiters a socket reuses, and
// Socket.write/read that settle from the value when the call completes at once. Each keeps what the slower path
// had: every argument check and typed error, the right call settled by the right data, nothing held after a call.
import assert from 'node:assert/strict';

import { native } from '../../src/native.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, rejection, assertArgumentError, assertWinsockError, collectGarbage } from '../support.js';


describe('hot paths', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('trySend and tryRecv refuse what the full calls refuse, by name and with the same codes', () => {
    const { client } = scope.pair();
    const id = native.socketId(client);
    const buffer = Buffer.alloc(8);
    // Not a socket id: a TypeError, never a lookup of garbage.
    assertArgumentError(() => native.trySend('1' as unknown as number, buffer, 0), TypeError);
    assertArgumentError(() => native.tryRecv({} as unknown as number, buffer, 0), TypeError);
    // Not bytes, or missing: a TypeError (arguments left out read as undefined).
    assertArgumentError(() => native.trySend(id, {} as unknown as Buffer, 0), TypeError);
    assertArgumentError(() => (native.trySend as (...args: unknown[]) => unknown)(id), TypeError);
    assertArgumentError(() => native.tryRecv(id, 'x' as unknown as Buffer, 0), TypeError);
    // Flags and lengths out of range: a RangeError.
    assertArgumentError(() => native.trySend(id, buffer, 1.5), RangeError);
    assertArgumentError(() => native.tryRecv(id, buffer, 2 ** 31), RangeError);
    assertArgumentError(() => native.tryRecv(id, -1, 0), RangeError);
    // A detached buffer is not "0 bytes": a TypeError.
    const detached = new ArrayBuffer(8);
    const view = new Uint8Array(detached);
    structuredClone(detached, { transfer: [detached] });
    assertArgumentError(() => native.trySend(id, view, 0), TypeError);
    assertArgumentError(() => native.tryRecv(id, detached, 0), TypeError);
    // A closed socket's id: WSAENOTSOCK, with the syscall.
    scope.close(client);
    assertWinsockError(() => native.trySend(id, buffer, 0), 'WSAENOTSOCK', 'send');
    assertWinsockError(() => native.tryRecv(id, buffer, 0), 'WSAENOTSOCK', 'recv');
  });

  test('a socket reusing its Waiters settles each call with its own data, across timeouts and aborts', async () => {
    const { client, server } = scope.pair();
    const into = Buffer.alloc(16);
    for (let round = 0; round < 3; round++) {
      // A plain wait, settled by readiness: its Waiter goes back to the socket.
      const plain = ws.recv(server, 16);
      await ws.send(client, `a${round}`);
      assert.equal((await plain).toString(), `a${round}`);
      // A wait with a timeout that fires: that Waiter is never reused (its timer referred to it).
      const timedOut = await rejection(ws.recv(server, 16, { timeout: 10 }));
      assert.equal(timedOut.code, 'WSAETIMEDOUT');
      // An aborted wait.
      const controller = new AbortController();
      const aborted = ws.recvInto(server, into, { signal: controller.signal });
      controller.abort();
      assert.equal((await rejection(aborted)).name, 'AbortError');
      // Two waits queued at once, then their data: each gets its own, in order.
      const first = ws.recv(server, 2);
      const second = ws.recvInto(server, into);
      await ws.send(client, `b${round}`);
      assert.equal((await first).toString(), `b${round}`);
      await ws.send(client, `c${round}`);
      assert.equal(await second, 2);
      assert.equal(into.toString('utf8', 0, 2), `c${round}`);
    }
  });

  test('a settled wait lets go of its buffer: the reused Waiter holds nothing of the last call', async () => {
    const { client, server } = scope.pair();
    let buffer: Buffer | undefined = Buffer.alloc(1 << 20);
    const collected = new WeakRef(buffer);
    const waiting = ws.recvInto(server, buffer);
    await ws.send(client, 'x');
    assert.equal(await waiting, 1);
    buffer = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    assert.equal(collected.deref(), undefined, 'the buffer of a finished recvInto is still referenced');
  });

  test('Socket: a write that sent everything at once leaves a waiting read idle; errors reject as before', async () => {
    await using server = Server.listen({ host: '127.0.0.1' });
    const { port } = server.address();
    const accepting = server.accept();
    await using socket = await Socket.connect('127.0.0.1', port);
    await using peer = await accepting;
    const reading = socket.read();
    assert.equal(socket.idle, true);
    const writing = socket.write('ping');
    // All four bytes are in the kernel already: no write is under way while the read waits.
    assert.equal(socket.idle, true);
    assert.equal(await writing, undefined);
    assert.equal(String(await peer.read()), 'ping');
    await peer.write('pong');
    assert.equal(String(await reading), 'pong');
    // Bad data and a closed socket: the same typed errors, as rejections.
    assert.equal((await rejection(socket.write(42 as unknown as string))).code, 'ERR_INVALID_ARG_TYPE');
    assert.equal((await rejection(socket.read(-1))).code, 'ERR_OUT_OF_RANGE');
    socket.close();
    assert.equal((await rejection(socket.write('x'))).code, 'WSAENOTSOCK');
    assert.equal((await rejection(socket.read())).code, 'WSAENOTSOCK');
  });

  test('Socket.read reads null at the end of the stream on each of its paths: at once, armed, with a timeout, past the pool', async () => {
    for (const [size, options] of [[16, undefined], [16, { timeout: 5000 }], [64 * 1024, undefined]] as const) {
      const { client, server } = scope.pair();
      const reader = new Socket(server);
      // Waited for: armed without options, retried from JavaScript with a timeout or a size past Node's pool.
      const waiting = reader.read(size, options);
      await ws.send(client, 'one');
      assert.equal(String(await waiting), 'one');
      const ending = reader.read(size, options);
      ws.shutdown(client, ws.SD_SEND);
      assert.equal(await ending, null, `a waiting read of ${size} at the end of the stream`);
      // There at once: the end of the stream again.
      assert.equal(await reader.read(size, options), null, `a read of ${size} after the end of the stream`);
      reader.close();
    }
  });

  test('closeIdleConnections ends the Socket\'s waiting read with null; a winsock/promises recv waiting on its handle fails with WSAEINTR', async () => {
    await using server = Server.listen({ host: '127.0.0.1' });
    const accepting = server.accept();
    await using client = await Socket.connect('127.0.0.1', server.address().port);
    await using peer = await accepting;
    const reading = peer.read();
    const receiving = ws.recv(peer.handle, 16); // queued behind the Socket's read, on the same SOCKET
    assert.equal(peer.idle, true);
    server.closeIdleConnections();
    assert.equal(await reading, null);
    // A small read without options, the Socket's short path, reads the end of the stream too (not WSAENOTSOCK).
    assert.equal(await peer.read(16), null);
    const error = await rejection(receiving);
    assert.equal(error.code, 'WSAEINTR');
    assert.equal(await client.read(), null, 'the client reads the end of the stream');
  });

  test('reads and writes do not go through the global Buffer, an accessor that user code may replace', async () => {
    const { client, server } = scope.pair();
    const reader = new Socket(server);
    const writer = new Socket(client);
    const global = Object.getOwnPropertyDescriptor(globalThis, 'Buffer')!;
    const results: Promise<unknown>[] = [];
    Object.defineProperty(globalThis, 'Buffer', {
      configurable: true,
      get() {
        throw new Error('the global Buffer was used');
      },
    });
    try {
      // Every call starts (and the waiting read arms its chunk) while the global would throw.
      results.push(reader.read(8), writer.write('abc'), ws.recv(client, 8), writer.write(new Uint8Array([1, 2])));
    } finally {
      Object.defineProperty(globalThis, 'Buffer', global);
    }
    await ws.send(server, 'xyz');
    const [first, , received] = (await Promise.all(results)) as [Buffer, undefined, Buffer];
    let read = first;
    while (read.length < 5) read = Buffer.concat([read, (await reader.read(8))!]); // both writes, however they came
    assert.deepEqual([...read], [...Buffer.from('abc'), 1, 2]);
    assert.equal(String(received), 'xyz');
  });

  test('Socket.read rejects, never throws, when Node cannot make its Buffer (Buffer.poolSize set at run time); the socket reads on', async () => {
    const { client, server } = scope.pair();
    const reader = new Socket(server);
    await ws.send(client, 'ab');
    assert.equal(String(await reader.read(1)), 'a', 'the first read: the Socket knows its state, later reads take the short path');
    const poolSize = Buffer.poolSize;
    let reading: Promise<Buffer | null> | undefined;
    let thrown: unknown;
    // -1: to Node half the pool is 2^31 - 1, so 60,000 bytes are pool-sized (armed under uv_poll, retried under the
    // thread poller), and the pool Node makes anew for them cannot be made. The short path leaves such a pool size
    // to the checked one, which rejects.
    Buffer.poolSize = -1;
    try {
      reading = reader.read(60_000);
    } catch (error) {
      thrown = error;
    } finally {
      Buffer.poolSize = poolSize;
    }
    assert.equal(thrown, undefined, `read() threw ${String(thrown)}`);
    const error = await rejection(reading!);
    assert.ok(error instanceof RangeError, String(error));
    assert.equal(String(await reader.read(16)), 'b', 'nothing was left waiting: the next read gets the byte');
    reader.close();
  });

  test('after closeIdleConnections a write fails and every later read, the short path\'s too, still reads the end of the stream', async () => {
    await using server = Server.listen({ host: '127.0.0.1' });
    const accepting = server.accept();
    await using client = await Socket.connect('127.0.0.1', server.address().port);
    await using peer = await accepting;
    const reading = peer.read(16);
    server.closeIdleConnections();
    assert.equal(await reading, null);
    // The connection is gone: a write says so (it made the Socket look its state up again, which the short read
    // path then took for an open socket's: WSAENOTSOCK where the end of the stream was).
    assert.equal((await rejection(peer.write('x'))).code, 'WSAENOTSOCK');
    for (const size of [1, 16, 4095, 65536]) assert.equal(await peer.read(size), null, `read(${size})`);
    assert.equal(await client.read(), null, 'the client reads the end of the stream');
  });

  test('Socket.read: reads made at once resolve in order with the bytes in order, at every size around the pool; bad sizes reject by name', async () => {
    const { client, server } = scope.pair();
    const reader = new Socket(server);
    const half = Buffer.poolSize >>> 1;
    const sizes = [1, half - 1, half, half + 1, Buffer.poolSize - 1, Buffer.poolSize, Buffer.poolSize + 1, 64 * 1024];
    await ws.send(client, 'x');
    assert.equal(String(await reader.read(1)), 'x', 'the Socket knows its state: the short path from here');
    const reads = sizes.map((size) => reader.read(size));
    const data = Buffer.alloc(sizes.reduce((sum, size) => sum + size, 0));
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
    await ws.send(client, data);
    const chunks: Buffer[] = [];
    for (const [i, reading] of reads.entries()) {
      const chunk = await reading;
      assert.ok(chunk !== null && chunk.length >= 1 && chunk.length <= sizes[i]!, `read ${i} (${sizes[i]}) got ${chunk?.length}`);
      chunks.push(chunk);
    }
    let received = Buffer.concat(chunks);
    while (received.length < data.length) received = Buffer.concat([received, (await reader.read())!]);
    assert.deepEqual(received, data, 'every byte, in order');
    for (const [size, code] of [
      [2 ** 31, 'ERR_OUT_OF_RANGE'], [1.5, 'ERR_OUT_OF_RANGE'], [NaN, 'ERR_OUT_OF_RANGE'], [0, 'ERR_OUT_OF_RANGE'],
      [-0, 'ERR_OUT_OF_RANGE'], [-1, 'ERR_OUT_OF_RANGE'], [Infinity, 'ERR_OUT_OF_RANGE'], ['64', 'ERR_INVALID_ARG_TYPE'],
    ] as const) {
      assert.equal((await rejection(reader.read(size as number))).code, code, `read(${String(size)})`);
    }
    reader.close();
    assert.equal((await rejection(reader.read(16))).code, 'WSAENOTSOCK', 'a read after close(), on the short path');
  });
});
