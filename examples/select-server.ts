// A select()-based echo server, the classic single-threaded Winsock pattern: one blocking select() over the
// listening socket and every client, then accept/recv/send on whichever is ready. Synchronous API only.
// Run: node dist-test/examples/select-server.js [port] [clients-to-serve]
import {
  AF_INET, IPPROTO_TCP, SOCK_STREAM, closesocket, accept, bind, getsockname, listen, recv, select, send, socket,
  startup, cleanup, type SOCKET,
} from 'winsock';

startup();
const listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
bind(listener, '127.0.0.1', Number(process.argv[2] ?? 0));
listen(listener);
console.error(`Listening on 127.0.0.1:${getsockname(listener).port}`);
const limit = Number(process.argv[3] ?? Infinity); // serve this many clients, then stop (for the demo and tests)

const clients = new Set<SOCKET>();
let served = 0;
while (served < limit || clients.size > 0) {
  const readfds = served < limit ? [listener, ...clients] : [...clients];
  const { read } = select(readfds, null, null); // blocks until one is readable
  for (const s of read) {
    if (s === listener) {
      clients.add(accept(listener).socket);
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
