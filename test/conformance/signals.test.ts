// A write to a reset peer must fail with WSAECONNRESET and raise no SIGPIPE, even in a process that does not ignore
// SIGPIPE: Node ignores it by default, so the child installs a handler, which makes the signal observable.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { describe, test } from '../harness.js';
import { distIndexPath, evalModuleArgs } from '../support.js';

const child = `
  let signalled = false;
  process.on('SIGPIPE', () => { signalled = true; });
  const ws = await import(${JSON.stringify(pathToFileURL(distIndexPath).href)});
  ws.startup();
  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.bind(listener, '127.0.0.1', 0);
  ws.listen(listener);
  const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.connect(client, '127.0.0.1', ws.getsockname(listener).port);
  const server = ws.accept(listener).socket;
  ws.send(client, 'unread');
  await new Promise((resolve) => setTimeout(resolve, 50));
  ws.closesocket(server); // unread data: the peer is reset
  await new Promise((resolve) => setTimeout(resolve, 50));
  const codes = [];
  for (let i = 0; i < 5; i++) {
    try { ws.send(client, 'more'); codes.push('sent'); } catch (error) { codes.push(error.code); }
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  console.log(JSON.stringify({ codes, signalled }));
`;

describe('signals', () => {
  test('send to a reset peer raises no SIGPIPE, even with a SIGPIPE handler installed', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, evalModuleArgs(child));
    const { codes, signalled } = JSON.parse(stdout) as { codes: string[]; signalled: boolean };
    assert.equal(signalled, false);
    assert.ok(codes.includes('WSAECONNRESET'), codes.join());
    assert.ok(codes.every((code) => code === 'sent' || code === 'WSAECONNRESET'), codes.join());
  });
});
