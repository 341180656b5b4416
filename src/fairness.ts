// Fairness between the event loop and async calls that complete at once. An async call tries its syscall first
// (src/promises.ts), and on a busy socket that try keeps succeeding: `for (;;) await recv(s)` then runs as one
// endless chain of promise jobs, and timers, other sockets and every other callback never get a turn (a 1 ms timer
// never fired while two sockets of one process streamed to each other; test/conformance/faults.test.ts). So the
// immediate path has a budget per turn of the event loop. Past it, calls wait for readiness like any other call,
// which the poll reports on the next turn; a setImmediate refills the budget once the loop has come round.

/** Immediate completions allowed per turn of the event loop: about a millisecond of back-to-back calls. */
const BUDGET_PER_TURN = 256;

let used = 0;
const refill = (): void => {
  used = 0;
};

/** True when a call may try its syscall at once; false when it must wait for readiness to yield to the loop. */
export function takeFastPath(): boolean {
  if (used === 0) setImmediate(refill).unref(); // unref: never keeps the process alive on its own
  return ++used <= BUDGET_PER_TURN;
}
