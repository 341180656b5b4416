// node:http's server over connections a winsock Server accepts (emitConnections), held to the same checks as the
// same server over node:net, with real clients: curl, Python's http.client and ApacheBench (ab -k).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createServer } from 'node:http';

import { startup } from '../../src/index.js';
import { Server, Socket, emitConnections } from '../../src/socket.js';
import { afterEach, describe, test } from '../harness.js';
import { handler, onBothServers, patternBytes, run, sha256 } from '../ecosystem.js';

describe('node:http over winsock', () => {
  startup();
  let folder = tmpdir(); // replaced by a fresh folder in the test that writes files
  afterEach(() => {
    if (folder !== tmpdir()) rmSync(folder, { recursive: true, force: true });
    folder = tmpdir();
  });

  test('node:http over winsock serves curl: keep-alive on one connection, uploads and downloads hash-verified, as over node:net', async () => {
    folder = mkdtempSync(join(tmpdir(), 'winsock-http-'));
    const upload = join(folder, 'upload.bin');
    const uploadBytes = patternBytes(20 * 1024 * 1024, 7);
    writeFileSync(upload, uploadBytes);
    await onBothServers(async (server) => {
      const base = `http://127.0.0.1:${server.port}`;
      const downloads = [1, 2, 3].map((n) => join(folder, `download-${server.kind.replace(':', '')}-${n}.bin`));
      // One curl, several transfers: curl reuses the connection when the server keeps it alive (num_connects 0).
      const { stdout } = await run('curl', [
        '-sS', '--fail', '--http1.1', '-w', '%{num_connects} %{http_code} %{size_download}\\n',
        '-o', downloads[0]!, `${base}/bytes/1000000`,
        '-o', downloads[1]!, `${base}/bytes/5000000`,
        '-o', downloads[2]!, `${base}/bytes/1`,
        '-o', '/dev/null', `${base}/hello`,
      ], { timeout: 60_000 });
      assert.deepEqual(stdout.trim().split('\n'), ['1 200 1000000', '0 200 5000000', '0 200 1', '0 200 11']);
      for (const [i, n] of [1_000_000, 5_000_000, 1].entries()) {
        assert.equal(sha256(readFileSync(downloads[i]!)), sha256(patternBytes(n)), `download ${n}`);
      }
      // Uploads: with Expect: 100-continue (curl's default for a large body) and with chunked encoding.
      for (const extra of [[], ['-H', 'Transfer-Encoding: chunked']]) {
        const { stdout: answer } = await run('curl', [
          '-sS', '--fail', '--http1.1', '-H', 'Content-Type: application/octet-stream', ...extra,
          '--data-binary', `@${upload}`, `${base}/upload`,
        ], { timeout: 60_000, maxBuffer: 1024 * 1024 });
        assert.deepEqual(JSON.parse(answer), { length: uploadBytes.length, sha256: sha256(uploadBytes) });
      }
      assert.equal(server.peers.size, 3, 'one connection for the keep-alive run, one per upload');
    });
  });

  test('node:http over winsock serves Python http.client: keep-alive, upload and download hash-verified, as over node:net', async () => {
    const script = `
import hashlib, http.client, json, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
local_ports = set()
for i in range(50):
    c.request('GET', '/hello')
    r = c.getresponse()
    assert r.status == 200 and r.read() == b'hello world', 'hello'
    local_ports.add(c.sock.getsockname()[1])
body = bytes(range(256)) * (12 * 1024) + b'tail'
c.request('POST', '/upload', body=body, headers={'Content-Type': 'application/octet-stream'})
answer = json.loads(c.getresponse().read())
assert answer == {'length': len(body), 'sha256': hashlib.sha256(body).hexdigest()}, answer
c.request('GET', '/bytes/2000000')
data = c.getresponse().read()
local_ports.add(c.sock.getsockname()[1])
print(len(local_ports), len(data), hashlib.sha256(data).hexdigest())
`;
    await onBothServers(async (server) => {
      const { stdout } = await run('python3', ['-c', script, String(server.port)], { timeout: 60_000 });
      assert.equal(stdout.trim(), `1 2000000 ${sha256(patternBytes(2_000_000))}`);
      assert.equal(server.peers.size, 1, 'every request on one kept-alive connection');
    });
  });

  test('ab -k: 4000 keep-alive requests from 8 clients, 0 failed, over winsock as over node:net', async () => {
    await onBothServers(async (server) => {
      const { stdout } = await run('ab', ['-k', '-q', '-n', '4000', '-c', '8', `http://127.0.0.1:${server.port}/hello`], {
        timeout: 120_000,
      });
      const field = (name: string): string => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(stdout)?.[1]?.trim() ?? '';
      assert.equal(field('Complete requests'), '4000', stdout);
      assert.equal(field('Failed requests'), '0', stdout);
      assert.equal(field('Non-2xx responses'), '', stdout); // ab prints the line only when there are some
      assert.equal(field('Keep-Alive requests'), '4000', stdout);
      assert.ok(server.peers.size <= 8, `${server.peers.size} connections for 8 keep-alive clients`);
    });
  });

  test("node:http's own timeouts and closeIdleConnections work on connections a winsock Server hands it", async () => {
    const server = Server.listen({ host: '127.0.0.1', noDelay: true });
    const http = createServer({ headersTimeout: 1000, requestTimeout: 2000, connectionsCheckingInterval: 50, keepAliveTimeout: 200 }, handler(new Set()));
    const serving = emitConnections(server, http);
    const port = server.address().port;
    const readAll = async (client: Socket): Promise<string> => {
      let text = '';
      const next = (): Promise<Buffer | null> => client.read(64 * 1024, { timeout: 10_000 });
      for (let chunk = await next(); chunk !== null; chunk = await next()) text += String(chunk);
      return text;
    };
    const clients: Socket[] = [];
    try {
      // Headers that never end: node:http answers 408 after headersTimeout and closes.
      const slow = await Socket.connect('127.0.0.1', port);
      clients.push(slow);
      await slow.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
      assert.match(await readAll(slow), /^HTTP\/1\.1 408 /);

      // A kept-alive connection, idle after its response: closeIdleConnections() ends it.
      const idle = await Socket.connect('127.0.0.1', port);
      clients.push(idle);
      await idle.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(String(await idle.read()), /^HTTP\/1\.1 200 OK[\s\S]*hello world$/);
      assert.equal(server.connections, 1);
      http.closeIdleConnections();
      assert.equal(await idle.read(), null);

      // keepAliveTimeout: node:http's socket.setTimeout on the SocketStream ends an idle kept-alive connection.
      const kept = await Socket.connect('127.0.0.1', port);
      clients.push(kept);
      await kept.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(String(await kept.read()), /hello world$/);
      const started = Date.now();
      assert.equal(await kept.read(16, { timeout: 10_000 }), null);
      assert.ok(Date.now() - started >= 150, 'not before keepAliveTimeout');
    } finally {
      for (const client of clients) client.close();
      const closing = server.close();
      http.closeAllConnections();
      await closing;
      await serving;
    }
  });
});
