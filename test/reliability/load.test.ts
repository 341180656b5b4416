// The short form of `npm run load`: 200 concurrent clients with payloads of 1 B to 1 MiB through the high-level
// Server, a tenth of them resetting part-way; every other byte is hash-verified and the server keeps accepting.
import assert from 'node:assert/strict';

import { startup } from '../../src/index.js';
import { describe, test } from '../harness.js';
import { describeLoad, runLoad } from './load.js';

describe('load with resets', () => {
  startup();

  test('200 clients, 1 B to 1 MiB each, a tenth resetting mid-transfer: every echo verified, server still accepting', async () => {
    const report = await runLoad({ clients: 200, maxPayload: 1 << 20, resetShare: 0.1, seed: 7 });
    console.log(`load ${describeLoad(report)}`);
    assert.deepEqual(report.failures, []);
    assert.equal(report.verified + report.resets, 200);
    assert.ok(report.resets > 0, 'no client reset');
    assert.equal(report.accepted, 201);
    assert.equal(report.acceptingAfterwards, true);
  });
});
