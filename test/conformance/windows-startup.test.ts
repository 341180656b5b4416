// Ported from Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c and protocol.c), checks that pass on Windows: startup
// and cleanup. Each test names the Wine function its checks come from; docs/windows-conformance.md lists them.
import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { describe, test } from '../harness.js';
import { assertWinsockError } from '../support.js';

describe('Windows conformance (Wine ws2_32 tests): startup', () => {
  test('sock.c test_WithoutWSAStartup: socket and name lookup fail with WSANOTINITIALISED before startup', () => {
    assertWinsockError(() => ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'WSANOTINITIALISED', 'socket');
    assertWinsockError(() => ws.getaddrinfo('localhost', null), 'WSANOTINITIALISED', 'getaddrinfo');
    assert.equal(ws.getLastError(), 10093);
  });

  test('sock.c test_WithWSAStartup: the last cleanup closes every open socket, sends then fail with WSAENOTSOCK', () => {
    ws.startup('2.2');
    const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    ws.bind(listener, '127.0.0.1', 0);
    ws.listen(listener);
    const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    ws.connect(client, '127.0.0.1', ws.getsockname(listener).port);
    const server = ws.accept(listener).socket;
    assert.equal(ws.send(client, 'TEST'), 4);
    ws.cleanup();
    ws.startup('2.2');
    try {
      assertWinsockError(() => ws.send(client, 'TEST'), 'WSAENOTSOCK', 'send');
      assertWinsockError(() => ws.send(server, 'TEST'), 'WSAENOTSOCK', 'send');
      assertWinsockError(() => ws.closesocket(listener), 'WSAENOTSOCK', 'closesocket');
    } finally {
      ws.cleanup();
    }
  });

  test('protocol.c test_startup: WSAStartup negotiates the version Windows does, and refuses major version 0', () => {
    const table: [number, string][] = [
      [0x0001, '1.0'], [0x0101, '1.1'], [0x0201, '1.1'], [0xff01, '1.1'], [0x0002, '2.0'], [0x0102, '2.1'],
      [0x0202, '2.2'], [0x0302, '2.2'], [0xff02, '2.2'], [0x0003, '2.2'], [0x00ff, '2.2'],
    ];
    for (const [word, expected] of table) {
      const data = ws.startup(word);
      assert.equal(data.version, expected, `version word 0x${word.toString(16)}`);
      assert.equal(data.highVersion, '2.2');
      assert.equal(data.systemStatus, 'Running');
      ws.startup(word); // counted: a second startup needs a second cleanup
      ws.cleanup();
      ws.cleanup();
      assertWinsockError(() => ws.cleanup(), 'WSANOTINITIALISED', 'WSACleanup');
    }
    assertWinsockError(() => ws.startup(0x0000), 'WSAVERNOTSUPPORTED', 'WSAStartup');
    assertWinsockError(() => ws.startup(0x0100), 'WSAVERNOTSUPPORTED', 'WSAStartup');
  });

  test('protocol.c test_startup: WSADATA describes the implementation as "WinSock 2.0"', () => {
    const data = ws.startup();
    try {
      assert.equal(data.description, 'WinSock 2.0');
    } finally {
      ws.cleanup();
    }
  });
});
