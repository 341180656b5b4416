// The tutorial's transcript, byte for byte: the CLI against itself, against node:net peers, and its failure output.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';

import { describe, test } from '../harness.js';
import { runCli, startCli } from '../support.js';

const clientTranscript = 'Bytes Sent: 14\nBytes received: 14\nConnection closed\n';
const serverTranscript = 'Bytes received: 14\nBytes sent: 14\nConnection closing...\n';

describe('winsock-echo: the tutorial transcript', () => {
  test('server and client print the tutorial transcript exactly', async () => {
    const server = startCli(['server', '--host', '127.0.0.1', '--port', '0']);
    const port = await server.listening;
    const client = await runCli(['client', '127.0.0.1', '--port', String(port)]);
    const served = await server.done;
    assert.equal(client.stdout, clientTranscript);
    assert.equal(client.code, 0);
    assert.equal(served.stdout, serverTranscript);
    assert.equal(served.code, 0);
    assert.match(served.stderr, new RegExp(`^Listening on 127\\.0\\.0\\.1:${port}\\r?\\n$`));
  });

  test('demo runs both and shows both transcripts', async () => {
    const demo = await runCli(['demo']);
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    const port = /--port (\d+)/.exec(demo.stdout)?.[1];
    assert.equal(
      demo.stdout,
      `$ winsock-echo server --host 127.0.0.1 --port ${port}\n$ winsock-echo client 127.0.0.1 --port ${port}\n` +
        `--- client ---\n${clientTranscript}--- server ---\n${serverTranscript}`,
    );
  });

  test('the client works against a plain node:net echo server', async () => {
    let received = '';
    const echo = createServer((socket) => {
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.pipe(socket);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    try {
      const { port } = echo.address() as AddressInfo;
      const client = await runCli(['client', '127.0.0.1', '--port', String(port)]);
      assert.equal(client.stdout, clientTranscript);
      assert.equal(client.code, 0);
      assert.equal(received, 'this is a test');
    } finally {
      echo.close();
    }
  });

  test('the server echoes for a plain node:net client, 512 bytes at a time as the tutorial does', async () => {
    const server = startCli(['server', '--host', '127.0.0.1', '--port', '0']);
    const port = await server.listening;
    const socket = createConnection(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'connect');
    const payload = Buffer.alloc(600, 'x');
    socket.end(payload);
    await once(socket, 'end');
    socket.destroy();
    const served = await server.done;
    assert.deepEqual(Buffer.concat(chunks), payload);
    assert.equal(served.code, 0);
    const lines = served.stdout.split('\n');
    assert.equal(lines.at(-2), 'Connection closing...');
    const total = lines.filter((line) => line.startsWith('Bytes sent: ')).reduce((sum, line) => sum + Number(line.slice(12)), 0);
    assert.equal(total, 600);
    assert.ok(lines.every((line) => line === '' || /^(Bytes received|Bytes sent): ([1-9]\d*)$|^Connection closing\.\.\.$/.test(line)));
    assert.ok(lines.filter((line) => line.startsWith('Bytes received: ')).every((line) => Number(line.slice(16)) <= 512));
  });

  test('server --forever serves 20 clients at once, each with the tutorial transcript', async () => {
    const server = startCli(['server', '--host', '127.0.0.1', '--port', '0', '--forever']);
    try {
      const port = await server.listening;
      const clients = await Promise.all(Array.from({ length: 20 }, () => runCli(['client', '127.0.0.1', '--port', String(port)])));
      for (const client of clients) {
        assert.equal(client.stdout, clientTranscript);
        assert.equal(client.code, 0);
      }
    } finally {
      server.kill();
    }
    const served = await server.done;
    const lines = served.stdout.trimEnd().split('\n');
    assert.equal(lines.filter((line) => line === 'Bytes received: 14').length, 20);
    assert.equal(lines.filter((line) => line === 'Bytes sent: 14').length, 20);
    assert.equal(lines.filter((line) => line === 'Connection closing...').length, 20);
  });

  test('an unknown host: "getaddrinfo failed with error: 11001", exit code 1', async () => {
    const client = await runCli(['client', 'no-such-host.invalid', '--port', '27015']);
    assert.equal(client.stdout, 'getaddrinfo failed with error: 11001\n');
    assert.equal(client.code, 1);
  });

  test('nobody listening: "Unable to connect to server!", exit code 1', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const client = await runCli(['client', '127.0.0.1', '--port', String(port)]);
    assert.equal(client.stdout, 'Unable to connect to server!\n');
    assert.equal(client.code, 1);
  });

  test('port in use: "bind failed with error: 10048", exit code 1', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    try {
      const { port } = holder.address() as AddressInfo;
      const server = await runCli(['server', '--host', '127.0.0.1', '--port', String(port)]);
      assert.equal(server.stdout, 'bind failed with error: 10048\n');
      assert.equal(server.code, 1);
    } finally {
      holder.close();
    }
  });

  // Each run starts a node process (seconds under Wine or load): the runs of a test go in parallel.
  test('a mistake in the command line: the usage on stderr, nothing on stdout, exit code 1', async () => {
    const [noHost, none, unknownTopic, badPort, unknownOption] = await Promise.all(
      [['client'], [], ['help', 'bogus'], ['server', '--port', '70000'], ['server', '--bogus']].map((args) => runCli(args)),
    );
    assert.deepEqual(noHost, { code: 1, stdout: '', stderr: 'usage: winsock-echo client server-name\n' });
    for (const run of [none!, unknownTopic!]) {
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /usage: winsock-echo <server\|client\|demo\|help>/);
    }
    assert.equal(badPort!.code, 1);
    assert.equal(badPort!.stdout, '');
    assert.match(badPort!.stderr, /^invalid port: 70000\nusage: winsock-echo server/);
    assert.equal(unknownOption!.code, 1);
    assert.equal(unknownOption!.stdout, '');
    assert.match(unknownOption!.stderr, /bogus/);
  });

  test('help, help <command>, --help and -h: the usage on stdout, exit code 0', async () => {
    const asked = [['help'], ['--help'], ['server', '--help'], ['help', 'client'], ['demo', '-h']];
    const runs = await Promise.all(asked.map((args) => runCli(args)));
    runs.forEach((run, i) => {
      const command = ['overview', 'overview', 'server', 'client', 'demo'][i]!;
      assert.equal(run.code, 0, asked[i]!.join(' '));
      assert.equal(run.stderr, '', asked[i]!.join(' '));
      assert.match(run.stdout, command === 'overview' ? /^usage: winsock-echo <server\|client\|demo\|help>/ : new RegExp(`^usage: winsock-echo ${command}`));
    });
  });
});
