// select and WSAPoll, 1:1 with Winsock's: they block the calling thread until a socket is ready or the timeout
// passes. `winsock/promises` has forms that wait on the event loop instead.
import { checkTimeoutType } from './arguments.js';
import { native, type SOCKET } from './native.js';

/** What `select` reports: the total count, and the sockets of each set that are ready, in the order given. */
export interface SelectResult {
  /** How many sockets are ready, counted once per set they are in (as Winsock's return value). */
  count: number;
  /** The sockets of `readfds` that are readable. */
  read: SOCKET[];
  /** The sockets of `writefds` that are writable. */
  write: SOCKET[];
  /** The sockets of `exceptfds` with an exceptional condition. */
  except: SOCKET[];
}

/** One entry of `WSAPoll`'s array, as WSAPOLLFD: `revents` is set by the call. */
export interface PollFd {
  /** The socket to watch (WSAPOLLFD's `fd`). */
  socket: SOCKET;
  /** POLLRDNORM, POLLWRNORM, ... (POLLIN/POLLOUT) */
  events: number;
  /** Set by the call: the events that occurred, which may include POLLERR, POLLHUP and POLLNVAL unasked. */
  revents?: number;
}

/**
 * Waits until a socket is readable (data, a pending connection, or a closed connection), writable (a connect
 * completed, room to send) or has an exceptional condition (a failed connect, out-of-band data).
 *
 * @param timeout - milliseconds; null (the default) waits without limit; 0 polls
 * @throws WinsockError WSAEINVAL when all three sets are empty, or (Windows) a set holds more than FD_SETSIZE (64)
 * sockets; WSAENOTSOCK for a closed socket
 */
export function select(
  readfds: readonly SOCKET[] | null,
  writefds: readonly SOCKET[] | null,
  exceptfds: readonly SOCKET[] | null,
  timeout: number | null = null,
): SelectResult {
  return native.select(readfds, writefds, exceptfds, timeout);
}

/**
 * Waits until one of the sockets has one of its `events`; sets each entry's `revents` and returns how many
 * entries have any.
 *
 * @param timeout - milliseconds; null (the default) or a negative value waits without limit; 0 polls
 * @throws WinsockError WSAEINVAL for an empty array, ...
 */
export function WSAPoll(fds: PollFd[], timeout: number | null = null): number {
  checkTimeoutType(timeout);
  return native.WSAPoll(fds, timeout !== null && timeout < 0 ? null : timeout);
}
