// A multicast chat on this machine only: every member joins 239.255.42.99 on the loopback interface, sends with
// TTL 0 (never leaves the host) and loopback on, and prints what the group says.
// Run: node dist-test/examples/multicast-chat.js [name] [port]   then type lines; or `demo` to send three and exit.
import { createInterface } from 'node:readline';

import * as ws from 'winsock/promises';

const GROUP = '239.255.42.99';

function member(port: number): ws.SOCKET {
  const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  ws.setOption(s, 'SO_REUSEADDR', true); // several members on one machine share the port
  ws.bind(s, '0.0.0.0', port);
  ws.addMembership(s, GROUP, '127.0.0.1');
  ws.setOption(s, 'IP_MULTICAST_IF', '127.0.0.1');
  ws.setOption(s, 'IP_MULTICAST_TTL', 0);
  ws.setOption(s, 'IP_MULTICAST_LOOP', true);
  return s;
}

/**
 * Datagrams one sender got wrong, which must not end the chat for everyone: longer than the buffer (anyone can send
 * one to the port), and on Windows the ICMP "port unreachable" an earlier send brought back.
 */
const SKIPPED: ReadonlySet<number> = new Set([ws.WSAEMSGSIZE, ws.WSAECONNRESET]);

/** Prints what the group says, until `count` messages or until the socket is closed. */
async function listen(s: ws.SOCKET, count = Infinity): Promise<void> {
  for (let heard = 0; heard < count; ) {
    let datagram: ws.Datagram;
    try {
      datagram = await ws.recvfrom(s, 1500);
    } catch (error) {
      if (!(error instanceof ws.WinsockError)) throw error;
      if (error.errno === ws.WSAEINTR) return; // closesocket() at the end of the chat
      if (!SKIPPED.has(error.errno)) throw error;
      console.error(`(skipped a datagram: ${error.code})`);
      continue;
    }
    heard++;
    console.log(`[${datagram.port}] ${datagram.data.toString()}`);
  }
}

ws.startup();
const [name = 'demo', portText = '0'] = process.argv.slice(2);
const s = member(Number(portText));
const port = ws.getsockname(s).port;
if (name === 'demo') {
  const hearing = listen(s, 3);
  for (const line of ['hello, group', 'multicast stays on loopback', 'bye']) await ws.sendto(s, line, GROUP, port);
  await hearing;
  ws.dropMembership(s, GROUP, '127.0.0.1');
  ws.closesocket(s);
} else {
  console.error(`chatting on ${GROUP}:${port} as ${name}`);
  void listen(s);
  for await (const line of createInterface({ input: process.stdin })) await ws.sendto(s, `${name}: ${line}`, GROUP, port);
  ws.closesocket(s);
}
