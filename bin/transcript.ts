// The tutorial's printf, made synchronous: the echo programs block in Winsock calls, and Node's asynchronous
// stdout (pipes on Windows) would otherwise hold their lines back until the call returns.
import { writeSync } from 'node:fs';

import { WinsockError } from '../src/index.js';

/** The exit code when the reader of stdout has gone (`winsock-echo demo | head -3`): it had what it wanted. */
export const STDOUT_CLOSED_EXIT_CODE = 0;

/**
 * Writes text to stdout, at once; false when the reader has gone away (EPIPE; Windows can also report a pipe whose
 * reader has gone as EOF, libuv's ERROR_BROKEN_PIPE). For a caller that has children to stop before it ends.
 */
export function tryWrite(text: string): boolean {
  try {
    writeSync(1, text);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'EOF') return false;
    throw error;
  }
}

/**
 * Writes text to stdout, at once. A reader that has gone away ends the program quietly, as SIGPIPE ends a C program:
 * no error, no usage text.
 */
export function write(text: string): void {
  if (!tryWrite(text)) process.exit(STDOUT_CLOSED_EXIT_CODE);
}

/** Writes one line of the transcript to stdout, at once. */
export function print(line: string): void {
  write(`${line}\n`);
}

/** Writes one line to stderr, at once (diagnostics and usage, which are not part of the tutorial's transcript). */
export function note(line: string): void {
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr closed too: nothing is left to tell
  }
}

/** The Winsock number the tutorial prints for a failure (its WSAGetLastError()); anything else is a bug: rethrown. */
export function errnoOf(error: unknown): number {
  if (error instanceof WinsockError) return error.errno;
  throw error;
}
