// Microsoft's "Complete Winsock Client Code", ported call for call to the winsock package (synchronous API).
// Run: node dist-test/examples/tutorial-client.js <server-name> [port]
import {
  AF_UNSPEC, IPPROTO_TCP, SD_SEND, SOCK_STREAM, WinsockError,
  WSACleanup, WSAStartup, closesocket, connect, getaddrinfo, recv, send, shutdown, socket, type SOCKET,
} from 'winsock';

const DEFAULT_BUFLEN = 512;
const sendbuf = 'this is a test';

function main(serverName: string | undefined, port = '27015'): number {
  if (serverName === undefined) {
    console.log('usage: tutorial-client server-name [port]');
    return 1;
  }
  WSAStartup('2.2');
  const result = getaddrinfo(serverName, port, { family: AF_UNSPEC, socktype: SOCK_STREAM, protocol: IPPROTO_TCP });

  // Attempt to connect to an address until one succeeds
  let ConnectSocket: SOCKET | undefined;
  for (const ptr of result) {
    const candidate = socket(ptr.family, ptr.socktype, ptr.protocol);
    try {
      connect(candidate, ptr);
    } catch {
      closesocket(candidate);
      continue;
    }
    ConnectSocket = candidate;
    break;
  }
  if (ConnectSocket === undefined) {
    console.log('Unable to connect to server!');
    WSACleanup();
    return 1;
  }

  console.log(`Bytes Sent: ${send(ConnectSocket, sendbuf)}`);
  shutdown(ConnectSocket, SD_SEND); // no more data will be sent

  const recvbuf = Buffer.alloc(DEFAULT_BUFLEN);
  let iResult: number;
  do {
    iResult = recv(ConnectSocket, recvbuf);
    console.log(iResult > 0 ? `Bytes received: ${iResult}` : 'Connection closed');
  } while (iResult > 0);

  closesocket(ConnectSocket);
  WSACleanup();
  return 0;
}

try {
  process.exitCode = main(process.argv[2], process.argv[3]);
} catch (error) {
  if (!(error instanceof WinsockError)) throw error;
  console.log(`${error.syscall} failed with error: ${error.errno}`);
  process.exitCode = 1;
}
