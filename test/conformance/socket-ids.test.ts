// Socket ids (native/socket_registry.h): the names the promises API's try* calls give sockets. An id names its own
// socket while it is open and nothing ever after, across the registry's growth; anything but a positive integer
// names no socket.
import assert from 'node:assert/strict';

import { addonPath, native, type NativeAddon, type SOCKET } from '../../src/native.js';
import * as ws from '../../src/index.js';
import * as wsp from '../../src/promises.js';
import { afterEach, describe, runtime, test } from '../harness.js';
import { SocketScope, assertArgumentError, assertWinsockError, rejection } from '../support.js';

/** Whether `id` names an open socket: watch(id, 0) watches nothing more, and fails only for an id of none. */
function namesOpenSocket(id: number): boolean {
  try {
    native.watch(id, 0);
    return true;
  } catch (error) {
    assert.ok(error instanceof ws.WinsockError, String(error));
    assert.equal(error.code, 'WSAENOTSOCK');
    return false;
  }
}

/** A second instance of the addon in this thread, as a second copy of the package (another version, say) loads. */
function otherInstance(): NativeAddon {
  const module = { exports: {} as NativeAddon };
  process.dlopen(module, addonPath);
  assert.notEqual(module.exports, native, 'a second instance, not this one again');
  // Told its host as src/native.ts tells the first: Deno frees an async cleanup hook's handle itself, and an
  // instance that did not know removed it a second time at exit (a double free).
  module.exports.setRuntime(runtime);
  return module.exports;
}

describe('socket ids', () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test('an id names its own socket while it is open and no socket ever after, however many come and go', () => {
    const seen = new Set<number>();
    const open = new Map<number, ws.SOCKET>();
    const closed: number[] = [];
    // Three rounds of 300 sockets, half of each closed: the registry grows past its first sizes with ids of closed
    // sockets among the open ones.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 300; i++) {
        const s = scope.tcp();
        const id = native.socketId(s);
        assert.ok(Number.isInteger(id) && id > 0 && id < 2 ** 31, `id ${id} is a small positive integer`);
        assert.ok(!seen.has(id), `id ${id} was issued before`);
        seen.add(id);
        open.set(id, s);
      }
      let index = 0;
      for (const [id, s] of open) {
        if (index++ % 2 === 0) continue;
        scope.close(s);
        open.delete(id);
        closed.push(id);
      }
      for (const [id, s] of open) {
        assert.equal(native.socketId(s), id, 'a socket keeps its id');
        assert.ok(namesOpenSocket(id), `open socket ${id} is found`);
      }
      for (const id of closed) assert.equal(namesOpenSocket(id), false, `closed socket ${id} is not found`);
    }
  });

  test('a number that is not a positive integer names no socket: never the socket its integer part names', () => {
    const { client, server } = scope.pair();
    const id = native.socketId(client);
    const bytes = Buffer.from('x');
    // 1.5 must not name socket 1: the send goes nowhere and fails, with nothing sent.
    for (const notAnId of [id + 0.5, id - 0.5, -id, 0, -0, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64]) {
      assertWinsockError(() => native.trySend(notAnId, bytes, 0), 'WSAENOTSOCK', 'send');
      assertWinsockError(() => native.tryRecv(notAnId, Buffer.alloc(1), 0), 'WSAENOTSOCK', 'recv');
    }
    assert.equal(native.tryRecv(native.socketId(server), Buffer.alloc(1), 0), null, 'nothing was sent');
    // Not a number at all: a TypeError, as before.
    assertArgumentError(() => native.trySend(String(id) as unknown as number, bytes, 0), TypeError);
    assertArgumentError(() => native.trySend(BigInt(id) as unknown as number, bytes, 0), TypeError);
    assert.equal(native.trySend(id, bytes, 0), 1, 'the id itself still names the socket');
  });

  test('the last cleanup() closes every socket the registry holds, waiting ones too; their ids name nothing after it', async () => {
    const { client, server } = scope.pair();
    const waiting = wsp.recv(server, 16);
    const sockets = [client, server, ...Array.from({ length: 200 }, () => scope.tcp())];
    const ids = sockets.map((s) => native.socketId(s));
    ws.cleanup(); // the suite's own startup() was the only one: this is the last cleanup()
    ws.startup();
    assert.equal((await rejection(waiting)).code, 'WSAEINTR', 'the waiting recv failed as closesocket fails it');
    for (const id of ids) assert.equal(namesOpenSocket(id), false, `socket ${id} was closed`);
    for (const s of sockets) assertWinsockError(() => ws.closesocket(s), 'WSAENOTSOCK', 'closesocket');
  });

  test("a SOCKET of another instance of the addon in this thread is refused by name: its id never reaches this instance's sockets", async () => {
    const other = otherInstance();
    other.startup(0x0202);
    const { client, server } = scope.pair();
    const target = native.socketId(client);
    // The other instance issues its own ids from 1: open and close its sockets until one has the id of `client`.
    let foreign: SOCKET | undefined;
    for (let tries = 0; tries <= target && foreign === undefined; tries++) {
      const s = other.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      if (other.socketId(s) === target) foreign = s;
      else other.closesocket(s);
    }
    assert.ok(foreign !== undefined, `the other instance issued id ${target}`);
    try {
      // Through this package's API: a TypeError, never a send on `client` (which shares the id) nor a wait that
      // this instance's readiness callback never hears of.
      assert.equal((await rejection(wsp.send(foreign, 'x'))).code, 'ERR_INVALID_ARG_TYPE');
      assert.equal((await rejection(wsp.recv(foreign, 16, { timeout: 2000 }))).code, 'ERR_INVALID_ARG_TYPE');
      assertArgumentError(() => native.socketId(foreign), TypeError);
      assertArgumentError(() => ws.send(foreign, 'x'), TypeError);
      assertArgumentError(() => ws.closesocket(foreign), TypeError);
      assert.equal(native.tryRecv(native.socketId(server), Buffer.alloc(1), 0), null, 'nothing reached the peer of the socket with that id');
      // And the other way round: this instance's SOCKET is no SOCKET to the other one.
      assertArgumentError(() => other.socketId(client), TypeError);
      assertArgumentError(() => other.closesocket(client), TypeError);
      assert.equal(native.trySend(target, Buffer.from('y'), 0), 1, 'the id still names this instance\'s own socket');
    } finally {
      other.closesocket(foreign);
      other.cleanup();
    }
  });

  test('an object carrying a look-alike of a SOCKET\'s state (its key is no secret) is refused by name: never a send on the socket its id names', async () => {
    const { client, server } = scope.pair();
    const target = native.socketId(client);
    const mine = scope.tcp();
    assert.equal((await rejection(wsp.recv(mine, 1))).code, 'WSAENOTCONN'); // gives `mine` its state
    const [key] = Object.getOwnPropertySymbols(mine);
    assert.ok(key !== undefined, 'the state is on the SOCKET under a symbol');
    const state = (mine as unknown as Record<symbol, { constructor: new (...args: unknown[]) => unknown }>)[key]!;
    const lookAlikes = [
      { id: target, readers: [], writers: [], prioritized: [], keepsLoopAlive: true },
      Object.assign(Object.create(Object.getPrototypeOf(state) as object) as object, { id: target, readers: [], writers: [], prioritized: [] }),
    ];
    for (const lookAlike of lookAlikes) {
      const forged = { [key]: lookAlike } as unknown as SOCKET;
      assert.equal((await rejection(wsp.send(forged, 'x'))).code, 'ERR_INVALID_ARG_TYPE');
      assert.equal((await rejection(wsp.recv(forged, 1))).code, 'ERR_INVALID_ARG_TYPE');
    }
    // Nor can a state with another id be made from the one at hand.
    assert.throws(() => new state.constructor(Symbol('winsock.state.making'), target), { name: 'TypeError', code: 'ERR_ILLEGAL_CONSTRUCTOR' });
    assert.throws(() => new state.constructor(target), { name: 'TypeError', code: 'ERR_ILLEGAL_CONSTRUCTOR' });
    assert.equal(native.tryRecv(native.socketId(server), Buffer.alloc(1), 0), null, 'nothing reached the peer of the socket with that id');
    assert.equal(await wsp.send(client, 'y'), 1, 'the socket itself sends as before');
  });
});
