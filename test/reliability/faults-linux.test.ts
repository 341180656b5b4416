// Faults that need Linux: running out of file descriptors (RLIMIT_NOFILE lowered for a child process), and a
// connect into a network namespace where SYNs vanish. The portable faults are in test/conformance/faults.test.ts.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { describe, test } from '../harness.js';
import { distIndexPath } from '../support.js';

const dist = pathToFileURL(distIndexPath.replace(/index\.js$/, '')).href;

/** Runs an ES module snippet in node with `sync` (winsock), `ws` (winsock/promises) and `high` (winsock/socket). */
async function runModule(body: string, prefix: string[] = []): Promise<string> {
  const source = `
    const sync = await import('${dist}index.js');
    const ws = await import('${dist}promises.js');
    const high = await import('${dist}socket.js');
    ws.startup();
    ${body}`;
  const [command, ...args] = [...prefix, process.execPath, '--input-type=module', '-e', source];
  const { stdout } = await promisify(execFile)(command!, args, { timeout: 60_000 });
  return stdout;
}

describe('faults (Linux)', () => {
  test('descriptor exhaustion: WSAEMFILE from socket() and accept(), a Server that keeps going, recovery after closes', async () => {
    // 64 descriptors: node takes about 20; the rest are ours to use up.
    const stdout = await runModule(`
      const describe = (error) => ({ name: error.name, code: error.code, errno: error.errno, posixCode: error.posixCode,
        syscall: error.syscall, message: error.message });
      const l = sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP);
      sync.bind(l, '127.0.0.1', 0); sync.listen(l);
      const port = sync.getsockname(l).port;
      const server = high.Server.listen({ host: '127.0.0.1' });
      const clients = [0, 1, 2].map(() => sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP));
      const held = [];
      let socketError;
      for (;;) {
        try { held.push(sync.socket(sync.AF_INET, sync.SOCK_STREAM, sync.IPPROTO_TCP)); }
        catch (error) { socketError = describe(error); break; }
      }
      // At the limit: connecting needs no new descriptor, accepting does.
      sync.connect(clients[0], '127.0.0.1', port);
      let acceptError;
      try { sync.accept(l); } catch (error) { acceptError = describe(error); }
      const asyncAcceptError = await ws.accept(l).then(() => null, describe);
      const connectError = await high.Socket.connect('127.0.0.1', port).then(() => null, describe);
      // The Server's for await keeps going through WSAEMFILE and serves the client once descriptors are free.
      const warnings = [];
      process.on('warning', (warning) => warnings.push(warning.code));
      const served = (async () => { for await (const connection of server) { connection.close(); return 'served'; } })();
      sync.connect(clients[1], '127.0.0.1', server.address().port);
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const s of held.splice(0, 8)) sync.closesocket(s);
      const recovered = {
        socket: (() => { const s = sync.socket(sync.AF_INET, sync.SOCK_STREAM, 0); sync.closesocket(s); return true; })(),
        accept: (() => { const { socket } = sync.accept(l); sync.closesocket(socket); return true; })(),
        server: await Promise.race([served, new Promise((resolve) => setTimeout(() => resolve('not served'), 5000).unref())]),
      };
      server.close();
      console.log(JSON.stringify({ held: held.length + 8, socketError, acceptError, asyncAcceptError, connectError, recovered,
        warnings }));
    `, ['prlimit', '--nofile=64:64']);
    const result = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    console.log(`descriptor exhaustion: ${String(result.held)} sockets open at the limit of 64; recovered: ` +
      JSON.stringify(result.recovered));
    assert.ok((result.held as unknown as number) > 10, `only ${String(result.held)} sockets before the limit`);
    for (const [key, syscall] of [['socketError', 'socket'], ['acceptError', 'accept'], ['asyncAcceptError', 'accept'], ['connectError', 'socket']]) {
      const error = result[key!]!;
      assert.equal(error.name, 'WinsockError', key);
      assert.equal(error.code, 'WSAEMFILE', key);
      assert.equal(error.errno, 10024, key);
      assert.equal(error.posixCode, 'EMFILE', key);
      assert.equal(error.syscall, syscall, key);
      assert.equal(error.message, `${syscall} WSAEMFILE: Too many open sockets.`, key);
    }
    assert.deepEqual(result.recovered, { socket: true, accept: true, server: 'served' });
    // The Server said so once, however many times it tried again in the 200 ms at the limit.
    assert.deepEqual(result.warnings, ['WINSOCK_ACCEPT_SHORTAGE']);
  });

  // Runs only as root with iproute2: the entry in knownGaps (test/harness.ts) checks that, and the skip says so.
  test('connect into a network namespace where SYNs vanish: WSAETIMEDOUT after the timeout, nothing left open', async () => {
    const namespace = `winsock-test-${process.pid}`;
    execFileSync('ip', ['netns', 'add', namespace]);
    try {
      // A subnet routed onto the loopback device, with no address of it on the host: a SYN to it comes back in on
      // lo, is not for this host, and is dropped (no forwarding in a new namespace, so no ICMP either). Nothing
      // answers and nothing refuses: only the caller's timeout ends the connect. Needs no kernel module.
      execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
      execFileSync('ip', ['-n', namespace, 'route', 'add', '10.213.0.0/24', 'dev', 'lo']);
      const stdout = await runModule(`
        const { readdirSync } = await import('node:fs');
        const fdsBefore = readdirSync('/proc/self/fd').length;
        const results = [];
        for (const timeout of [100, 300]) {
          const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
          const started = performance.now();
          const code = await ws.connect(s, '10.213.0.2', 80, { timeout }).then(() => 'connected', (error) => error.code);
          results.push({ timeout, code, elapsed: Math.round(performance.now() - started) });
          ws.closesocket(s);
        }
        const high1 = await high.Socket.connect('10.213.0.2', 80, { timeout: 150 }).then(() => 'connected', (error) => error.code);
        console.log(JSON.stringify({ results, high: high1, fdsBefore, fdsAfter: readdirSync('/proc/self/fd').length }));
      `, ['ip', 'netns', 'exec', namespace]);
      const { results, high, fdsBefore, fdsAfter } = JSON.parse(stdout) as {
        results: { timeout: number; code: string; elapsed: number }[];
        high: string;
        fdsBefore: number;
        fdsAfter: number;
      };
      console.log(`netns connect: ${results.map((r) => `timeout ${r.timeout} ms -> ${r.code} after ${r.elapsed} ms`).join(', ')}; ` +
        `Socket.connect -> ${high}; descriptors ${fdsBefore} -> ${fdsAfter}`);
      for (const { timeout, code, elapsed } of results) {
        assert.equal(code, 'WSAETIMEDOUT');
        assert.ok(elapsed >= timeout - 5 && elapsed < timeout + 1000, `timeout ${timeout}: took ${elapsed} ms`);
      }
      assert.equal(high, 'WSAETIMEDOUT');
      assert.equal(fdsAfter, fdsBefore, 'Socket.connect closes the socket of a connect that timed out');
    } finally {
      execFileSync('ip', ['netns', 'delete', namespace]);
    }
  });
});
