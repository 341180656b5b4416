// A UDP echo server and client on winsock/promises.
// Run: node dist-test/examples/udp-echo.js server [port]        echo every datagram back to its sender
//      node dist-test/examples/udp-echo.js client host port text
//      node dist-test/examples/udp-echo.js demo                  both, in one process, on a free port
import * as ws from 'winsock/promises';

async function serve(s: ws.SOCKET, count = Infinity): Promise<void> {
  for (let served = 0; served < count; served++) {
    const { data, address, port } = await ws.recvfrom(s, 65535);
    console.log(`server: ${data.length} bytes from ${address}:${port}`);
    await ws.sendto(s, data, address, port);
  }
}

async function ask(host: string, port: number, text: string): Promise<string> {
  const [target] = await ws.getaddrinfo(host, port, { socktype: ws.SOCK_DGRAM, protocol: ws.IPPROTO_UDP });
  const s = ws.socket(target!.family, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  try {
    await ws.sendto(s, text, target!);
    const reply = await ws.recvfrom(s, 65535, { timeout: 2000 }); // UDP may lose it: never wait forever
    return reply.data.toString();
  } finally {
    ws.closesocket(s);
  }
}

function udpSocket(port: number): ws.SOCKET {
  const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  // Windows: else a client that sends and goes away makes the reply's ICMP "port unreachable" fail the server's
  // next recvfrom with WSAECONNRESET, which would end it. POSIX never reports that on this socket (accepted there).
  ws.WSAIoctl(s, ws.SIO_UDP_CONNRESET, false);
  ws.bind(s, '127.0.0.1', port);
  return s;
}

ws.startup();
const [mode = 'demo', ...args] = process.argv.slice(2);
if (mode === 'server') {
  const s = udpSocket(Number(args[0] ?? 0));
  console.error(`Listening on 127.0.0.1:${ws.getsockname(s).port}`);
  await serve(s);
} else if (mode === 'client') {
  console.log(`client: ${await ask(args[0] ?? '127.0.0.1', Number(args[1]), args[2] ?? 'hello')}`);
} else {
  const s = udpSocket(0);
  const serving = serve(s, 2);
  for (const text of ['hello', 'datagrams']) console.log(`client: ${await ask('127.0.0.1', ws.getsockname(s).port, text)}`);
  await serving;
  ws.closesocket(s);
}
