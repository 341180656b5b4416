// A select()-based echo server, the classic single-threaded Winsock pattern: one blocking select() over the
// listening socket and every client, then accept/recv/send on whichever is ready. Synchronous API only.
// Run: node dist-test/examples/select-server.js [port] [clients-to-serve]
import {
  AF_INET, IPPROTO_TCP, SOCK_STREAM, WSAEMFILE, WSAENOBUFS, WinsockError, closesocket, accept, bind, getsockname,
  listen, recv, select, send, socket, startup, cleanup, type SOCKET,
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
let served = 0;
// Out of descriptors, the pending connection stays queued and the listener stays readable: accepting again at once
// would spin. The listener sits out for a pause instead (reported once per shortage), while clients are served.
let acceptPausedUntil = 0;
let shortage = false;
while (served < limit || clients.size > 0) {
  const paused = Date.now() < acceptPausedUntil;
  const readfds = served < limit && !paused ? [listener, ...clients] : [...clients];
  if (readfds.length === 0) {
    sleep(acceptPausedUntil - Date.now());
    continue;
  }
  const timeout = paused ? Math.max(0, acceptPausedUntil - Date.now()) : null;
  const { read } = select(readfds, null, null, timeout); // blocks until one is readable (or the pause ends)
  for (const s of read) {
    if (s === listener) {
      try {
        clients.add(accept(listener).socket);
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
    const data = recv(s, 4096);
    if (data.length === 0) {
      closesocket(s); // the client ended: 0 bytes, as recv returns in C
      clients.delete(s);
    } else {
      send(s, data);
    }
  }
}
closesocket(listener);
cleanup();
console.log(`served ${served} clients`);
