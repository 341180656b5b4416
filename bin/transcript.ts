// The tutorial's printf, made synchronous: the echo programs block in Winsock calls, and Node's asynchronous
// stdout (pipes on Windows) would otherwise hold their lines back until the call returns.
import { writeSync } from 'node:fs';

import { WinsockError } from '../src/index.js';

/** Writes one line of the transcript to stdout, at once. */
export function print(line: string): void {
  writeSync(1, `${line}\n`);
}

/** Writes one line to stderr, at once (diagnostics that are not part of the tutorial's transcript). */
export function note(line: string): void {
  writeSync(2, `${line}\n`);
}

/** The Winsock number the tutorial prints for a failure (its WSAGetLastError()); anything else is a bug: rethrown. */
export function errnoOf(error: unknown): number {
  if (error instanceof WinsockError) return error.errno;
  throw error;
}
