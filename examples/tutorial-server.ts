// Microsoft's "Complete Winsock Server Code", ported call for call to the winsock package (synchronous API).
// Run: node dist-test/examples/tutorial-server.js [port]   (the tutorial's port, 27015, by default)
import {
  AF_INET, AI_PASSIVE, IPPROTO_TCP, SD_SEND, SOCK_STREAM, SOMAXCONN, WinsockError,
  WSACleanup, WSAStartup, accept, bind, closesocket, getaddrinfo, getsockname, listen, recv, send, shutdown, socket,
} from 'winsock';

const DEFAULT_BUFLEN = 512;
const DEFAULT_PORT = process.argv[2] ?? '27015';

function main(): number {
  WSAStartup('2.2'); // iResult = WSAStartup(MAKEWORD(2,2), &wsaData);

  // hints.ai_family = AF_INET; ai_socktype = SOCK_STREAM; ai_protocol = IPPROTO_TCP; ai_flags = AI_PASSIVE;
  const [result] = getaddrinfo(null, DEFAULT_PORT, { family: AF_INET, socktype: SOCK_STREAM, protocol: IPPROTO_TCP, flags: AI_PASSIVE });
  const ListenSocket = socket(result!.family, result!.socktype, result!.protocol);
  bind(ListenSocket, result!); // bind(ListenSocket, result->ai_addr, (int)result->ai_addrlen);
  listen(ListenSocket, SOMAXCONN);
  console.error(`Listening on port ${getsockname(ListenSocket).port}`);

  const ClientSocket = accept(ListenSocket).socket; // accept(ListenSocket, NULL, NULL);
  closesocket(ListenSocket); // No longer need server socket

  const recvbuf = Buffer.alloc(DEFAULT_BUFLEN);
  let iResult: number;
  do {
    iResult = recv(ClientSocket, recvbuf); // recv(ClientSocket, recvbuf, recvbuflen, 0);
    if (iResult > 0) {
      console.log(`Bytes received: ${iResult}`);
      const iSendResult = send(ClientSocket, recvbuf.subarray(0, iResult)); // echo the buffer back
      console.log(`Bytes sent: ${iSendResult}`);
    } else {
      console.log('Connection closing...');
    }
  } while (iResult > 0);

  shutdown(ClientSocket, SD_SEND);
  closesocket(ClientSocket);
  WSACleanup();
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  // Each failing call throws; its errno is what WSAGetLastError() returns in C.
  if (!(error instanceof WinsockError)) throw error;
  console.log(`${error.syscall} failed with error: ${error.errno}`);
  process.exitCode = 1;
}
