// A caller's AbortSignal, read and listened to through AbortSignal's and EventTarget's own methods, taken when this
// module loads. A signal passes `instanceof AbortSignal` with its own `addEventListener`, `removeEventListener`,
// `aborted` or `reason` put in their place, and those may throw or lie: a throw from the readiness callback ends the
// process (napi_fatal_exception), and a listener that was never added leaves a call waiting that nobody can abort.

const apply = Reflect.apply;
const { addEventListener, removeEventListener } = EventTarget.prototype;
const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
const reasonGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'reason')!.get!;

/** True for a real AbortSignal; an object that only inherits from AbortSignal.prototype has none of its state. */
export function isAbortSignal(value: unknown): value is AbortSignal {
  try {
    apply(abortedGetter, value, []);
    return true;
  } catch {
    return false;
  }
}

/** `signal.aborted`, as the signal itself knows it. */
export function isAborted(signal: AbortSignal): boolean {
  return apply(abortedGetter, signal, []) as boolean;
}

/** The AbortError Node's own promise APIs reject with, its `cause` the signal's reason. */
export function abortError(signal: AbortSignal): DOMException {
  return new DOMException('The operation was aborted', { name: 'AbortError', cause: apply(reasonGetter, signal, []) });
}

/**
 * Calls `listener` once when `signal` aborts. Returns what stops listening, which cannot throw: call it once the
 * call has settled.
 */
export function listenForAbort(signal: AbortSignal, listener: () => void): () => void {
  apply(addEventListener, signal, ['abort', listener, { once: true }]);
  return () => apply(removeEventListener, signal, ['abort', listener]);
}
