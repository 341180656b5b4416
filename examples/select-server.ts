// A select()-based echo server, the classic single-threaded Winsock pattern: one blocking select() over the
// listening socket and every client, then accept/recv/send on whichever is ready. Synchronous API only.
// One thread serves everyone, so no client may hold it: clients are nonblocking (FIONBIO), an echo the client does
// not read yet waits in its own buffer (that client is not read meanwhile, and select() says when it can take it),
// and a client's failure (a reset) closes that client only.
// Run: node dist-test/examples/select-server.js [port] [clients-to-serve]
import {
  AF_INET, FIONBIO, IPPROTO_TCP, SOCK_STREAM, WSAEMFILE, WSAENOBUFS, WSAEWOULDBLOCK, WinsockError, closesocket, accept,
  bind, getsockname, ioctlsocket, listen, recv, select, send, socket, startup, cleanup, type SOCKET,
} from 'winsock';

/** How long the listener sits out of select() after accept found no descriptor (WSAEMFILE) or buffer (WSAENOBUFS). */
const ACCEPT_PAUSE_MS = 100;
/** Blocks the thread for `ms`: this server has no event loop to wait on, and select() refuses three empty sets. */
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

startup();
const listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
bind(listener, '127.0.0.1', Number(process.argv[2] ?? 0));
listen(listener);
console.error(`Listening on 127.0.0.1:${getsockname(listener).port}`);
const limit = Number(process.argv[3] ?? Infinity); // serve this many clients, then stop (for the demo and tests)

const clients = new Set<SOCKET>();
/** The part of each client's echo that it has not taken yet. */
const unsent = new Map<SOCKET, Buffer>();
let served = 0;

function drop(s: SOCKET): void {
  closesocket(s);
  clients.delete(s);
  unsent.delete(s);
}

/** Sends what the client's buffer takes now and keeps the rest for when select() finds it writable. */
function echo(s: SOCKET, data: Buffer): void {
  let sent = 0;
  try {
    sent = send(s, data);
  } catch (error) {
    if (!(error instanceof WinsockError && error.errno === WSAEWOULDBLOCK)) throw error;
  }
  if (sent < data.length) unsent.set(s, data.subarray(sent));
  else unsent.delete(s);
}

/** Reads from a readable client and echoes it; 0 bytes (the client ended) or a failure closes that client alone. */
function serve(s: SOCKET): void {
  try {
    const data = recv(s, 4096);
    if (data.length === 0) drop(s); // the client ended: 0 bytes, as recv returns in C
    else echo(s, data);
  } catch (error) {
    if (!(error instanceof WinsockError)) throw error;
    if (error.errno !== WSAEWOULDBLOCK) drop(s); // reset or aborted by the client: its own end
  }
}

// Out of descriptors, the pending connection stays queued and the listener stays readable: accepting again at once
// would spin. The listener sits out for a pause instead (reported once per shortage), while clients are served.
let acceptPausedUntil = 0;
let shortage = false;
while (served < limit || clients.size > 0) {
  const paused = Date.now() < acceptPausedUntil;
  const reading = [...clients].filter((s) => !unsent.has(s)); // a client whose echo waits is not read: backpressure
  const readfds = served < limit && !paused ? [listener, ...reading] : reading;
  const writefds = [...unsent.keys()];
  if (readfds.length === 0 && writefds.length === 0) {
    sleep(acceptPausedUntil - Date.now());
    continue;
  }
  const timeout = paused ? Math.max(0, acceptPausedUntil - Date.now()) : null;
  // Blocks until a socket is readable, or writable for an echo that waits (or the pause ends).
  const { read, write } = select(readfds, writefds, null, timeout);
  for (const s of write) {
    try {
      echo(s, unsent.get(s)!);
    } catch (error) {
      if (!(error instanceof WinsockError)) throw error;
      drop(s);
    }
  }
  for (const s of read) {
    if (s === listener) {
      try {
        const client = accept(listener).socket;
        ioctlsocket(client, FIONBIO, 1); // a send that would block returns what it sent, and the rest waits
        clients.add(client);
      } catch (error) {
        if (!(error instanceof WinsockError && (error.errno === WSAEMFILE || error.errno === WSAENOBUFS))) throw error;
        if (!shortage) console.error(`accept failed with error: ${error.errno}; accepting again as clients finish`);
        shortage = true;
        acceptPausedUntil = Date.now() + ACCEPT_PAUSE_MS;
        continue;
      }
      if (shortage) console.error('accepting again');
      shortage = false;
      served++;
      continue;
    }
    serve(s);
  }
}
closesocket(listener);
cleanup();
console.log(`served ${served} clients`);
