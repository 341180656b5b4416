// The tutorial's server ("Complete Winsock Server Code"), line for line on the winsock API: accept one client, echo
// what it sends until it shuts down its side, then shut down and close. Returns the process exit code.
import {
  AF_INET, AI_PASSIVE, IPPROTO_TCP, SD_SEND, SOCK_STREAM, SOMAXCONN,
  accept, bind, cleanup, closesocket, getaddrinfo, getsockname, listen, recv, send, shutdown, socket, startup,
  type SOCKET,
} from '../src/index.js';
import { errnoOf, note, print } from './transcript.js';

const DEFAULT_BUFLEN = 512;

export interface ServerOptions {
  /** The address to listen on; null listens on every interface, as the tutorial does. */
  host: string | null;
  port: number;
}

export function runServer({ host, port }: ServerOptions): number {
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
    result = getaddrinfo(host, port, { family: AF_INET, socktype: SOCK_STREAM, protocol: IPPROTO_TCP, flags: AI_PASSIVE });
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

  let clientSocket: SOCKET;
  try {
    clientSocket = accept(listenSocket).socket;
  } catch (error) {
    return failed('accept', error, listenSocket);
  }
  closesocket(listenSocket); // No longer need server socket

  const recvbuf = Buffer.alloc(DEFAULT_BUFLEN);
  let received: number;
  do {
    try {
      received = recv(clientSocket, recvbuf);
    } catch (error) {
      return failed('recv', error, clientSocket);
    }
    if (received > 0) {
      print(`Bytes received: ${received}`);
      let sent: number;
      try {
        sent = send(clientSocket, recvbuf.subarray(0, received));
      } catch (error) {
        return failed('send', error, clientSocket);
      }
      print(`Bytes sent: ${sent}`);
    } else {
      print('Connection closing...');
    }
  } while (received > 0);

  try {
    shutdown(clientSocket, SD_SEND);
  } catch (error) {
    return failed('shutdown', error, clientSocket);
  }
  closesocket(clientSocket);
  cleanup();
  return 0;
}
