// The tutorial's server ("Complete Winsock Server Code"), line for line on winsock/promises: accept one client,
// echo what it sends until it shuts down its side, then shut down and close. Returns the process exit code.
// With `forever`, it keeps listening and serves any number of clients at once, each with the same transcript.
import {
  AF_INET, AI_PASSIVE, IPPROTO_TCP, SD_SEND, SOCK_STREAM, SOMAXCONN,
  accept, bind, cleanup, closesocket, getaddrinfo, getsockname, listen, recvInto, send, shutdown, socket, startup,
  type SOCKET,
} from '../src/promises.js';
import { errnoOf, note, print } from './transcript.js';

const DEFAULT_BUFLEN = 512;

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

  if (forever) {
    for (;;) {
      let accepted: SOCKET;
      try {
        accepted = (await accept(listenSocket)).socket;
      } catch (error) {
        return failed('accept', error, listenSocket);
      }
      void echo(accepted); // its failures are printed in its own transcript lines
    }
  }

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
