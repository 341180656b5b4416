// Fairness between the event loop and async calls that complete at once. An async call tries its syscall first
// (src/promises.ts), and on a busy socket that try keeps succeeding: `for (;;) await recv(s)` then runs as one
// endless chain of promise jobs, and timers, other sockets and every other callback never get a turn (a 1 ms timer
// never fired while two sockets of one process streamed to each other; test/conformance/faults.test.ts). So the
// immediate path has a budget. Past it, a call makes its first try on the loop's next turn (a setImmediate, after
// timers and the poll phase), never on readiness: a call that fails at once, such as a send on a listening socket,
// would wait forever for a readiness that never comes (the "hang after about 256 sends" of issue 14). The readiness
// callback and that first try (src/readiness.ts) refill the budget, since the loop has come round when they run.
//
// It was refilled by a setImmediate per turn of the loop, which cost every waited-for round trip an Immediate and
// an unref() (a call into Node's C++): a quarter of the client's instructions in the ping-pong benchmark.

/** Immediate completions allowed between two readiness events: about a millisecond of back-to-back calls. */
const BUDGET = 256;

let used = 0;

/** True when a call may try its syscall at once; false when it must wait for readiness to yield to the loop. */
export function takeFastPath(): boolean {
  return ++used <= BUDGET;
}

/** Called once the event loop has come round (a readiness event): the budget is full again. */
export function refillFastPath(): void {
  used = 0;
}

// The thread poller (native/thread_poller.h) proves no such thing: it reports through a napi_threadsafe_function,
// whose queue Node empties in one go (up to 1000 calls in one turn of the loop), and a socket that is always ready
// is reported again while that goes on. Two sockets streaming to each other then ran through one turn, the timers
// starving as before. So under the thread poller a readiness event takes from the budget like an immediate
// completion, and past the budget waits for the check phase (one setImmediate per budget, not per event), which
// refills it: timers run at the next turn.
const deferred: (() => void)[] = [];
let refillScheduled = false;

/** Runs `deliver` now if the budget allows, else after the event loop has come round. */
export function deliverWithinBudget(deliver: () => void): void {
  if (takeFastPath() && deferred.length === 0) {
    deliver();
    return;
  }
  deferred.push(deliver);
  if (refillScheduled) return;
  refillScheduled = true;
  setImmediate(() => {
    refillScheduled = false;
    refillFastPath();
    for (const next of deferred.splice(0)) next();
  });
}
