// Fairness between the event loop and async calls that complete at once. An async call tries its syscall first
// (src/promises.ts), and on a busy socket that try keeps succeeding: `for (;;) await recv(s)` then runs as one
// endless chain of promise jobs, and timers, other sockets and every other callback never get a turn (a 1 ms timer
// never fired while two sockets of one process streamed to each other; test/conformance/faults.test.ts). So the
// immediate path has a budget. Past it, a call still makes its try at once, but what it got (bytes, a count, an
// error) is delivered on the loop's next turn, in the check phase after timers and the poll phase: the calling chain
// waits for that turn, and the kernel is asked only once.
//
// Until 2026-11-30 a call past the budget made no try: it queued a wait and tried on the next turn. That cost a
// wait object, a promise and a first try in code V8 had never optimised (it runs once in 256 calls): some 30,000
// instructions a turn, 236 per round trip of the ping-pong client whose answers are always there (callgrind: 4,262
// against 4,026 with no budget at all). Delivering at the next turn costs one closure per call and one
// setImmediate per budget.
//
// The budget was refilled by a setImmediate per turn of the loop, which cost every waited-for round trip an
// Immediate and an unref() (a call into Node's C++): a quarter of the client's instructions in the ping-pong
// benchmark. Now a readiness event refills it (src/readiness.ts), and the check phase that delivers the deferred.

/** Immediate completions allowed between two turns of the loop: about a millisecond of back-to-back calls. */
const BUDGET = 256;

let used = 0;

// What waits for the loop's next turn, in the order it came: what a call got past the budget, and (thread poller)
// readiness deliveries. Nothing is delivered at once while any of it waits, neither a call that completes at once
// (takeFastPath) nor one that waited (settleInOrder), so results keep their calls' order.
let deferred: (() => void)[] = [];

/**
 * True when a call that has just completed may deliver its result at once; false when it must wait for the loop's
 * next turn ({@link afterLoopTurn}). Each true takes one from the budget.
 */
export function takeFastPath(): boolean {
  return ++used <= BUDGET && deferred.length === 0;
}

/**
 * Called at each uv_poll readiness event: the budget is full again, and what waits for the loop's turn is delivered
 * first, in order. Every event of one poll phase refills it (a poll phase's events are bounded by the sockets
 * watched). Were what waits left for the check phase, one overflow in a poll phase would hold every later
 * completion of that phase back with it (takeFastPath): the scale server at 1,000 connections, whose every event
 * finds the next message there, made a closure and a promise for most of its messages.
 */
export function refillAtReadiness(): void {
  if (deferred.length === 0) used = 0;
  else deliverDeferred();
}

/**
 * Settles a call that waited (src/readiness.ts): `settle(value)` at once, unless what earlier calls got still waits
 * for the loop's next turn; then after that, in order. A readiness event in the poll phase, or a close, an abort or a
 * timeout, comes before the check phase that delivers the deferred: settled at once, a call made after a deferred
 * one got its bytes (or its WSAEINTR) first.
 */
export function settleInOrder<T>(settle: (value: T) => void, value: T): void {
  if (deferred.length === 0) settle(value);
  else deferToLoopTurn(() => settle(value));
}

/** A promise of `value`, resolved once the event loop has come round (a call that completed past the budget). */
export function afterLoopTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => deferToLoopTurn(() => resolve(value)));
}

/** A promise rejected with `error` once the event loop has come round (a call whose try failed past the budget). */
function failAfterLoopTurn(error: unknown): Promise<never> {
  return new Promise((_resolve, reject) => deferToLoopTurn(() => reject(error)));
}

/** A promise of `value`, what a call got at once: resolved now if the budget allows, else once the loop has come round. */
export function resolveWithinBudget<T>(value: T): Promise<T> {
  return takeFastPath() ? Promise.resolve(value) : afterLoopTurn(value);
}

/**
 * `value`, what a call got at once, itself if the budget allows (for the *NowOrLater callers, which settle a promise
 * of their own from it), else a promise of it once the loop has come round.
 */
export function valueWithinBudget<T>(value: T): T | Promise<T> {
  return takeFastPath() ? value : afterLoopTurn(value);
}

/**
 * Throws `error`, what a call's try failed with, if the budget allows (a *NowOrLater call fails at once by
 * throwing), else returns a promise rejected with it once the loop has come round.
 */
export function throwWithinBudget(error: unknown): Promise<never> {
  if (takeFastPath()) throw error;
  return failAfterLoopTurn(error);
}

/**
 * A promise rejected with `error`, what a call's try failed with: at once if the budget allows, else once the event
 * loop has come round (a loop of calls that fail at once, such as sends on a listening socket, must yield too).
 */
export function failWithinBudget(error: unknown): Promise<never> {
  return takeFastPath() ? Promise.reject(error) : failAfterLoopTurn(error);
}

// The thread poller (native/thread_poller.h) proves no turn of the loop: it reports through a
// napi_threadsafe_function, whose queue Node empties in one go (up to 1000 calls in one turn of the loop), and a
// socket that is always ready is reported again while that goes on. Two sockets streaming to each other then ran
// through one turn, the timers starving as before. So under the thread poller a readiness event takes from the
// budget like an immediate completion, and past the budget waits for the check phase, which refills it: timers run
// at the next turn.

/** Runs `deliver` now if the budget allows, else after the event loop has come round. */
export function deliverWithinBudget(deliver: () => void): void {
  if (takeFastPath()) deliver();
  else deferToLoopTurn(deliver);
}

/** Queues `deliver` for the check phase of the loop's next turn: one setImmediate for all that waits. */
function deferToLoopTurn(deliver: () => void): void {
  if (deferred.push(deliver) === 1) setImmediate(deliverDeferred);
}

function deliverDeferred(): void {
  used = 0;
  // Swapped out first: what these deliveries set off and must itself wait goes to the next turn, not this one.
  const due = deferred;
  deferred = [];
  for (let i = 0; i < due.length; i++) due[i]!();
}
