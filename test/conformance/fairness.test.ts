// The fairness budget (src/fairness.ts): past it, a call that completes at once still makes its syscall at the call,
// and what it got reaches the caller on the loop's next turn, in call order. The first test failed on the code
// before 2026-11-30, where a call past the budget queued without trying: closing the socket right after lost it.
// The call-order tests after it failed on that commit (a687c65): a call that waited was settled the moment its
// readiness, close or abort came, before the check phase delivered what the calls made before it had got.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope } from '../support.js';

/** More calls back to back than the budget (256) allows without a turn of the event loop. */
const PAST_THE_BUDGET = 300;

describe('fairness: calls past the budget', () => {
  ws.startup();
  const scope = new SocketScope();
  const open: { close(): void }[] = [];
  afterEach(() => {
    scope.closeAll();
    for (const thing of open.splice(0)) thing.close();
  });

  /** A Server on loopback, a Socket connected to it and the Socket it accepted, all closed after the test. */
  async function socketPair(): Promise<{ server: Server; client: Socket; peer: Socket }> {
    const server = Server.listen({ host: '127.0.0.1' });
    open.push(server);
    const accepting = server.accept();
    const client = await Socket.connect('127.0.0.1', server.address().port);
    open.push(client);
    const peer = await accepting;
    open.push(peer);
    return { server, client, peer };
  }

  /** Waits (at most 5 s) until `count` bytes can be read from `s` at once. */
  async function untilReadable(s: sync.SOCKET, count: number): Promise<void> {
    for (let waited = 0; sync.ioctlsocket(s, sync.FIONREAD) < count; waited++) {
      assert.ok(waited < 5000, `only ${sync.ioctlsocket(s, sync.FIONREAD)} of ${count} bytes arrived`);
      await sleep(1);
    }
  }

  test('a send past the budget hands its bytes to the kernel at the call: closing right after loses none', async () => {
    const { client, server } = scope.pair();
    const data = Buffer.from(Array.from({ length: PAST_THE_BUDGET }, (_, i) => i % 256));
    const sends = [...data].map((byte) => ws.send(client, Buffer.of(byte)));
    scope.close(client);
    const outcomes = await Promise.allSettled(sends);
    assert.deepEqual(outcomes.filter((outcome) => outcome.status === 'rejected'), []);
    const received: Buffer[] = [];
    for (let chunk = await ws.recv(server, 4096); chunk.length > 0; chunk = await ws.recv(server, 4096)) received.push(chunk);
    assert.deepEqual(Buffer.concat(received), data);
  });

  test('recv calls past the budget get their bytes in call order, and the loop has a turn before the last of them', async () => {
    const { client, server } = scope.pair();
    const data = Buffer.from(Array.from({ length: PAST_THE_BUDGET }, (_, i) => (i * 7) % 256));
    sync.send(client, data);
    await untilReadable(server, data.length);
    let settled = 0;
    let settledBeforeTurn = -1;
    // Queued before the calls: Node runs immediates in order, so this one sees what was delivered without a turn.
    setImmediate(() => (settledBeforeTurn = settled));
    const reads = Array.from({ length: PAST_THE_BUDGET }, () => ws.recv(server, 1).finally(() => settled++));
    assert.deepEqual(Buffer.concat(await Promise.all(reads)), data);
    assert.ok(settledBeforeTurn >= 0 && settledBeforeTurn < PAST_THE_BUDGET, `${settledBeforeTurn} settled before the turn`);
  });

  test('failing tries past the budget reject with their own error', async () => {
    const { listener } = scope.listener();
    const sends = Array.from({ length: PAST_THE_BUDGET }, () => ws.send(listener, 'x'));
    const outcomes = await Promise.allSettled(sends);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.equal((outcome.reason as { code?: string }).code, 'WSAENOTCONN');
    }
  });

  /**
   * The check phase of the loop: calls made from here have their deferred results delivered at the next turn's check
   * phase, after that turn's poll phase, so a readiness event can come between a deferral and its delivery.
   */
  function checkPhase(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** What readsThenOneThatWaits records when every read settles in call order: `byte` each, then `last`. */
  function settledInOrder(byte: string, last: string): string[] {
    return Array.from({ length: PAST_THE_BUDGET + 1 }, (_, i) => `${i}:${i < PAST_THE_BUDGET ? byte : last}`);
  }

  /** `count` reads of one byte each that complete at once, then one that waits; each records when it settles. */
  async function readsThenOneThatWaits(
    server: sync.SOCKET,
    count: number,
    read: (i: number) => Promise<unknown>,
  ): Promise<{ settled: string[]; reads: Promise<unknown>[] }> {
    await untilReadable(server, count);
    await checkPhase();
    const settled: string[] = [];
    const reads = Array.from({ length: count + 1 }, (_, i) =>
      read(i).then(
        (value) => settled.push(`${i}:${Buffer.isBuffer(value) ? value.toString('latin1') : String(value)}`),
        (error: unknown) => settled.push(`${i}:${error instanceof sync.WinsockError ? error.code : (error as Error).name}`),
      ),
    );
    return { settled, reads };
  }

  test('a read that waits behind reads past the budget settles after them, though its data comes first', async () => {
    const { client, server } = scope.pair();
    sync.send(client, Buffer.alloc(PAST_THE_BUDGET, 'a'));
    const { settled, reads } = await readsThenOneThatWaits(server, PAST_THE_BUDGET, () => ws.recv(server, 1));
    // Before the loop's next poll phase, which wakes the last read (armed) while the earlier ones wait for the check phase.
    sync.send(client, 'Z');
    await Promise.all(reads);
    assert.deepEqual(settled, settledInOrder('a', 'Z'));
  });

  test('Socket.read calls keep their order when the last one waits for data that comes before the loop delivers the others', async () => {
    const { client, peer } = await socketPair();
    await client.write(Buffer.alloc(PAST_THE_BUDGET, 'b'));
    const { settled, reads } = await readsThenOneThatWaits(peer.handle, PAST_THE_BUDGET, () => peer.read(1));
    await client.write('Z');
    await Promise.all(reads);
    assert.deepEqual(settled, settledInOrder('b', 'Z'));
  });

  test('a send that waits behind sends past the budget settles after them', async () => {
    const { client, server } = scope.pair();
    sync.ioctlsocket(server, sync.FIONBIO, 1);
    await checkPhase();
    const settled: number[] = [];
    const sends = Array.from({ length: PAST_THE_BUDGET }, (_, i) => ws.send(client, 'x').then(() => settled.push(i)));
    // The send buffer filled (the client is nonblocking since its first async call), so the next send waits.
    const filler = Buffer.alloc(65536);
    for (;;) {
      try {
        sync.send(client, filler);
      } catch (error) {
        assert.equal((error as sync.WinsockError).code, 'WSAEWOULDBLOCK');
        break;
      }
    }
    sends.push(ws.send(client, 'y').then(() => settled.push(PAST_THE_BUDGET)));
    // The peer reads everything at once, so the client is writable at the loop's next poll phase, before its check phase.
    const scratch = Buffer.alloc(1 << 20);
    for (let waited = 0; sync.select(null, [client], null, 0).count === 0; waited++) {
      assert.ok(waited < 5000, 'the client never became writable');
      try {
        sync.recv(server, scratch);
      } catch (error) {
        assert.equal((error as sync.WinsockError).code, 'WSAEWOULDBLOCK');
      }
    }
    await Promise.all(sends);
    assert.deepEqual(settled, Array.from({ length: PAST_THE_BUDGET + 1 }, (_, i) => i));
  });

  test('closing the socket: the WSAEINTR of a read that waits comes after the data of the reads made before it', async () => {
    const { client, server } = scope.pair();
    sync.send(client, Buffer.alloc(PAST_THE_BUDGET, 'c'));
    const { settled, reads } = await readsThenOneThatWaits(server, PAST_THE_BUDGET, () => ws.recv(server, 1));
    scope.close(server);
    await Promise.all(reads);
    assert.deepEqual(settled, settledInOrder('c', 'WSAEINTR'));
  });

  test('an abort of a read that waits comes after the data of the reads made before it', async () => {
    const { client, server } = scope.pair();
    sync.send(client, Buffer.alloc(PAST_THE_BUDGET, 'd'));
    const controller = new AbortController();
    const { settled, reads } = await readsThenOneThatWaits(server, PAST_THE_BUDGET, (i) =>
      ws.recv(server, 1, i === PAST_THE_BUDGET ? { signal: controller.signal } : undefined),
    );
    controller.abort();
    await Promise.all(reads);
    assert.deepEqual(settled, settledInOrder('d', 'AbortError'));
  });

  test('a timeout of a read that waits comes after the data of the reads made before it', async () => {
    const { client, server } = scope.pair();
    sync.send(client, Buffer.alloc(PAST_THE_BUDGET, 'e'));
    const { settled, reads } = await readsThenOneThatWaits(server, PAST_THE_BUDGET, (i) =>
      ws.recv(server, 1, i === PAST_THE_BUDGET ? { timeout: 0 } : undefined),
    );
    // Past its due time before the loop's next turn, whose timers phase comes before the check phase.
    const until = performance.now() + 5;
    while (performance.now() < until);
    await Promise.all(reads);
    assert.deepEqual(settled, settledInOrder('e', 'WSAETIMEDOUT'));
  });

  test('Socket.read after closeIdleConnections resolves null within the budget, a loop of them yields to the event loop, and bad options are still refused', async () => {
    const { server, client, peer } = await socketPair();
    const waiting = peer.read();
    for (let waited = 0; !peer.idle; waited++) {
      assert.ok(waited < 5000, 'the read never waited');
      await sleep(1);
    }
    server.closeIdleConnections();
    assert.equal(await waiting, null);
    let turned = false;
    setImmediate(() => (turned = true));
    let reads = 0;
    for (; !turned && reads < 10 * PAST_THE_BUDGET; reads++) assert.equal(await peer.read(), null);
    assert.ok(turned, `${reads} reads resolved without a turn of the event loop`);
    // Bad options are still refused, as before the connection was ended (not null).
    await assert.rejects(peer.read(1, { timeout: -1 }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    await assert.rejects(peer.read(1, null as never), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(peer.read(1, { signal: 'x' as never }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  });

  /** Makes `call` again and again until the event loop has had a turn: how many calls that took, at most `limit`. */
  async function callsBeforeATurn(call: () => Promise<unknown>, limit = 10 * PAST_THE_BUDGET): Promise<number> {
    let turned = false;
    setImmediate(() => (turned = true));
    let calls = 0;
    for (; !turned && calls < limit; calls++) await call().catch(() => undefined);
    return calls;
  }

  test('loops of connect, select and WSAPoll that answer at once yield to the event loop', async () => {
    const { client, server } = scope.pair();
    const limit = 10 * PAST_THE_BUDGET;
    const refused = await callsBeforeATurn(async () => {
      await assert.rejects(ws.connect(client, '127.0.0.1', 1), { code: 'WSAEISCONN' });
    });
    assert.ok(refused < limit, `${refused} connects refused at once without a turn of the event loop`);
    const idle = await callsBeforeATurn(async () => {
      assert.equal((await ws.select([server], null, null, 0)).count, 0);
    });
    assert.ok(idle < limit, `${idle} selects with timeout 0 without a turn of the event loop`);
    sync.send(client, 'x');
    await untilReadable(server, 1);
    const ready = await callsBeforeATurn(async () => {
      assert.equal((await ws.select([server], null, null)).count, 1);
    });
    assert.ok(ready < limit, `${ready} selects of a readable socket without a turn of the event loop`);
    const polled = await callsBeforeATurn(async () => {
      assert.equal(await ws.WSAPoll([{ socket: server, events: sync.POLLRDNORM, revents: 0 }]), 1);
    });
    assert.ok(polled < limit, `${polled} WSAPolls of a readable socket without a turn of the event loop`);
    scope.close(server);
    const closed = await callsBeforeATurn(async () => {
      await assert.rejects(ws.select([server], null, null, 0), { code: 'WSAENOTSOCK' });
    });
    assert.ok(closed < limit, `${closed} selects of a closed socket without a turn of the event loop`);
  });

  test('Socket reads past the budget at the end of the stream resolve null, armed or not', async () => {
    const { client, peer } = await socketPair();
    await client.end();
    assert.equal(await peer.read(), null);
    // 100 bytes: a pool-sized read, armed; 65536: read through a scratch buffer and CallSite.fulfilled.
    const reads = Array.from({ length: PAST_THE_BUDGET }, (_, i) => peer.read(i % 2 === 0 ? 100 : 65536));
    assert.deepEqual(new Set(await Promise.all(reads)), new Set([null]));
  });
});
