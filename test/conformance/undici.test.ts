// undici (the HTTP client behind Node's fetch) connecting through winsock: its `connect` option hands it a winsock
// Socket's Duplex. Against the same node:http server over winsock and over node:net, bodies compared byte for byte.
import assert from 'node:assert/strict';
import type { Socket as NetSocket } from 'node:net';

import { Client, fetch } from 'undici';

import { startup } from '../../src/index.js';
import { Socket } from '../../src/socket.js';
import { onBothServers, patternBytes, sha256 } from '../ecosystem.js';
import { describe, test } from '../harness.js';

/** An undici Client whose connections are winsock Sockets; counts the connections it made. */
function winsockClient(port: number): { client: Client; connections: () => number } {
  let made = 0;
  const client = new Client(`http://127.0.0.1:${port}`, {
    connect(options, callback) {
      made++;
      Socket.connect(options.hostname, Number(options.port), { noDelay: true }).then(
        // undici's types name net.Socket; what it uses of one, the SocketStream has (setNoDelay, ref, unref, ...).
        (socket) => callback(null, socket.toStream() as unknown as NetSocket),
        (error: Error) => callback(error, null),
      );
    },
  });
  return { client, connections: () => made };
}

describe('undici over winsock', () => {
  startup();

  test('undici Client with a winsock connect: downloads and an upload byte for byte, one kept-alive connection', async () => {
    await onBothServers(async (server) => {
      const { client, connections } = winsockClient(server.port);
      try {
        for (const size of [0, 1, 100_000, 3_000_000]) {
          const { statusCode, body } = await client.request({ method: 'GET', path: `/bytes/${size}` });
          assert.equal(statusCode, 200);
          const bytes = Buffer.from(await body.arrayBuffer());
          assert.ok(bytes.equals(patternBytes(size)), `GET /bytes/${size} differs`);
        }
        const upload = patternBytes(5 * 1024 * 1024 + 3, 5);
        const { statusCode, body } = await client.request({ method: 'POST', path: '/upload', body: upload });
        assert.equal(statusCode, 200);
        assert.deepEqual(await body.json(), { length: upload.length, sha256: sha256(upload) });
        assert.equal(connections(), 1, 'every request on one kept-alive connection');
        assert.equal(server.peers.size, 1);
      } finally {
        await client.close();
      }
    });
  });

  test("undici's fetch through a winsock dispatcher", async () => {
    await onBothServers(async (server) => {
      const { client } = winsockClient(server.port);
      try {
        const response = await fetch(`http://127.0.0.1:${server.port}/bytes/250000`, { dispatcher: client });
        assert.equal(response.status, 200);
        assert.ok(Buffer.from(await response.arrayBuffer()).equals(patternBytes(250_000)));
        const text = await (await fetch(`http://127.0.0.1:${server.port}/hello`, { dispatcher: client })).text();
        assert.equal(text, 'hello world');
      } finally {
        await client.close();
      }
    });
  });
});
