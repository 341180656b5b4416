// Issue 14, "no server stopped by a client": accept loops meant to serve for good, run in a child process whose
// descriptor limit is 64 (util-linux's prlimit), flooded by 100 clients at once. On main `winsock-echo server
// --forever` printed "accept failed with error: 10024", exited, and then crashed on WSANOTINITIALISED from its
// handlers; the select-server example died of an uncaught WSAEMFILE. Now each reports the shortage once, backs off,
// and serves a new client once the flood has gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, type Socket as NetSocket } from 'node:net';
import { join } from 'node:path';

import { packageRoot } from '../../src/native.js';
import { describe, test } from '../harness.js';
import { cliPath } from '../support.js';

const FLOOD = 100;

interface Child {
  output(): string;
  port: Promise<number>;
  exited: Promise<number | null>;
  alive(): boolean;
  kill(): void;
}

/** Starts `args` (a node script and its arguments) under a descriptor limit of 64. */
function startLimited(args: string[]): Child {
  const child = spawn('prlimit', ['--nofile=64:64', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exitCode: number | null | undefined;
  const exited = once(child, 'close').then(([code]) => (exitCode = code as number | null));
  const port = new Promise<number>((resolve, reject) => {
    const read = (text: string): void => {
      output += text;
      const match = /Listening on [^\n]*:(\d+)\r?\n/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    void exited.then(() => reject(new Error(`exited before listening: ${output}`)));
  });
  port.catch(() => {});
  return { output: () => output, port, exited, alive: () => exitCode === undefined, kill: () => child.kill() };
}

async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One client: sends `text`, resolves with the echo. */
async function echo(port: number, text: string): Promise<string> {
  const socket = createConnection(port, '127.0.0.1');
  socket.setTimeout(10_000, () => socket.destroy(new Error('no echo within 10 s')));
  await once(socket, 'connect');
  socket.write(text);
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  await waitFor(() => reply.length >= text.length || socket.destroyed, 'the echo');
  socket.destroy();
  return reply;
}

/** Floods `port` with clients that connect and wait until the server reports the shortage, then closes them all. */
async function floodUntilShortage(child: Child, port: number): Promise<void> {
  const clients: NetSocket[] = [];
  try {
    for (let i = 0; i < FLOOD; i++) {
      const client = createConnection(port, '127.0.0.1');
      client.on('error', () => {}); // a client the server could not take may be reset: that is the flood's business
      clients.push(client);
    }
    await waitFor(() => /10024/.test(child.output()), 'the server to report WSAEMFILE (10024)');
    // A while at the limit: the server must back off, not exit and not spin.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(child.alive(), `the server exited: ${child.output()}`);
  } finally {
    for (const client of clients) client.destroy();
  }
}

describe('accept loops survive descriptor exhaustion (Linux, prlimit)', () => {
  test('winsock-echo server --forever under ulimit -n 64 and 100 clients at once: reports it once, then serves again', async () => {
    const child = startLimited([cliPath, 'server', '--host', '127.0.0.1', '--port', '0', '--forever']);
    try {
      const port = await child.port;
      await floodUntilShortage(child, port);
      assert.equal(await echo(port, 'after the flood'), 'after the flood');
      assert.ok(child.alive(), child.output());
      // Once per shortage, not once per retry (it retries every 20 ms to 1 s while the shortage lasts).
      const reports = child.output().match(/accept failed with error: 10024/g)?.length ?? 0;
      assert.ok(reports >= 1 && reports <= 3, child.output());
    } finally {
      child.kill();
      await child.exited;
    }
  });

  test('the select-server example under ulimit -n 64 and 100 clients at once keeps serving', async () => {
    const child = startLimited([join(packageRoot, 'dist-test', 'examples', 'select-server.js'), '0']);
    try {
      const port = await child.port;
      await floodUntilShortage(child, port);
      assert.equal(await echo(port, 'after the flood'), 'after the flood');
      assert.ok(child.alive(), child.output());
    } finally {
      child.kill();
      await child.exited;
    }
  });
});
