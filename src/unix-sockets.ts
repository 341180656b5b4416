// AF_UNIX for the Socket and Server classes (connection.ts, server.ts): the SOCKET made and connected or bound by
// path. Kept apart so they only ask for one; the TCP options there do not apply to these sockets.
import { unlinkSync } from 'node:fs';

import { invalidArgument } from './arguments.js';
import { AF_UNIX, SOCK_STREAM, bind, closesocket, listen, socket, type SOCKET } from './index.js';
import { connect, type AsyncOptions } from './promises.js';

/** The path each listening SOCKET made here was bound to: the file that `Server.close()` removes. */
const boundPaths = new WeakMap<SOCKET, string>();

function requirePath(path: unknown): string {
  if (typeof path !== 'string') throw invalidArgument('options.path', 'a string', path);
  return path;
}

/** A new AF_UNIX stream socket connected to `path`; closed again if the connect fails. */
export async function connectPath(path: unknown, options: AsyncOptions): Promise<SOCKET> {
  const checked = requirePath(path);
  const s = socket(AF_UNIX, SOCK_STREAM, 0);
  try {
    await connect(s, { path: checked }, options);
    return s;
  } catch (error) {
    closesocket(s);
    throw error;
  }
}

/** A new AF_UNIX stream socket bound to `path` and listening. Like Winsock's bind, it fails if the file exists. */
export function listenPath(path: unknown, backlog: number): SOCKET {
  const checked = requirePath(path);
  const s = socket(AF_UNIX, SOCK_STREAM, 0);
  try {
    bind(s, { path: checked });
    listen(s, backlog);
  } catch (error) {
    closesocket(s);
    throw error;
  }
  if (!checked.startsWith('\0')) boundPaths.set(s, checked);
  return s;
}

/**
 * Removes the socket file a listener made, as node:net does when its server closes: bind() refuses an existing
 * file on every OS, so a file left behind would make the next listen on that path fail with WSAEADDRINUSE. A failure
 * is ignored, as libuv ignores its own unlink's there: what another process put at the path since (a directory, or
 * nothing) or a folder it may no longer write to must not make `close()` throw, nor leave its wait unsettled.
 */
export function removeBoundPath(s: SOCKET): void {
  const path = boundPaths.get(s);
  if (path === undefined) return;
  boundPaths.delete(s);
  try {
    unlinkSync(path); // unlink, not rm: never a directory, whatever now stands at the path
  } catch {
    // gone already, a directory, or no permission: nothing the closing server can do about it
  }
}
