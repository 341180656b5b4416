// The second fresh-eyes review: the public surface a Node user touches (Socket, Server, the Duplex, the CLI) attacked
// as a careless caller and a hostile peer would. Each test failed on the code before its fix (docs/reliability.md,
// "The second fresh-eyes review").
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as sync from '../../src/index.js';
import { startup } from '../../src/index.js';
import * as wsp from '../../src/promises.js';
import { Server, Socket } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';

describe('review: the public surface under a careless caller and a hostile peer', () => {
  startup();
  const open: { close(): void }[] = [];
  const keep = <T extends { close(): void }>(thing: T): T => (open.push(thing), thing);
  afterEach(() => {
    for (const thing of open.splice(0)) thing.close();
  });

  async function connectedPair(): Promise<{ server: Server; client: Socket; peer: Socket }> {
    const server = keep(Server.listen({ host: '127.0.0.1' }));
    const accepting = server.accept();
    const client = keep(await Socket.connect('127.0.0.1', server.address().port));
    const peer = keep(await accepting);
    return { server, client, peer };
  }

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  test("the Duplex's setTimeout reads its delay as node:net does: longer than a timer holds is not 'at once'", async () => {
    const { peer } = await connectedPair();
    const stream = peer.toStream();
    let timedOut = 0;
    stream.on('timeout', () => timedOut++);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      stream.setTimeout(2 ** 40); // node:net: cut to 2^31 - 1 ms; a bare setTimeout fires after 1 ms instead
      await sleep(100);
      assert.equal(timedOut, 0, "'timeout' fired for a delay of 2^40 ms");
      assert.equal(stream.timeout, 2 ** 31 - 1);
      assert.deepEqual(warnings, ['TimeoutOverflowWarning']);
    } finally {
      process.off('warning', onWarning);
    }
    for (const bad of [Infinity, -1, NaN]) {
      assert.throws(() => stream.setTimeout(bad), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }, String(bad));
    }
    for (const bad of ['5', null, {}, 5n]) {
      assert.throws(() => stream.setTimeout(bad as number), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, typeof bad);
    }
    assert.equal(stream.timeout, 2 ** 31 - 1, 'a refused delay leaves the timeout as it was');
    assert.equal(timedOut, 0);
    stream.setTimeout(0);
    stream.destroy();
  });

  test('Socket.read(0) is a RangeError, not null: null means the peer ended, and this peer has not', async () => {
    const { client, peer } = await connectedPair();
    await client.write('still here');
    await assert.rejects(peer.read(0), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    await assert.rejects(peer.read('16' as unknown as number), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"size"/ });
    assert.equal(peer.idle, false, 'a refused read is not counted as waiting');
    assert.equal((await peer.read(64))?.toString(), 'still here');
  });

  test('Server.close() on a path where a directory now stands resolves, and closing again resolves too', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ws-review-'));
    try {
      const path = join(folder, 's.sock');
      const server = Server.listen({ path });
      unlinkSync(path);
      mkdirSync(path); // another process put a directory where the socket file was
      const settled = (promise: Promise<void>): Promise<string> =>
        Promise.race([promise.then(() => 'resolved'), sleep(2000).then(() => 'still waiting after 2 s')]);
      assert.equal(await settled(server.close()), 'resolved'); // threw ERR_FS_EISDIR before
      assert.equal(await settled(server.close()), 'resolved'); // and this one never settled
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('write(8 MiB) then end() without waiting: the peer reads all 8 MiB, then the end of the stream', async () => {
    const { client, peer } = await connectedPair();
    const size = 8 * 1024 * 1024;
    const writing = client.write(Buffer.alloc(size, 1)); // too large to go at once: it waits for room
    const ending = client.end();
    let received = 0;
    for await (const chunk of peer) received += chunk.length;
    await writing; // rejected with WSAESHUTDOWN before: end() shut down under it
    await ending;
    assert.equal(received, size);
  });

  test('a connected UDP socket reports an ICMP port unreachable as WSAECONNRESET, as Winsock does (not WSAECONNREFUSED)', async () => {
    const { AF_INET, IPPROTO_UDP, SOCK_DGRAM } = sync;
    const gone = sync.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    sync.bind(gone, '127.0.0.1', 0);
    const port = sync.getsockname(gone).port;
    sync.closesocket(gone); // nobody listens on `port` now: a datagram to it brings back ICMP port unreachable
    const s = sync.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    open.push({ close: () => sync.closesocket(s) });
    sync.connect(s, '127.0.0.1', port);
    sync.send(s, 'anyone?');
    await assert.rejects(wsp.recv(s, 100, { timeout: 2000 }), { code: 'WSAECONNRESET', errno: 10054, syscall: 'recv' });
    sync.send(s, 'anyone now?');
    await assert.rejects(wsp.recvfrom(s, 100, { timeout: 2000 }), { code: 'WSAECONNRESET', errno: 10054 });
  });

  test('Server.listen({ path }) with the TCP connection options serves its clients: they apply to TCP only, as in node:net', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ws-review-'));
    try {
      const path = join(folder, 's.sock');
      const server = keep(Server.listen({ path, noDelay: true, keepAlive: true, keepAliveInitialDelay: 2000, idleTimeout: 5000 }));
      const iterator = server[Symbol.asyncIterator]();
      const accepting = iterator.next(); // ended with WSAEOPNOTSUPP before: TCP_NODELAY on an AF_UNIX connection
      const client = keep(await Socket.connect({ path }));
      const { value: peer, done } = await accepting;
      assert.equal(done, false);
      keep(peer!);
      assert.equal(peer!.timeout, 5000, 'idleTimeout still applies');
      await client.write('over a path');
      assert.equal((await peer!.read())?.toString(), 'over a path');
      await iterator.return?.();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test("the Duplex's setNoDelay and setKeepAlive do not throw once its socket is closed, as node:net's do not", async () => {
    const { peer } = await connectedPair();
    const stream = peer.toStream();
    peer.close(); // closed under the stream (closeAllConnections does so): the stream does not know yet
    assert.equal(stream.setNoDelay(true), stream); // threw WSAENOTSOCK before
    assert.equal(stream.setKeepAlive(true, 1000), stream);
    assert.throws(() => stream.setKeepAlive(true, -1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    stream.destroy();
  });
});
