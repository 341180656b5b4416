// Waiting for a socket without blocking: the queue of calls waiting to read and to write on each socket, fed by
// the addon's uv_poll readiness callback. A call is an `attempt` that returns null while Winsock says
// WSAEWOULDBLOCK; it is retried, in arrival order, each time the socket becomes ready, so a spurious wakeup only
// costs one more attempt. Abort and timeout take a call out of its queue.
import { WSAEINTR, WSAETIMEDOUT } from './constants.js';
import { WinsockError } from './errors.js';
import { takeFastPath } from './fairness.js';
import { native, type SOCKET } from './native.js';

/** uv_poll's readiness bits (UV_READABLE, UV_WRITABLE), the same on every OS. */
export const READABLE = 1;
export const WRITABLE = 2;

/** Options every async call takes. */
export interface AsyncOptions {
  /** Aborts the call: it rejects with a DOMException named `AbortError` whose `cause` is the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Milliseconds to wait before the call rejects with a WinsockError WSAETIMEDOUT (10060). */
  timeout?: number | undefined;
}

/** Where the call is going, for the errors it raises. */
export interface CallSite {
  syscall: string;
  address?: string | undefined;
  port?: number | undefined;
}

interface Waiter {
  /** One try; true when the call is finished (resolved, or rejected by a thrown error). */
  attempt(): boolean;
  /** Fails the call with a Winsock error number. */
  fail(errno: number): void;
  /** Fails the call with an error `attempt` threw. */
  reject(error: unknown): void;
}

class SocketQueues {
  readonly readers: Waiter[] = [];
  readonly writers: Waiter[] = [];
  watching = 0;
}

const queues = new WeakMap<SOCKET, SocketQueues>();

function queuesOf(s: SOCKET): SocketQueues {
  let found = queues.get(s);
  if (found === undefined) queues.set(s, (found = new SocketQueues()));
  return found;
}

/**
 * True when no call is waiting on `s` in `direction`, so a new call may try at once without overtaking one, and
 * the event loop is not owed a turn (src/fairness.ts).
 */
export function isIdle(s: SOCKET, direction: number): boolean {
  const found = queues.get(s);
  const idle = found === undefined || (direction === READABLE ? found.readers : found.writers).length === 0;
  return idle && takeFastPath();
}

function updateWatch(s: SOCKET, state: SocketQueues): void {
  const wanted = (state.readers.length > 0 ? READABLE : 0) | (state.writers.length > 0 ? WRITABLE : 0);
  if (wanted === state.watching) return;
  state.watching = wanted;
  native.watch(s, wanted);
}

function drain(queue: Waiter[]): void {
  while (queue.length > 0) {
    const waiter = queue[0]!;
    let finished: boolean;
    try {
      finished = waiter.attempt();
    } catch (error) {
      queue.shift();
      waiter.reject(error);
      continue;
    }
    if (!finished) return; // still WSAEWOULDBLOCK: a spurious or already-consumed wakeup
    queue.shift();
  }
}

native.setReadinessCallback((s, errno, events) => {
  const state = queues.get(s);
  if (state === undefined) return;
  for (const [bit, queue] of [[READABLE, state.readers], [WRITABLE, state.writers]] as const) {
    if ((events & bit) === 0) continue;
    if (errno === 0) drain(queue);
    else for (const waiter of queue.splice(0)) waiter.fail(errno);
  }
  if (errno === WSAEINTR) {
    state.watching = 0; // the socket is closed: its poll is gone with it
    return;
  }
  updateWatch(s, state);
});

/** The AbortError Node's own promise APIs reject with. */
export function abortError(signal: AbortSignal): DOMException {
  return new DOMException('The operation was aborted', { name: 'AbortError', cause: signal.reason });
}

/** Options after {@link checkOptions}: read once, so a getter cannot change them between the check and the use. */
export interface CheckedOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | undefined;
  readonly flags: number;
}

/**
 * Checks `options` up front and copies what it holds: a bad signal, timeout or flags is a TypeError/RangeError, an
 * aborted signal an AbortError.
 */
export function checkOptions(options: (AsyncOptions & { flags?: number | undefined }) | undefined): CheckedOptions {
  if (options === undefined) return { signal: undefined, timeout: undefined, flags: 0 };
  if (options === null || typeof options !== 'object') {
    throw Object.assign(new TypeError('The "options" argument must be an object'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const { signal, timeout, flags = 0 } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw Object.assign(new TypeError('The "options.signal" property must be an AbortSignal'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  if (timeout !== undefined) checkTimeout(timeout, 'options.timeout');
  if (!Number.isInteger(flags)) {
    throw Object.assign(new TypeError('The "options.flags" property must be an integer'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  if (signal?.aborted) throw abortError(signal);
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
 * Waits until `attempt` returns a value, retrying it each time `s` is ready in `direction`. The caller has made
 * the first attempt already (and found WSAEWOULDBLOCK), or must not make it because others wait before it.
 */
export function waitFor<T>(
  s: SOCKET,
  direction: number,
  attempt: () => T | null,
  site: CallSite,
  options: CheckedOptions,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const state = queuesOf(s);
    const queue = direction === READABLE ? state.readers : state.writers;
    const { signal, timeout } = options;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const leave = (error: unknown): void => {
      const index = queue.indexOf(waiter);
      if (index === -1) return; // already finished
      queue.splice(index, 1);
      settle();
      reject(error);
      try {
        updateWatch(s, state);
      } catch {
        // the socket is closed (or Winsock cleaned up): there is nothing left to watch
      }
    };
    const onAbort = (): void => leave(abortError(signal!));
    const waiter: Waiter = {
      attempt() {
        const value = attempt();
        if (value === null) return false;
        settle();
        resolve(value);
        return true;
      },
      fail(errno) {
        settle();
        reject(new WinsockError(errno, site.syscall, site.address, site.port));
      },
      reject(error) {
        settle();
        reject(error);
      },
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout !== undefined) {
      timer = setTimeout(() => leave(new WinsockError(WSAETIMEDOUT, site.syscall, site.address, site.port)), timeout);
    }
    queue.push(waiter);
    try {
      updateWatch(s, state);
    } catch (error) {
      leave(error);
    }
  });
}
