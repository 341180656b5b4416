// Many clients at once through the high-level Server: every byte echoed back, verified by hash.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import { startup } from '../../src/index.js';
import { Server, Socket } from '../../src/socket.js';
import { describe, test } from '../harness.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function echoForever(server: Server): Promise<void> {
  const serving: Promise<void>[] = [];
  for await (const connection of server) {
    serving.push((async () => {
      for await (const chunk of connection) await connection.write(chunk);
      await connection.end();
      connection.close();
    })());
  }
  await Promise.all(serving);
}

describe('load', () => {
  startup();

  test('200 concurrent clients each echo 1 MiB of random data, hash-verified', async () => {
    const server = Server.listen({ host: '127.0.0.1', backlog: 512 });
    const serving = echoForever(server);
    const started = performance.now();
    try {
      const results = await Promise.all(Array.from({ length: 200 }, async () => {
        const payload = randomBytes(1 << 20);
        const client = await Socket.connect('127.0.0.1', server.address().port);
        try {
          const received: Buffer[] = [];
          const reading = (async () => {
            for await (const chunk of client) received.push(chunk);
          })();
          await client.end(payload);
          await reading;
          return sha256(Buffer.concat(received)) === sha256(payload);
        } finally {
          client.close();
        }
      }));
      assert.equal(results.filter(Boolean).length, 200);
    } finally {
      server.close();
      await serving;
    }
    const seconds = (performance.now() - started) / 1000;
    // Reported, not asserted: throughput depends on the machine.
    console.log(`load: 200 x 1 MiB echoed in ${seconds.toFixed(2)} s (${((400 / seconds) | 0)} MiB/s both ways)`);
  });
});
