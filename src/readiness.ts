// Waiting for a socket without blocking: the queue of calls waiting to read and to write on each socket, fed by
// the addon's uv_poll readiness callback. A call is an `attempt` that returns null while Winsock says
// WSAEWOULDBLOCK; it is retried, in arrival order, each time the socket becomes ready, so a spurious wakeup only
// costs one more attempt. Abort and timeout take a call out of its queue.
//
// Who watches: an addon try* that finds WSAEWOULDBLOCK (or a send buffer full part-way) starts watching the socket
// itself, and the addon delivers each readiness event once (native/async_calls.cc), so a wait costs no native call
// of its own. The rule that keeps this right: a queue that is not empty has its direction watched, because its
// first call either found WSAEWOULDBLOCK at its last attempt or was watched for explicitly when it queued (select
// and WSAPoll, whose attempts do not watch). A call first in line always tries before it waits: past the fairness
// budget too, which delays only the delivery of what it got (src/fairness.ts).
// Only a call leaving early (abort, timeout) as the last one waiting tells the addon to stop watching.
//
// Armed reads: a read with no signal and no timeout that found WSAEWOULDBLOCK at its first try left its buffer with
// the addon (native.ts, tryRecv's `arm`), which reads into it at the readiness event and passes the outcome along;
// the call is settled here without a retry (settleArmedRead). Such a call cannot leave its queue early, so it is
// still first in line when the event comes.
import { abortError, isAbortSignal, isAborted, listenForAbort } from './abort.js';
import { WSAETIMEDOUT } from './constants.js';
import { WinsockError } from './errors.js';
import { deliverWithinBudget, failWithinBudget, refillAtReadiness, resolveWithinBudget, settleInOrder } from './fairness.js';
import { native, type SOCKET, type SocketId } from './native.js';

/** uv_poll's readiness bits (UV_READABLE, UV_WRITABLE, UV_PRIORITIZED), the same on every OS. */
export const READABLE = 1;
export const WRITABLE = 2;
export const PRIORITIZED = 4;

/**
 * Whether a wait for out-of-band data or an error condition alone can wait on the event loop (uv_poll on POSIX, where
 * libuv maps UV_PRIORITIZED to POLLPRI). Where it cannot (Windows, and the thread poller, which watches readable and
 * writable only), such waits poll at a bounded rate (src/promises.ts).
 */
export const canWatchPrioritized: boolean =
  native.readinessBackend() === 'uv_poll' && (native.watchableEvents & PRIORITIZED) !== 0;

/**
 * Whether a recvInto that must wait may be armed (native.ts, tryRecv): under uv_poll, whose readiness event is
 * delivered at once. The thread poller may defer a delivery to a later turn (src/fairness.ts); its calls retry
 * from JavaScript as before.
 */
export const armsReads: boolean = native.readinessBackend() === 'uv_poll';

/**
 * Whether a read with these options may be armed: under uv_poll ({@link armsReads}), and only a call that cannot
 * leave its queue early (no signal, no timeout), so that it is still first in line at the readiness event.
 */
export function mayArm(options: CheckedOptions): boolean {
  return armsReads && options.signal === undefined && options.timeout === undefined;
}

/**
 * How long a wait that does not try the socket itself (select, WSAPoll) lets pass before it watches again after a
 * wakeup that found nothing to report. Readiness is level-triggered: a socket readable with ordinary data wakes
 * such a wait again at once, forever, if what it asks for is something readiness does not tell apart (POLLWRBAND,
 * POLLRDBAND). This bounds the rate of those wakeups instead of spinning the event loop.
 */
export const REWATCH_DELAY_MS = 10;

/** Options every async call takes. */
export interface AsyncOptions {
  /** Aborts the call: it rejects with a DOMException named `AbortError` whose `cause` is the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Milliseconds to wait before the call rejects with a WinsockError WSAETIMEDOUT (10060). */
  timeout?: number | undefined;
}

/** Options of `send`/`recv`: MSG_* flags, and the options every async call takes. */
export interface TransferOptions extends AsyncOptions {
  /** MSG_* flags, 0 by default. */
  flags?: number | undefined;
}

/** Where the call is going, for the errors it raises. */
export interface CallSite {
  syscall: string;
  address?: string | undefined;
  port?: number | undefined;
  /** Adds what the call had done to any error it fails with (send's `bytesWritten`); `a` is the call's first argument. */
  annotate?: ((error: unknown, a: unknown) => void) | undefined;
  /**
   * Maps the value a waiting call resolves with (Socket.read: the empty chunk of the end of the stream is null), so
   * that its caller can hand the promise on as it is, with no `.then` of its own: one promise and one promise job
   * less per wait, and, for a Buffer, one less of V8's generic lookups of `then` on it.
   */
  fulfilled?: ((value: unknown) => unknown) | undefined;
}

/**
 * One waiting call and how to settle it: `call(id, a, b)` until it returns a value. A call with no signal and no
 * timeout leaves nothing that refers to its Waiter once it is settled, so the socket keeps the object for its next
 * wait (SocketState.spare) instead of making one per wait.
 */
class Waiter {
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  stopListening: (() => void) | undefined = undefined;
  /** A watch put off after a wakeup that found nothing ({@link REWATCH_DELAY_MS}). */
  rewatch: ReturnType<typeof setTimeout> | undefined = undefined;
  /** False once a listener, timer or rewatch may still refer to this object after it is settled. */
  reusable = true;

  constructor(
    public call: TryCall<unknown, unknown, unknown>,
    public a: unknown,
    public b: unknown,
    /** True for an addon try*, which watches the socket itself when it finds WSAEWOULDBLOCK. */
    public watchesItself: boolean,
    public resolve: (value: unknown) => void,
    public reject: (error: unknown) => void,
    public site: CallSite,
  ) {}

  /** One try; true when the call is finished (resolved, or rejected by the error the attempt threw). */
  tryNow(id: number): boolean {
    let value: unknown;
    try {
      value = this.call(id, this.a, this.b);
    } catch (error) {
      this.fail(error);
      return true;
    }
    if (value === null) return false;
    this.succeed(value);
    return true;
  }

  /** Resolves the call with `value`, as its site maps it. */
  succeed(value: unknown): void {
    const { fulfilled } = this.site;
    // Settled first: whatever the cleanup meets, the data taken is delivered. In order: after what calls made
    // before it got past the budget (src/fairness.ts).
    settleInOrder(this.resolve, fulfilled === undefined ? value : fulfilled(value));
    this.stopTimers();
  }

  fail(error: unknown): void {
    this.site.annotate?.(error, this.a);
    settleInOrder(this.reject, error);
    this.stopTimers();
  }

  failWith(errno: number): void {
    const { syscall, address, port } = this.site;
    this.fail(new WinsockError(errno, syscall, address, port));
  }

  /** Drops the abort listener and the timers, if the call had them; cannot throw (src/abort.ts). */
  stopTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.rewatch !== undefined) clearTimeout(this.rewatch);
    this.stopListening?.();
  }

  /** Lets go of what the finished call held (its arguments, its promise's settlers), ready for the next wait. */
  release(): void {
    this.a = undefined;
    this.b = undefined;
    this.resolve = ignore;
    this.reject = ignore;
  }
}

function ignore(): void {}

/** The argument only {@link stateOf} passes to the SocketState constructor: no other code can make one. */
const making = Symbol('winsock.state.making');

/**
 * An empty queue with room for one call: V8 gives `[]` 17 slots at its first push (152 bytes), where a socket's reads
 * mostly wait one at a time, and a server's idle connection keeps its one waiting read for as long as it is idle.
 */
function roomForOne(): Waiter[] {
  const queue: Waiter[] = [undefined as unknown as Waiter];
  queue.pop(); // the slot stays: V8 keeps an array's capacity when it shrinks by pop
  return queue;
}

/** What this module knows of one SOCKET: its id in the addon's registry, and the calls waiting on it. */
export class SocketState {
  /** The brand of the states this module made (see {@link SocketState.isOne}). */
  readonly #made = true;
  readonly readers: Waiter[] = roomForOne();
  readonly writers: Waiter[] = [];
  /** A settled Waiter kept for the next wait on this socket (see Waiter). */
  spare: Waiter | undefined = undefined;
  /** False after unref(): neither the socket's poll nor a call's timeout timer keeps the process alive. */
  keepsLoopAlive = true;
  /**
   * The Buffer an armed recv(s, length) waits to read into (src/stream-calls.ts): its first reader's, settled with
   * the bytes the addon read into it. Undefined for an armed recvInto, whose count is its result.
   */
  armedChunk: Buffer | undefined = undefined;
  /** select's exceptfds and WSAPoll's POLLPRI: a queue of its own, so no recv waits behind them. */
  readonly prioritized: Waiter[] = [];
  /** The addon's id of the socket, by which the try* calls name it (see native/addon.h, Track). */
  constructor(token: symbol, readonly id: number) {
    // `state.constructor` is reachable from any SOCKET's state: a state made with any id would name any socket.
    if (token !== making) throw Object.assign(new TypeError('Illegal constructor'), { code: 'ERR_ILLEGAL_CONSTRUCTOR' });
  }

  /** Whether `value` is a state this module made: a private brand, which no other object has, whatever it holds. */
  static isOne(value: object): value is SocketState {
    return #made in value;
  }
}

// The state lives on the SOCKET object itself, under a symbol no other module has: a property load V8 caches, where
// a WeakMap lookup costs a hash probe on every call and every readiness event. The property is not enumerable; a
// SOCKET someone froze or sealed cannot take it and keeps its state in a WeakMap instead.
const stateKey = Symbol('winsock.state');
const frozenStates = new WeakMap<SOCKET, SocketState>();

function findState(s: SOCKET): SocketState | undefined {
  const found: unknown = (s as unknown as Record<symbol, unknown>)[stateKey] ?? frozenStates.get(s);
  // Only a state this module made: the key is no secret (Object.getOwnPropertySymbols), and an object carrying a
  // look-alike with another id named any socket of the process, a send on a connection it was never given
  // (test/conformance/socket-ids.test.ts).
  return typeof found === 'object' && found !== null && SocketState.isOne(found) ? found : undefined;
}

/**
 * The state of `s`, made at its first async use; a TypeError when `s` is not a SOCKET. A closed SOCKET has one
 * too: its calls then fail in the addon with WSAENOTSOCK.
 */
export function stateOf(s: SOCKET): SocketState {
  const found = typeof s === 'object' && s !== null ? findState(s) : undefined;
  if (found !== undefined) return found;
  const made = new SocketState(making, native.socketId(s));
  if (Object.isExtensible(s)) Object.defineProperty(s, stateKey, { value: made });
  else frozenStates.set(s, made);
  return made;
}

/** True while a call waits to read from `s` (Socket.idle). */
export function hasWaitingReads(s: SOCKET): boolean {
  const state = findState(s);
  return state !== undefined && state.readers.length > 0;
}

/**
 * Resolves the calls of `site` waiting to read from `s` with `value`, right before `s` is closed (a Server's
 * closeIdleConnections(): to Socket.read's callers the connection ended, rather than failed with WSAEINTR). Other
 * calls on the same SOCKET wait on, and fail with WSAEINTR at the close.
 */
export function endWaitingReads(s: SOCKET, site: CallSite, value: unknown): void {
  const state = findState(s);
  if (state === undefined) return;
  const ending = state.readers.filter((waiter) => waiter.site === site);
  if (ending.length === 0) return;
  state.readers.splice(0, state.readers.length, ...state.readers.filter((waiter) => waiter.site !== site));
  for (const waiter of ending) {
    settleInOrder(waiter.resolve, value);
    waiter.stopTimers();
  }
}

/**
 * node:net's ref()/unref() for a SOCKET: whether a call waiting on it (and its timeout) keeps the process alive.
 * The addon unrefs the socket's uv_poll handle; the timers of calls already waiting follow at once.
 */
export function setKeepsLoopAlive(s: SOCKET, keeps: boolean): void {
  const state = stateOf(s);
  state.keepsLoopAlive = keeps;
  native.setKeepsLoopAlive(state.id, keeps);
  for (const waiter of [...state.readers, ...state.writers]) {
    if (keeps) waiter.timer?.ref();
    else waiter.timer?.unref();
  }
}

/** The calls waiting on `state` in `direction` (one of READABLE, WRITABLE, PRIORITIZED). */
function queueOf(state: SocketState, direction: number): Waiter[] {
  return direction === READABLE ? state.readers : direction === WRITABLE ? state.writers : state.prioritized;
}

/** Retries the calls of `queue` in order until one must wait on (and so is watched for again). */
function drain(state: SocketState, queue: Waiter[], direction: number): void {
  while (queue.length > 0) {
    const waiter = queue[0]!;
    let finished: boolean;
    try {
      finished = waiter.tryNow(state.id);
    } catch (error) {
      // Nothing in tryNow should throw; if something does, it fails this call only, not the callers behind it
      // (nor the process: this runs in the readiness callback).
      settleInOrder(waiter.reject, error);
      finished = true;
    }
    if (!finished) {
      // Woken for nothing it reports: watch again only after a pause, or level-triggered readiness spins the loop.
      if (!waiter.watchesItself) {
        waiter.reusable = false; // the timer below refers to it
        if (waiter.rewatch !== undefined) clearTimeout(waiter.rewatch);
        waiter.rewatch = setTimeout(() => {
          waiter.rewatch = undefined;
          if (queue[0] === waiter) watchOrFailAll(state, queue, direction);
        }, REWATCH_DELAY_MS);
      }
      return;
    }
    queue.shift();
    if (waiter.reusable) {
      waiter.release();
      state.spare = waiter;
    }
  }
}

/** Watches the socket for the calls of `queue`; if it cannot be watched, they fail with the reason. */
function watchOrFailAll(state: SocketState, queue: Waiter[], direction: number): void {
  try {
    native.watch(state.id, direction);
  } catch (error) {
    for (const waiter of queue.splice(0)) waiter.fail(error);
  }
}

/**
 * Settles the armed recvInto first in `state.readers` with what the addon read for it at this readiness event (see
 * ReadinessCallback), then tries the calls behind it. An armed call has no signal and no timeout, so nothing takes
 * it out of the queue before this, and it is first: it tried at once, finding the queue empty.
 */
function settleArmedRead(state: SocketState, read: number | null): void {
  if (read === null) return; // still nothing: the addon watches again for the same call
  const chunk = state.armedChunk;
  state.armedChunk = undefined;
  const queue = state.readers;
  const waiter = queue.shift();
  if (waiter === undefined) return;
  if (read >= 0) {
    // A recv(s, length) gets its Buffer, cut to what came (`a` is the length it asked for); a recvInto its count.
    waiter.succeed(chunk === undefined ? read : read === waiter.a ? chunk : chunk.subarray(0, read));
  } else {
    waiter.failWith(-read);
  }
  if (waiter.reusable) {
    waiter.release();
    state.spare = waiter;
  }
  drain(state, queue, READABLE);
}

/** Settles or retries the calls waiting on `s`, now that it is ready for `events` or closed (`errno`). */
function deliver(s: SOCKET, errno: number, events: number, read: number | null | undefined): void {
  const state = findState(s);
  if (state === undefined) return;
  if (errno !== 0) {
    state.armedChunk = undefined;
    // WSAEINTR: closesocket (or the last cleanup) cancelled every waiting call; the poll is gone with the socket.
    for (const waiter of state.readers.splice(0)) waiter.failWith(errno);
    for (const waiter of state.writers.splice(0)) waiter.failWith(errno);
    for (const waiter of state.prioritized.splice(0)) waiter.failWith(errno);
    return;
  }
  if ((events & READABLE) !== 0) {
    if (read !== undefined) {
      settleArmedRead(state, read);
    } else {
      state.armedChunk = undefined; // if a call was armed, the addon let it go: it retries from here, as any call
      drain(state, state.readers, READABLE);
    }
  }
  if ((events & WRITABLE) !== 0) drain(state, state.writers, WRITABLE);
  if ((events & PRIORITIZED) !== 0) drain(state, state.prioritized, PRIORITIZED);
}

native.setReadinessCallback(
  native.readinessBackend() === 'uv_poll'
    ? (s, errno, events, read) => {
        refillAtReadiness(); // a uv_poll event comes from the poll phase of a new turn of the loop
        deliver(s, errno, events, read);
      }
    : (s, errno, events, read) => {
        if (errno !== 0) deliver(s, errno, events, read); // closesocket's own call: nothing to be fair about
        else deliverWithinBudget(() => deliver(s, errno, events, read));
      },
);

/** Options after {@link checkOptions}: read once, so a getter cannot change them between the check and the use. */
export interface CheckedOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | undefined;
  readonly flags: number;
}

/** What a call without options gets: one frozen object, not one per call. */
export const NO_OPTIONS: CheckedOptions = Object.freeze({ signal: undefined, timeout: undefined, flags: 0 });

/**
 * Checks `options` up front and copies what it holds: a bad signal, timeout or flags is a TypeError/RangeError, an
 * aborted signal an AbortError.
 */
export function checkOptions(options: (AsyncOptions & { flags?: number | undefined }) | undefined): CheckedOptions {
  if (options === undefined) return NO_OPTIONS;
  if (options === null || typeof options !== 'object') {
    throw Object.assign(new TypeError('The "options" argument must be an object'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const { signal, timeout, flags = 0 } = options;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw Object.assign(new TypeError('The "options.signal" property must be an AbortSignal'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  if (timeout !== undefined) checkTimeout(timeout, 'options.timeout');
  if (!Number.isInteger(flags)) {
    throw Object.assign(new TypeError('The "options.flags" property must be an integer'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  if (signal !== undefined && isAborted(signal)) throw abortError(signal);
  return { signal, timeout, flags };
}

/**
 * A timeout in milliseconds from 0 to 2^31-1 (what a timer can hold), else a RangeError; `integer` for the
 * timeouts select and WSAPoll pass on to the OS, which counts whole milliseconds.
 */
export function checkTimeout(timeout: unknown, name: string, integer = false): asserts timeout is number {
  const valid = typeof timeout === 'number' && Number.isFinite(timeout) && (!integer || Number.isInteger(timeout));
  if (!(valid && timeout >= 0 && timeout <= 2 ** 31 - 1)) {
    const kind = integer ? 'an integer' : 'a number';
    throw Object.assign(new RangeError(`The "${name}" argument must be ${kind} >= 0 and <= 2147483647. Received ${String(timeout)}`), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
}

/**
 * Waits until `attempt` returns a value, retrying it each time the socket is ready in `direction`. A call first in
 * line has just made its first attempt, an addon try* that found WSAEWOULDBLOCK and so watches; a call behind others
 * makes its first with readiness. `watchesItself`: false for attempts that are not addon try* calls (select,
 * WSAPoll), which the queue watches for.
 */
export function waitFor<T>(
  state: SocketState,
  direction: number,
  attempt: (id: number) => T | null,
  site: CallSite,
  options: CheckedOptions,
  watchesItself = true,
): Promise<T> {
  return waitForCall(state, direction, attempt, undefined, undefined, site, options, watchesItself);
}

// The Waiter whose promise is being made: one executor for every wait hands it the settlers (no closure per wait,
// and no module-level copy of them to take and clear again: each such store of a new function was a write barrier).
let filling: Waiter | undefined;
function fillSettlers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  filling!.resolve = resolve;
  filling!.reject = reject;
}

/** {@link waitFor} for `call(id, a, b)`: the arguments are kept on the Waiter, so a wait makes no closure. */
export function waitForCall<A, B, T>(
  state: SocketState,
  direction: number,
  call: TryCall<A, B, T>,
  a: A,
  b: B,
  site: CallSite,
  options: CheckedOptions,
  watchesItself = true,
): Promise<T> {
  const queue = queueOf(state, direction);
  const { signal, timeout } = options;
  let waiter = state.spare;
  if (waiter === undefined) {
    waiter = new Waiter(call as TryCall<unknown, unknown, unknown>, a, b, watchesItself, ignore, ignore, site);
  } else {
    state.spare = undefined;
    waiter.call = call as TryCall<unknown, unknown, unknown>;
    waiter.a = a;
    waiter.b = b;
    waiter.watchesItself = watchesItself;
    waiter.site = site;
  }
  filling = waiter;
  const promise = new Promise<unknown>(fillSettlers) as Promise<T>;
  filling = undefined;
  if (signal !== undefined || timeout !== undefined) {
    const leaving = waiter;
    leaving.reusable = false; // the listener and the timer refer to it
    const leave = (error: unknown): void => {
      const index = queue.indexOf(leaving);
      if (index === -1) return; // already finished
      queue.splice(index, 1);
      const watchWasPutOff = leaving.rewatch !== undefined;
      leaving.fail(error);
      if (queue.length === 0) native.unwatch(state.id, direction); // nobody is left to wake for this direction
      else if (watchWasPutOff) watchOrFailAll(state, queue, direction); // the calls behind it need the watch now
    };
    try {
      // Listen before queueing: a call whose listener could not be added rejects here and leaves nothing in the
      // queue to take data meant for the next call.
      if (signal !== undefined) leaving.stopListening = listenForAbort(signal, () => leave(abortError(signal)));
      if (timeout !== undefined) {
        const { syscall, address, port } = site;
        leaving.timer = setTimeout(() => leave(new WinsockError(WSAETIMEDOUT, syscall, address, port)), timeout);
        if (!state.keepsLoopAlive) leaving.timer.unref();
      }
    } catch (error) {
      waiter.reject(error);
      return promise;
    }
  }
  const first = queue.length === 0;
  queue.push(waiter);
  // A try* call first in line watches already; select's and WSAPoll's attempts do not. Every call first in line has
  // tried: waiting for readiness untried, a call that would fail at once (send on a listening socket, WSAENOTCONN)
  // could wait for a readiness that never comes.
  if (first && !watchesItself) watchOrFailAll(state, queue, direction);
  return promise;
}

/**
 * One call: try at once unless others wait before it on this socket, else wait for readiness and try again. A call
 * that completes at once returns an already resolved promise (the promises API's functions are not `async`, whose
 * extra promise and turns a round trip would pay for twice).
 */
export function attemptOrWait<T>(
  s: SOCKET,
  direction: number,
  attempt: (id: SocketId) => T | null,
  site: CallSite,
  options: CheckedOptions,
): Promise<T> {
  return callOrWait(s, direction, attempt, undefined, undefined, site, options);
}

/** An addon try* call that takes the socket's id and two more arguments. */
export type TryCall<A, B, T> = (id: SocketId, a: A, b: B) => T | null;

/**
 * {@link attemptOrWait} for one try* call and its arguments: the first try makes no closure. The try comes at once
 * unless others wait before it on this socket; what it gets, as `site.fulfilled` maps it (as a wait's), is delivered
 * within the budget (src/fairness.ts).
 */
export function callOrWait<A, B, T>(
  s: SOCKET,
  direction: number,
  call: TryCall<A, B, T>,
  a: A,
  b: B,
  site: CallSite,
  options: CheckedOptions,
): Promise<T> {
  const state = stateOf(s);
  if (queueOf(state, direction).length !== 0) return waitForCall(state, direction, call, a, b, site, options);
  let value: T | null;
  try {
    value = call(state.id, a, b);
  } catch (error) {
    return failWithinBudget(error);
  }
  if (value === null) return waitForCall(state, direction, call, a, b, site, options);
  const { fulfilled } = site;
  return resolveWithinBudget((fulfilled === undefined ? value : fulfilled(value)) as T);
}
