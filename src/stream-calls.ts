// send and recv on a stream, shared by winsock/promises and the high-level Socket. A send returns the count itself
// when every byte went at once, a promise only when it has to wait: Socket.write then returns one settled promise for
// all such writes. A receive returns its promise, made once: the chunk is an object, and each promise resolved with
// it costs V8's generic lookup of `then` on it (some 560 instructions a Buffer).
// Buffer from node:buffer, not the global: Node defines globalThis.Buffer as an accessor, so each use of the
// global is a LoadGlobalIC and a getter call that V8 cannot fold away (about 100 instructions each, callgrind).
import { Buffer } from 'node:buffer';
import type { SendData, SOCKET } from './types.js';
import type { SocketId } from './native.js';
import { native } from './native.js';
import { isPoolSized, tryRecvChunk } from './chunks.js';
import { byteLengthOf, isUint8Array, plainBytesOf, toBytes } from './arguments.js';
import { failWithinBudget, resolveWithinBudget, throwWithinBudget, valueWithinBudget } from './fairness.js';
import {
  NO_OPTIONS, READABLE, WRITABLE, armsReads, callOrWait, checkOptions, mayArm, stateOf, waitForCall, type CallSite,
  type CheckedOptions, type SocketState, type TransferOptions,
} from './readiness.js';

const RECV: CallSite = { syscall: 'recv' };

/** A read's chunk, or null for the empty one that means the peer ended its side. */
export function nullAtEnd(chunk: Buffer): Buffer | null {
  // byteLength through TypedArray's getter: `chunk.length` on a Buffer is a generic load and a call (byteLengthOf).
  return byteLengthOf(chunk) === 0 ? null : chunk;
}

/**
 * Socket.read's call site: a waiting read resolves with its chunk, or null at the end of the stream, so that
 * Socket.read hands the promise on as it is (CallSite.fulfilled).
 */
export const READ: CallSite = { syscall: 'recv', fulfilled: nullAtEnd as (value: unknown) => unknown };

/**
 * Sends every byte of `data` on the SOCKET of `state` (see winsock/promises' `send`): the byte count when all of it
 * went at once, else a promise of it. Throws what the call fails with at once, with `bytesWritten` when it had sent
 * some. The caller (Socket.write) keeps `state`: no lookup per call.
 */
export function sendNowOrLater(state: SocketState, data: SendData, options: TransferOptions | undefined): number | Promise<number> {
  let transfer: StreamSend | undefined;
  let tried = false;
  try {
    const checked = options === undefined ? NO_OPTIONS : checkOptions(options);
    // byteLength read once, and through byteLengthOf: V8 reached that getter here through a generic property load
    // and a call, about 180 instructions a read (callgrind), and toBytes' own check of it was a second. isUint8Array,
    // not instanceof, which a forged prototype or a Proxy passes and byteLengthOf then throws for without a code.
    let length = isUint8Array(data) ? byteLengthOf(data) : 0;
    let bytes = data as Uint8Array;
    if (length === 0) {
      bytes = toBytes(data);
      length = byteLengthOf(bytes);
    }
    if (state.writers.length === 0) {
      // The first try needs no StreamSend: most sends go whole at once. One is made only to carry on.
      tried = true;
      const sent = native.trySend(state.id, bytes, checked.flags);
      if (sent === length) return valueWithinBudget(sent);
      transfer = new StreamSend(bytes, checked.flags, sent ?? 0);
    } else {
      transfer = new StreamSend(bytes, checked.flags, 0);
    }
    return waitForCall(state, WRITABLE, attemptSend, transfer, undefined, SEND, checked);
  } catch (error) {
    if (transfer !== undefined) transfer.annotate(error);
    else if (tried) annotateSend(error, 0); // the first try failed: nothing was sent
    if (!tried) throw error; // the arguments' own errors: at once, as before any try
    return throwWithinBudget(error);
  }
}

/**
 * Receives up to `length` bytes (winsock/promises' `recv`): a promise of the chunk. Throws for bad options.
 */
export function recvStream(s: SOCKET, length: number, options: TransferOptions | undefined): Promise<Buffer> {
  const checked = checkOptions(options);
  if (!(mayArm(checked) && isPoolSized(length))) return callOrWait(s, READABLE, tryRecvChunk, length, checked.flags, RECV, checked);
  return recvArmable(stateOf(s), length, checked, RECV, false) as Promise<Buffer>;
}

/**
 * Whether Socket.read(`length`) without options may take {@link readArmed}: a length for Node's Buffer pool, under
 * uv_poll. Anything else, a bad length included, takes {@link readStream}.
 */
export function isArmedReadSize(length: unknown): length is number {
  // `length * 2 < poolSize`, not Node's `length < poolSize >>> 1`: a Buffer.poolSize no pool can be made of (-1, NaN)
  // is refused here, so the short path, which has no try, never meets Buffer.allocUnsafe's throw; the checked path
  // rejects with it (test/conformance/hot-paths.test.ts).
  return armsReads && typeof length === 'number' && length >= 1 && length * 2 < Buffer.poolSize && Number.isInteger(length);
}

/**
 * Socket.read's common call, one without options of a length {@link isArmedReadSize} allows: a promise of the chunk,
 * null at the end of the stream. Nothing left to check, so that V8 inlines the read into its caller.
 */
export function readArmed(state: SocketState, length: number): Promise<Buffer | null> {
  return recvArmable(state, length, NO_OPTIONS, READ, true);
}

/**
 * Socket.read's recv of up to `length` (an integer >= 1) bytes from the SOCKET `s` of `state`, any options: a
 * promise of the chunk, null at the end of the stream (READ). Throws for bad options.
 */
export function readStream(state: SocketState, s: SOCKET, length: number, options: TransferOptions | undefined): Promise<Buffer | null> {
  const checked = checkOptions(options);
  if (!(mayArm(checked) && isPoolSized(length))) return callOrWait(s, READABLE, tryRecvChunk, length, checked.flags, READ, checked);
  return recvArmable(state, length, checked, READ, true);
}

/**
 * A recv(s, length) that cannot leave its queue early (no signal, no timeout, a length for Node's Buffer pool) reads
 * into a Buffer of its own, armed: if it must wait, the addon reads into that Buffer at the readiness event
 * (src/readiness.ts, SocketState.armedChunk). A promise of the chunk, cut to what came; at the end of the stream null
 * if `endIsNull` (as `site.fulfilled` maps a waiting call's), else an empty chunk.
 */
function recvArmable(state: SocketState, length: number, checked: CheckedOptions, site: CallSite, endIsNull: boolean):
Promise<Buffer | null> {
  const { flags } = checked;
  if (state.readers.length !== 0) return waitForCall(state, READABLE, tryRecvChunk, length, flags, site, checked);
  // Outside the try: in it, V8 no longer inlines the Buffer's construction (some 150 instructions a read, callgrind).
  // Its throw (a Buffer.poolSize no pool can be made of) reaches every caller's own try, or is kept from the short
  // path by isArmedReadSize.
  const chunk = Buffer.allocUnsafe(length);
  let received: number | null;
  try {
    received = native.tryRecv(state.id, chunk, flags, true);
  } catch (error) {
    return failWithinBudget(error);
  }
  if (received === null) {
    state.armedChunk = chunk;
    return waitForCall(state, READABLE, tryRecvChunk, length, flags, site, checked);
  }
  return resolveWithinBudget(received === length ? chunk : received === 0 && endIsNull ? null : chunk.subarray(0, received));
}

/** One `send`: the bytes it must hand to the kernel, and how many it has. */
export class StreamSend {
  written = 0;
  /** The bytes at the call, as a plain fixed-length Uint8Array (see the constructor). */
  readonly bytes: Uint8Array;
  /** The byte count at the call: the buffer may be resized or detached while the call waits. */
  readonly total: number;

  constructor(
    bytes: Uint8Array,
    readonly flags: number,
    /** What a first try already sent. */
    written: number,
  ) {
    this.written = written;
    // Pinned to the bytes there were at the call, read from the view's internal slots: a view that tracks a resizable
    // or growable buffer's length would follow it, and a subclass's byteLength, subarray or Symbol.species may say
    // anything (one whose subarray returned nothing left the call waiting for ever: attack-send-paths.test.ts).
    this.bytes = plainBytesOf(bytes);
    this.total = byteLengthOf(this.bytes);
  }

  /**
   * Writes what the kernel takes: the byte count once every byte is out, else null. A partial write means the send
   * buffer is full, so it waits (the addon watches the socket then) rather than make a try that would find
   * WSAEWOULDBLOCK.
   */
  attempt(id: SocketId): number | null {
    const { bytes } = this;
    // Shrunk below its length or detached while the call waited: nothing left to send from, and never "0 bytes
    // sent" retried forever. The call fails, and the calls queued behind it move on.
    if (byteLengthOf(bytes) !== this.total) {
      throw Object.assign(new TypeError('The "data" argument was resized or detached while the send waited'), {
        code: 'ERR_INVALID_STATE',
      });
    }
    // The rest as a new view, not bytes.subarray(): no Symbol.species lookup that could hand over other memory.
    const rest = this.written === 0 ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset + this.written, this.total - this.written);
    const sent = native.trySend(id, rest, this.flags);
    if (sent === null) return null;
    this.written += sent;
    return this.written === this.total ? this.written : null;
  }

  /** Adds `bytesWritten` to the error the call fails with ({@link PartialSendError}). */
  annotate(error: unknown): void {
    annotateSend(error, this.written);
  }
}

/** Adds `bytesWritten` to the error a send fails with ({@link PartialSendError}). */
export function annotateSend(error: unknown, written: number): void {
  if (error !== null && typeof error === 'object') Object.assign(error, { bytesWritten: written });
}

/** send's call site: a failed send's error gets the StreamSend's `bytesWritten`. */
export const SEND: CallSite = { syscall: 'send', annotate: (error, transfer) => (transfer as StreamSend).annotate(error) };

/** One try of a StreamSend, as a try* call of the readiness layer. */
export function attemptSend(id: SocketId, transfer: StreamSend): number | null {
  return transfer.attempt(id);
}
