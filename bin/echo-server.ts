// The tutorial's server ("Complete Winsock Server Code"), line for line on winsock/promises: accept one client,
// echo what it sends until it shuts down its side, then shut down and close. Returns the process exit code.
// With `forever`, it keeps listening and serves any number of clients at once, each with the same transcript.
import { setTimeout as delay } from 'node:timers/promises';

import {
  AF_INET, AI_PASSIVE, IPPROTO_TCP, SD_SEND, SOCK_STREAM, SOMAXCONN, WSAECONNABORTED, WSAECONNRESET, WSAEMFILE,
  WSAENOBUFS, accept, bind, cleanup, closesocket, getaddrinfo, getsockname, listen, recvInto, send, shutdown, socket, startup,
  type SOCKET,
} from '../src/promises.js';
import { errnoOf, note, print } from './transcript.js';

const DEFAULT_BUFLEN = 512;

/**
 * accept() errors a server meant to run for good outlives: a connection that failed before it was accepted, and a
 * passing shortage of descriptors or buffers, which ends as clients finish and close theirs.
 */
const SHORTAGES: ReadonlySet<number> = new Set([WSAEMFILE, WSAENOBUFS]);
const LOST_CONNECTIONS: ReadonlySet<number> = new Set([WSAECONNRESET, WSAECONNABORTED]);
/** The pause after a shortage, doubled while it lasts up to the longest: the queued clients stay queued meanwhile. */
const FIRST_BACKOFF_MS = 20;
const LONGEST_BACKOFF_MS = 1000;

export interface ServerOptions {
  /** The address to listen on; null listens on every interface, as the tutorial does. */
  host: string | null;
  port: number;
  /** Serve clients concurrently until killed, instead of the tutorial's one client. */
  forever: boolean;
}

export async function runServer({ host, port, forever }: ServerOptions): Promise<number> {
  try {
    startup('2.2');
  } catch (error) {
    print(`WSAStartup failed with error: ${errnoOf(error)}`);
    return 1;
  }
  const failed = (what: string, error: unknown, ...open: SOCKET[]): number => {
    print(`${what} failed with error: ${errnoOf(error)}`);
    for (const s of open) closesocket(s);
    cleanup();
    return 1;
  };

  let result;
  try {
    result = await getaddrinfo(host, port, { family: AF_INET, socktype: SOCK_STREAM, protocol: IPPROTO_TCP, flags: AI_PASSIVE });
  } catch (error) {
    return failed('getaddrinfo', error);
  }
  const address = result[0]!;

  let listenSocket: SOCKET;
  try {
    listenSocket = socket(address.family, address.socktype, address.protocol);
  } catch (error) {
    return failed('socket', error);
  }
  try {
    bind(listenSocket, address);
  } catch (error) {
    return failed('bind', error, listenSocket);
  }
  try {
    listen(listenSocket, SOMAXCONN);
  } catch (error) {
    return failed('listen', error, listenSocket);
  }
  const bound = getsockname(listenSocket);
  note(`Listening on ${bound.address}:${bound.port}`);

  if (forever) return serveForever(listenSocket);

  let clientSocket: SOCKET;
  try {
    clientSocket = (await accept(listenSocket)).socket;
  } catch (error) {
    return failed('accept', error, listenSocket);
  }
  closesocket(listenSocket); // No longer need server socket
  const code = await echo(clientSocket);
  cleanup();
  return code;
}

/**
 * `--forever`: accepts and echoes every client concurrently. A shortage of descriptors or buffers (WSAEMFILE,
 * WSAENOBUFS) is reported once and waited out with a growing pause; any other accept failure ends the server as in
 * the tutorial, but only after the clients being served are done, since cleanup() would pull Winsock from under them.
 */
async function serveForever(listenSocket: SOCKET): Promise<number> {
  const serving = new Set<Promise<number>>();
  let backoff = 0;
  for (;;) {
    let accepted: SOCKET;
    try {
      accepted = (await accept(listenSocket)).socket;
    } catch (error) {
      const errno = errnoOf(error);
      if (LOST_CONNECTIONS.has(errno)) continue;
      if (SHORTAGES.has(errno)) {
        if (backoff === 0) {
          print(`accept failed with error: ${errno}`);
          note(`Out of ${errno === WSAEMFILE ? 'descriptors' : 'buffers'}: accepting again as clients finish`);
        }
        backoff = Math.min(backoff === 0 ? FIRST_BACKOFF_MS : backoff * 2, LONGEST_BACKOFF_MS);
        await delay(backoff);
        continue;
      }
      print(`accept failed with error: ${errno}`);
      closesocket(listenSocket);
      await Promise.allSettled(serving);
      cleanup();
      return 1;
    }
    if (backoff !== 0) note('Accepting again');
    backoff = 0;
    const client = echo(accepted); // its failures are printed in its own transcript lines
    serving.add(client);
    void client.finally(() => serving.delete(client));
  }
}

/** Echoes one client until it ends its side, then shuts down and closes, printing the tutorial's lines. */
async function echo(clientSocket: SOCKET): Promise<number> {
  const failed = (what: string, error: unknown): number => {
    print(`${what} failed with error: ${errnoOf(error)}`);
    closesocket(clientSocket);
    return 1;
  };
  const recvbuf = Buffer.alloc(DEFAULT_BUFLEN);
  let received: number;
  do {
    try {
      received = await recvInto(clientSocket, recvbuf);
    } catch (error) {
      return failed('recv', error);
    }
    if (received > 0) {
      print(`Bytes received: ${received}`);
      let sent: number;
      try {
        sent = await send(clientSocket, recvbuf.subarray(0, received));
      } catch (error) {
        return failed('send', error);
      }
      print(`Bytes sent: ${sent}`);
    } else {
      print('Connection closing...');
    }
  } while (received > 0);

  try {
    shutdown(clientSocket, SD_SEND);
  } catch (error) {
    return failed('shutdown', error);
  }
  closesocket(clientSocket);
  return 0;
}
