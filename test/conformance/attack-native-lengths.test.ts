// Attacks on what native/ takes from JavaScript and the kernel beyond the read and write paths: socket options that
// change what the kernel reports to poll. Linux's IP_RECVERR (and IPV6_RECVERR, SO_TIMESTAMPING) fill the socket's
// error queue, which Winsock's API cannot read (MSG_ERRQUEUE is refused) and which keeps poll reporting POLLERR: a
// receive waiting on such a socket was woken at once, for ever (no call may spin: docs/reliability.md).
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

import * as sync from '../../src/index.js';
import * as ws from '../../src/promises.js';
import { afterEach, describe, test } from '../harness.js';
import { SocketScope, assertWinsockError } from '../support.js';

/** Linux's option numbers (on Winsock and the BSDs, IPPROTO_IP 11 is IP_MULTICAST_LOOP). */
const IP_RECVERR = 11;
const IPV6_RECVERR = 25;
const SO_TIMESTAMPING = 37;
const SO_TIMESTAMPING_NEW = 65;
/** Event-loop utilisation a wait may use: no-spin.test.ts's bound, with room for a loaded machine. */
const MAX_UTILISATION = 0.2;

describe("attack: options that fill Linux's error queue", () => {
  ws.startup();
  const scope = new SocketScope();
  afterEach(() => scope.closeAll());

  test("Linux's error-queue options are refused with WSAENOPROTOOPT, and a wait after an ICMP error does not spin", async () => {
    const s = scope.track(sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    sync.bind(s, '127.0.0.1', 0);
    const s6 = scope.track(sync.socket(sync.AF_INET6, sync.SOCK_DGRAM, sync.IPPROTO_UDP));
    assertWinsockError(() => sync.setsockopt(s, sync.IPPROTO_IP, IP_RECVERR, 1), 'WSAENOPROTOOPT', 'setsockopt');
    assertWinsockError(() => sync.setsockopt(s6, sync.IPPROTO_IPV6, IPV6_RECVERR, 1), 'WSAENOPROTOOPT', 'setsockopt');
    for (const name of [SO_TIMESTAMPING, SO_TIMESTAMPING_NEW]) {
      assertWinsockError(() => sync.setsockopt(s, sync.SOL_SOCKET, name, 2 /* TX_SOFTWARE */), 'WSAENOPROTOOPT');
    }
    // What the refused option would have led to: a datagram to a closed port, its ICMP error, then a wait.
    const gone = sync.socket(sync.AF_INET, sync.SOCK_DGRAM, sync.IPPROTO_UDP);
    sync.bind(gone, '127.0.0.1', 0);
    const deadPort = sync.getsockname(gone).port;
    sync.closesocket(gone);
    await ws.sendto(s, 'x', '127.0.0.1', deadPort);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.eventLoopUtilization();
    const outcome = await ws.recvfrom(s, 64, { timeout: 500 }).then(
      () => 'data',
      (error: { code?: string }) => error.code,
    );
    const { utilization } = performance.eventLoopUtilization(start);
    assert.equal(outcome, 'WSAETIMEDOUT');
    assert.ok(utilization <= MAX_UTILISATION, `event-loop utilisation ${utilization.toFixed(3)} while the recvfrom waited`);
  });
});
