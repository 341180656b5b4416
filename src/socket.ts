// `winsock/socket`, the everyday layer: Socket (connection.ts) and Server (server.ts) over winsock/promises, with
// Node's names and node:net's options, and the Duplex (stream.ts) that node:http, TLS and undici take.
export { Socket, type ConnectOptions, type SocketOptions, type UnixConnectOptions } from './connection.js';
export { Server, emitConnections, type ConnectionListener, type ListenOptions } from './server.js';
export type { NetSocketMembers, SocketStream } from './stream.js';
