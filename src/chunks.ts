// recv(s, length): the bytes that arrived, in a Buffer of their size. Reads small enough for Node's Buffer pool land
// in a Buffer from it; larger ones of up to 64 KiB land in a scratch buffer and are copied out to a Buffer made in
// JavaScript. A Buffer the addon makes (napi_create_buffer_copy) costs more
// than that copy: Node gives it the Buffer prototype after V8 has made it, and V8 then looks up its properties the
// slow way (callgrind, bench/: about 1,200 instructions per ping-pong round trip in Builtins_GetProperty alone). One
// scratch buffer serves every socket, since a read fills and empties it within one synchronous attempt.
// Buffer from node:buffer, not the global: Node defines globalThis.Buffer as an accessor, so each use of the
// global is a LoadGlobalIC and a getter call that V8 cannot fold away (about 100 instructions each, callgrind).
import { Buffer } from 'node:buffer';
import { native, type SocketId } from './native.js';

/** The largest read that goes through the scratch buffer; larger ones get a Buffer from the addon. */
const SCRATCH_SIZE = 64 * 1024;

let scratch: Buffer | undefined;
// A pool Buffer that the last small read found nothing for, and nobody has seen.
let unused: Buffer | undefined;
// The view of the scratch buffer the last read asked for, kept: a stream mostly reads the same size again.
let view: Buffer | undefined;

/** Whether a read of `length` bytes gets a Buffer from Node's pool (and so no copy out of the scratch buffer). */
export function isPoolSized(length: number): boolean {
  return Number.isInteger(length) && length > 0 && length < Buffer.poolSize >>> 1;
}

/** The addon's tryRecv(id, length, flags), as fast as a read into a Buffer: null while WSAEWOULDBLOCK. */
export function tryRecvChunk(id: SocketId, length: number, flags: number): Buffer | null {
  // Anything else, a bad length included (the addon refuses it by name), takes the addon's own allocation.
  if (!(Number.isInteger(length) && length > 0 && length <= SCRATCH_SIZE)) return native.tryRecv(id, length, flags);
  // A read small enough for Node's pool goes straight into a Buffer from it: no copy. Only the bytes received are
  // handed out (a shorter view when fewer came), never the pool's uninitialised rest; a try that finds nothing
  // keeps its Buffer for the next try.
  if (length < Buffer.poolSize >>> 1) {
    // A Buffer a try found nothing for waits for the next try of its size (of any socket): a waited read makes one.
    const chunk = unused?.length === length ? unused : Buffer.allocUnsafe(length);
    unused = undefined;
    const received = native.tryRecv(id, chunk, flags);
    if (received === null) {
      unused = chunk;
      return null;
    }
    return received === length ? chunk : chunk.subarray(0, received);
  }
  if (view?.length !== length) {
    scratch ??= Buffer.allocUnsafeSlow(SCRATCH_SIZE);
    view = scratch.subarray(0, length);
  }
  const received = native.tryRecv(id, view, flags);
  if (received === null) return null;
  const chunk = Buffer.allocUnsafe(received); // from Node's pool when small, as Node's own reads are
  view.copy(chunk, 0, 0, received);
  return chunk;
}
