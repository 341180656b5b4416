// Fixtures for the suite ported from Wine's ws2_32 tests (test/conformance/windows-*.test.ts): plain functions over
// the public API, no runner APIs.
import * as ws from '../src/index.js';

/** A loopback port nobody listens on: bound by a socket that is then closed, so a connect there is refused. */
export function refusedPort(): number {
  const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  try {
    ws.bind(s, '127.0.0.1', 0);
    return ws.getsockname(s).port;
  } finally {
    ws.closesocket(s);
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The Winsock error number `call` throws, or 0 when it does not throw (for tables of expected errors). */
export function errnoOf(call: () => unknown): number {
  try {
    call();
    return 0;
  } catch (error) {
    if (error instanceof ws.WinsockError) return error.errno;
    throw error;
  }
}
