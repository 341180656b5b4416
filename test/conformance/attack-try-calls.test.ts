// Attacks on the promises API's try* calls (native/async_calls.cc TrySend/TryRecv, native/platform/posix.cc
// TrySend/TryRecvStream): a try must never block, whatever the socket's mode is by now. O_NONBLOCK belongs to the
// open file description, and a second descriptor of the same socket (fromShare in this process) could make it
// blocking again with ioctlsocket(FIONBIO, 0), which only the SOCKET that waits refuses. The next try then blocked
// the event loop for ever (a recv with nothing to read, a send with the buffer full), or for SO_RCVTIMEO and then
// waited on. Run in a child process: on a build with the fault the child hangs, and the test fails on its deadline.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

import { native } from '../../src/native.js';
import * as sync from '../../src/index.js';
import { afterEach, describe, platformTimeout, test } from '../harness.js';
import { SocketScope, assertArgumentError, assertWinsockError, distIndexPath, evalModuleArgs } from '../support.js';

const indexUrl = pathToFileURL(distIndexPath).href;
const promisesUrl = pathToFileURL(distIndexPath.replace(/index\.js$/, 'promises.js')).href;

/** The start of each child's script: the 1:1 API as `ws`, the promises API as `wsp`, and a loopback `listener`. */
const LISTENING = `
      const ws = await import(${JSON.stringify(indexUrl)});
      const wsp = await import(${JSON.stringify(promisesUrl)});
      ws.startup();
      const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.bind(listener, '127.0.0.1', 0);
      ws.listen(listener);`;

/** Runs `script` (an ES module) in a child Node; its stdout, or a failure if it crashed or has not exited by the deadline. */
async function runChild(script: string): Promise<string> {
  const child = spawn(process.execPath, evalModuleArgs(script), { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const deadline = setTimeout(() => child.kill('SIGKILL'), platformTimeout(15_000));
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(deadline);
  assert.equal(signal, null, `the child ended by ${String(signal)} (SIGKILL: it hung past its deadline); it printed: ${stdout}`);
  assert.equal(code, 0, `the child failed; it printed: ${stdout}`);
  return stdout;
}

describe('attack: try* calls', () => {
  test('a socket made blocking again through a second descriptor of it: waiting recv and send never block the loop', async () => {
    const script = `${LISTENING}
      const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.connect(client, '127.0.0.1', ws.getsockname(listener).port);
      const server = ws.accept(listener).socket;
      const reading = wsp.recv(server, 16); // waits: the socket is nonblocking for good now
      const twin = ws.fromShare(ws.share(server, process.pid)); // the same open file description
      ws.ioctlsocket(twin, ws.FIONBIO, 0); // allowed: the twin watches nothing
      await wsp.send(client, 'a');
      const results = { first: String(await reading) };
      // Nothing to read: a try that blocked would hold the loop until the peer sent, which the loop must run.
      let started = performance.now();
      const next = wsp.recv(server, 16);
      results.recvCallMs = performance.now() - started;
      setTimeout(() => void wsp.send(client, 'b'), 50);
      results.second = String(await next);
      // A receive timeout is for blocking calls: an async recv waits for readiness, not for SO_RCVTIMEO.
      ws.setOption(server, 'SO_RCVTIMEO', 3000);
      started = performance.now();
      const third = wsp.recv(server, 16);
      results.timedRecvCallMs = performance.now() - started;
      setTimeout(() => void wsp.send(client, 'c'), 50);
      results.third = String(await third);
      // A send larger than the socket's buffers: a try that blocked would wait for a reader the loop must run.
      const total = 16 * 1024 * 1024;
      const sending = wsp.send(server, Buffer.alloc(total, 1));
      let received = 0;
      while (received < total) received += (await wsp.recv(client, 1 << 20)).length;
      results.sent = await sending;
      results.received = received;
      for (const s of [twin, server, client, listener]) ws.closesocket(s);
      ws.cleanup();
      process.stdout.write(JSON.stringify(results));`;
    const results = JSON.parse(await runChild(script)) as Record<string, unknown>;
    assert.equal(results.first, 'a');
    assert.ok((results.recvCallMs as number) < 1500, `recv() took ${String(results.recvCallMs)} ms to return`);
    assert.equal(results.second, 'b');
    assert.equal(results.third, 'c');
    assert.equal(results.sent, 16 * 1024 * 1024);
    assert.equal(results.received, 16 * 1024 * 1024);
    // The call returns its promise at once; one that blocked for SO_RCVTIMEO took 3 s.
    assert.ok((results.timedRecvCallMs as number) < 1500, `recv() took ${String(results.timedRecvCallMs)} ms to return`);
  });

  test('a buffer argument whose check runs JavaScript that closes the socket: WSAENOTSOCK, never a crash or a send on its reused descriptor', async () => {
    // A view of no bytes is checked for bounds through Reflect.get, which any caller can replace; the replacement
    // closes the socket the call named and opens another, which takes the closed one's descriptor number.
    const script = `${LISTENING}
      const port = ws.getsockname(listener).port;
      const opened = [listener];
      const real = globalThis.Reflect;
      async function attempt(make, call) {
        const s = make();
        globalThis.Reflect = { get() { globalThis.Reflect = real; ws.closesocket(s); opened.push(make()); return false; } };
        try {
          const result = await call(s);
          return 'resolved ' + String(result);
        } catch (error) {
          return error.code ?? String(error);
        } finally {
          globalThis.Reflect = real;
        }
      }
      function connected() {
        const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        ws.connect(s, '127.0.0.1', port);
        opened.push(ws.accept(listener).socket);
        return s;
      }
      function datagram() {
        const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
        ws.bind(s, '127.0.0.1', 0);
        return s;
      }
      const empty = () => new Uint8Array(new ArrayBuffer(8), 8, 0);
      const results = {
        promisesSend: await attempt(connected, (s) => wsp.send(s, empty())),
        promisesRecvInto: await attempt(connected, (s) => wsp.recvInto(s, empty())),
        send: await attempt(connected, (s) => ws.send(s, empty())),
        recv: await attempt(connected, (s) => ws.recv(s, empty())),
        sendto: await attempt(datagram, (s) => ws.sendto(s, empty(), '127.0.0.1', port)),
        promisesSendto: await attempt(datagram, (s) => wsp.sendto(s, empty(), '127.0.0.1', port)),
        setsockopt: await attempt(connected, (s) => ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, empty())),
      };
      for (const s of opened) {
        try { ws.closesocket(s); } catch {}
      }
      ws.cleanup();
      process.stdout.write(JSON.stringify(results));`;
    const results = JSON.parse(await runChild(script)) as Record<string, string>;
    assert.equal(Object.keys(results).length, 7);
    for (const [call, outcome] of Object.entries(results)) assert.equal(outcome, 'WSAENOTSOCK', call);
  });

  describe('arguments', () => {
    sync.startup();
    const scope = new SocketScope();
    afterEach(() => scope.closeAll());

    test('tryRecv writes into exactly the bytes of any view (an offset, a DataView, a Float64Array, shared memory), never around them', () => {
      const { client, server } = scope.pair();
      const id = native.socketId(server);
      const memories = [new ArrayBuffer(32), new SharedArrayBuffer(32)];
      for (const memory of memories) {
        const views: ArrayBufferView[] = [
          new Uint8Array(memory, 3, 5), new DataView(memory, 7, 9), new Float64Array(memory, 8, 2), new Int16Array(memory, 30, 1),
        ];
        for (const view of views) {
          const all = new Uint8Array(memory);
          all.fill(0xee);
          sync.send(client, Buffer.alloc(64, 0x11)); // more than the view holds
          let received: number | null = null;
          for (let i = 0; i < 1000 && received === null; i++) received = native.tryRecv(id, view, 0);
          assert.equal(received, view.byteLength, `${view.constructor.name} at ${view.byteOffset} got its length`);
          for (let i = 0; i < all.length; i++) {
            const inside = i >= view.byteOffset && i < view.byteOffset + view.byteLength;
            assert.equal(all[i], inside ? 0x11 : 0xee, `byte ${i} of ${view.constructor.name} at ${view.byteOffset}`);
          }
          // What the view could not hold stays for the next read: drain it.
          const rest = native.tryRecv(id, 64, 0);
          assert.equal(rest?.length, 64 - view.byteLength);
        }
      }
    });

    test('flags that are not a C int are refused by name: nothing is sent or read, and -0 is 0', () => {
      const { client, server } = scope.pair();
      const id = native.socketId(client);
      const buffer = Buffer.from('x');
      const notInts: [unknown, typeof TypeError | typeof RangeError][] = [
        [2 ** 31, RangeError], [-(2 ** 31) - 1, RangeError], [1.5, RangeError], [NaN, RangeError], [Infinity, RangeError],
        ['1', TypeError], [{ valueOf: () => 0 }, TypeError], [null, TypeError], [1n, TypeError],
      ];
      for (const [flags, kind] of notInts) {
        assertArgumentError(() => native.trySend(id, buffer, flags as number), kind);
        assertArgumentError(() => native.tryRecv(id, Buffer.alloc(1), flags as number), kind);
      }
      assert.equal(native.trySend(id, buffer, -0), 1);
      let received: Buffer | null = null;
      for (let i = 0; i < 1000 && received === null; i++) received = native.tryRecv(native.socketId(server), 8, -0);
      assert.equal(String(received), 'x', 'only the one send with valid flags arrived');
    });

    test('C ints that are no Winsock flags are refused with WSAEOPNOTSUPP on POSIX: nothing is sent or read', () => {
      const { client, server } = scope.pair();
      const id = native.socketId(client);
      // -1 (every bit), 2^31 - 1, -2^31, Linux's MSG_DONTWAIT bit (0x40, Winsock's MSG_INTERRUPT).
      for (const flags of [-1, 2 ** 31 - 1, -(2 ** 31), 0x40]) {
        assertWinsockError(() => native.trySend(id, Buffer.from('x'), flags), 'WSAEOPNOTSUPP', 'send');
        assertWinsockError(() => native.tryRecv(id, Buffer.alloc(1), flags), 'WSAEOPNOTSUPP', 'recv');
      }
      assert.equal(native.tryRecv(native.socketId(server), 8, 0), null, 'nothing was sent');
    });
  });
});
