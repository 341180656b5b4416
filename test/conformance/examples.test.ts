// The examples/ programs run as a user runs them (compiled to dist-test/examples by tsconfig.test.json; node-gyp owns build/).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { packageRoot } from '../../src/native.js';
import { describe, platformTimeout, test } from '../harness.js';

const example = (name: string): string => join(packageRoot, 'dist-test', 'examples', `${name}.js`);
const run = (name: string, args: string[] = []) =>
  promisify(execFile)(process.execPath, [example(name), ...args], { timeout: platformTimeout(20_000) });

/** Starts an example that announces its port on stderr ("... port N" or "HOST:N"); resolves with child and port. */
async function startServer(name: string, args: string[]): Promise<{ port: number; done: Promise<string> }> {
  const child = spawn(process.execPath, [example(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  const done = once(child, 'close').then(() => stdout);
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      const match = /(?:port |:)(\d+)\r?\n/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.on('close', () => reject(new Error(`${name} exited before listening: ${stdout}${stderr}`)));
  });
  return { port, done };
}

describe('examples', () => {
  test('tutorial-server and tutorial-client print the tutorial transcript', async () => {
    const server = await startServer('tutorial-server', ['0']);
    const client = await run('tutorial-client', ['127.0.0.1', String(server.port)]);
    assert.equal(client.stdout, 'Bytes Sent: 14\nBytes received: 14\nConnection closed\n');
    assert.equal(await server.done, 'Bytes received: 14\nBytes sent: 14\nConnection closing...\n');
  });

  test('udp-echo demo echoes two datagrams', async () => {
    const { stdout } = await run('udp-echo', ['demo']);
    assert.match(stdout, /^server: 5 bytes from 127\.0\.0\.1:\d+\nclient: hello\nserver: 9 bytes from 127\.0\.0\.1:\d+\nclient: datagrams\n$/);
  });

  test('udp-echo server answers the next client after one that sent a datagram and went away', async () => {
    const child = spawn(process.execPath, [example('udp-echo'), 'server', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'close');
    try {
      let stderr = '';
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (text: string) => {
          stderr += text;
          const match = /Listening on [\d.]+:(\d+)\r?\n/.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        child.on('close', () => reject(new Error(`udp-echo exited early: ${stderr}`)));
      });
      // Gone before the echo comes back: Windows answers the echo with ICMP port unreachable, which the server's next
      // recvfrom reported as WSAECONNRESET unless SIO_UDP_CONNRESET is off.
      const gone = createSocket('udp4');
      await new Promise<void>((resolve, reject) => gone.send('hit and run', port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      gone.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { stdout } = await run('udp-echo', ['client', '127.0.0.1', String(port), 'still there?']);
      assert.equal(stdout, 'client: still there?\n');
      assert.equal(child.exitCode, null, 'the server is still running');
    } finally {
      child.kill();
      await exited;
    }
  });

  test('multicast-chat demo hears its own three messages through the group', async () => {
    const { stdout } = await run('multicast-chat', ['demo']);
    assert.match(stdout, /^\[\d+\] hello, group\n\[\d+\] multicast stays on loopback\n\[\d+\] bye\n$/);
  });

  test('multicast-chat skips a datagram too long for it and ends quietly when its input ends', async () => {
    const child = spawn(process.execPath, [example('multicast-chat'), 'alice', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const exited = once(child, 'close');
    const sender = createSocket('udp4');
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (text: string) => {
          stderr += text;
          const match = /chatting on [\d.]+:(\d+) as alice\r?\n/.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        child.on('close', () => reject(new Error(`multicast-chat exited early: ${stdout}${stderr}`)));
      });
      // Anyone can send to the member's port: 2,000 bytes do not fit its 1,500-byte buffer (WSAEMSGSIZE ended it).
      await new Promise<void>((resolve, reject) => sender.send(Buffer.alloc(2000, 120), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      await new Promise<void>((resolve, reject) => sender.send('after it', port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      const deadline = Date.now() + platformTimeout(5000);
      while (!stdout.includes('] after it\n') && child.exitCode === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.match(stdout, /^\[\d+\] after it\n$/);
      child.stdin.end(); // the end of the chat: closesocket() under the pending recvfrom (an uncaught WSAEINTR before)
      const [code] = await exited;
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /WinsockError/);
    } finally {
      sender.close();
      child.kill();
    }
  });

  test('select-server serves three clients at once from one thread', async () => {
    const server = await startServer('select-server', ['0', '3']);
    const echoes = await Promise.all(['a', 'bb', 'ccc'].map(async (text) => {
      const socket = createConnection(server.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(text);
      const [reply] = (await once(socket, 'data')) as [Buffer];
      socket.end();
      await once(socket, 'close');
      return reply.toString();
    }));
    assert.deepEqual(echoes, ['a', 'bb', 'ccc']);
    assert.equal(await server.done, 'served 3 clients\n');
  });

  test('select-server outlives a client that resets and one that never reads its echoes', async () => {
    const server = await startServer('select-server', ['0', '3']);
    const sockets: Socket[] = [];
    const connected = async (): Promise<Socket> => {
      const socket = createConnection(server.port, '127.0.0.1');
      sockets.push(socket);
      await once(socket, 'connect');
      return socket;
    };
    try {
      // Never reads: the server's echoes fill this client's window, then the server's send buffer (a blocking send
      // there held the one thread for good).
      const deaf = await connected();
      deaf.pause();
      deaf.write(Buffer.alloc(8 * 1024 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Resets with data on its way (the server's recv or send then failed with WSAECONNRESET, uncaught).
      const rude = await connected();
      rude.write('bye');
      await new Promise((resolve) => setTimeout(resolve, 50));
      rude.resetAndDestroy();
      const polite = await connected();
      polite.write('still served?');
      const replied = once(polite, 'data').then(([reply]) => (reply as Buffer).toString());
      const late = new Promise<string>((resolve) => setTimeout(() => resolve('no echo within 5 s'), platformTimeout(5000)).unref());
      assert.equal(await Promise.race([replied, late]), 'still served?');
      polite.end();
    } finally {
      for (const socket of sockets) socket.destroy(); // the server ends once its three clients are gone
    }
    assert.equal(await server.done, 'served 3 clients\n');
  });
});
