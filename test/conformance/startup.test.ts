import assert from 'node:assert/strict';

import * as ws from '../../src/index.js';
import { describe, test } from '../harness.js';
import { assertArgumentError, assertWinsockError } from '../support.js';

describe('startup and cleanup (WSAStartup / WSACleanup)', () => {
  test('every call fails with WSANOTINITIALISED before startup()', () => {
    assertWinsockError(() => ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'WSANOTINITIALISED', 'socket');
    assertWinsockError(() => ws.getaddrinfo('127.0.0.1', '80'), 'WSANOTINITIALISED', 'getaddrinfo');
    assertWinsockError(() => ws.cleanup(), 'WSANOTINITIALISED', 'WSACleanup');
    assert.equal(ws.getLastError(), 10093);
  });

  test('startup() reports version 2.2 from WSADATA and is reference-counted', () => {
    const data = ws.startup();
    assert.equal(data.version, '2.2');
    assert.equal(data.highVersion, '2.2');
    assert.equal(typeof data.description, 'string');
    assert.ok(data.description.length > 0);
    assert.equal(typeof data.systemStatus, 'string');
    ws.startup('2.2');
    ws.cleanup();
    ws.closesocket(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)); // still started: one startup() is left
    ws.cleanup();
    assertWinsockError(() => ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'WSANOTINITIALISED');
  });

  test('startup() negotiates versions as WSAStartup does', () => {
    assert.equal(ws.startup('1.1').version, '1.1');
    ws.cleanup();
    assert.equal(ws.startup(0x0202).version, '2.2');
    ws.cleanup();
    assert.equal(ws.startup('3.0').version, '2.2'); // above 2.2: the highest supported
    ws.cleanup();
    assertWinsockError(() => ws.startup('0.9'), 'WSAVERNOTSUPPORTED', 'WSAStartup');
    assertWinsockError(() => ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'WSANOTINITIALISED');
  });

  test('startup() rejects malformed versions with TypeError/RangeError', () => {
    assertArgumentError(() => ws.startup('two'), TypeError);
    assertArgumentError(() => ws.startup(-1), RangeError);
    assertArgumentError(() => ws.startup(0x10000), RangeError);
    assertArgumentError(() => ws.startup(1.5), RangeError);
    assertArgumentError(() => ws.startup('2.300'), RangeError);
  });

  test('the last cleanup() closes the sockets still open, as Winsock does', () => {
    ws.startup();
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    ws.cleanup();
    assertWinsockError(() => ws.getsockname(s), 'WSANOTINITIALISED', 'getsockname');
    ws.startup();
    assertWinsockError(() => ws.closesocket(s), 'WSAENOTSOCK', 'closesocket');
    ws.cleanup();
  });

  test('Winsock names are exported as aliases', () => {
    assert.equal(ws.WSAStartup, ws.startup);
    assert.equal(ws.WSACleanup, ws.cleanup);
    assert.equal(ws.WSAGetLastError, ws.getLastError);
  });
});
