// The tutorial's client ("Complete Winsock Client Code"), line for line on winsock/promises: connect to the first
// address of the server that answers, send "this is a test", shut down sending, print what comes back.
import {
  AF_UNSPEC, IPPROTO_TCP, SD_SEND, SOCK_STREAM,
  cleanup, closesocket, connect, getaddrinfo, recvInto, send, shutdown, socket, startup,
  type SOCKET,
} from '../src/promises.js';
import { errnoOf, print } from './transcript.js';

const DEFAULT_BUFLEN = 512;
const sendbuf = 'this is a test';

export interface ClientOptions {
  host: string;
  port: number;
}

export async function runClient({ host, port }: ClientOptions): Promise<number> {
  try {
    startup('2.2');
  } catch (error) {
    print(`WSAStartup failed with error: ${errnoOf(error)}`);
    return 1;
  }
  const failed = (what: string, error: unknown, open?: SOCKET): number => {
    print(`${what} failed with error: ${errnoOf(error)}`);
    if (open !== undefined) closesocket(open);
    cleanup();
    return 1;
  };

  let result;
  try {
    result = await getaddrinfo(host, port, { family: AF_UNSPEC, socktype: SOCK_STREAM, protocol: IPPROTO_TCP });
  } catch (error) {
    return failed('getaddrinfo', error);
  }

  // Attempt to connect to an address until one succeeds
  let connectSocket: SOCKET | undefined;
  for (const ptr of result) {
    let candidate: SOCKET;
    try {
      candidate = socket(ptr.family, ptr.socktype, ptr.protocol);
    } catch (error) {
      return failed('socket', error);
    }
    try {
      await connect(candidate, ptr);
    } catch {
      closesocket(candidate);
      continue;
    }
    connectSocket = candidate;
    break;
  }
  if (connectSocket === undefined) {
    print('Unable to connect to server!');
    cleanup();
    return 1;
  }

  let sent: number;
  try {
    sent = await send(connectSocket, sendbuf);
  } catch (error) {
    return failed('send', error, connectSocket);
  }
  print(`Bytes Sent: ${sent}`);

  // shutdown the connection since no more data will be sent
  try {
    shutdown(connectSocket, SD_SEND);
  } catch (error) {
    return failed('shutdown', error, connectSocket);
  }

  // Receive until the peer closes the connection
  const recvbuf = Buffer.alloc(DEFAULT_BUFLEN);
  let received: number;
  do {
    try {
      received = await recvInto(connectSocket, recvbuf);
    } catch (error) {
      return failed('recv', error, connectSocket);
    }
    print(received > 0 ? `Bytes received: ${received}` : 'Connection closed');
  } while (received > 0);

  closesocket(connectSocket);
  cleanup();
  return 0;
}
