// The sockets a fuzz run has made: open and closed SOCKETs (a closed one is as good an argument as an open one),
// listeners and the ports they listen on, and the high-level Servers and Sockets. Bounded, so a long run keeps a
// steady number of descriptors: past the limit the oldest is closed.
import * as ws from '../../src/index.js';
import type { Server, Socket } from '../../src/socket.js';

const MAX_OPEN = 48;
const MAX_REMEMBERED_CLOSED = 64;
const MAX_HIGH_LEVEL = 16;

/**
 * Every socket the fuzzer gets is given a 10 ms receive and send timeout, so a blocking call (a sync accept with
 * nobody connecting, a sync recv with nothing to read) returns instead of blocking the run forever. That is the
 * caller's choice in Winsock too; the fuzzer makes it for every socket.
 */
const TIMEOUT_MS = 10;

export class Pool {
  readonly open = new Set<ws.SOCKET>();
  private closed: ws.SOCKET[] = [];
  /** Listening SOCKETs and their ports, including those of Servers. */
  readonly listeners = new Map<ws.SOCKET, number>();
  readonly servers: Server[] = [];
  readonly sockets: Socket[] = [];
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  /** Takes a new SOCKET into the pool, with the 10 ms timeouts; closes the oldest one past the limit. */
  add(s: ws.SOCKET): ws.SOCKET {
    this.idOf(s);
    for (const option of ['SO_RCVTIMEO', 'SO_SNDTIMEO'] as const) {
      try {
        ws.setOption(s, option, TIMEOUT_MS);
      } catch {
        // a closed socket, or after cleanup(): it blocks nothing then
      }
    }
    this.open.add(s);
    while (this.open.size > MAX_OPEN) this.close(this.open.values().next().value!);
    return s;
  }

  addListener(s: ws.SOCKET): void {
    try {
      this.listeners.set(s, ws.getsockname(s).port);
    } catch {
      // closed already
    }
  }

  addServer(server: Server): void {
    this.add(server.handle);
    this.addListener(server.handle);
    this.servers.push(server);
    while (this.servers.length > MAX_HIGH_LEVEL) this.servers.shift()!.close();
  }

  addSocket(socket: Socket): void {
    this.add(socket.handle);
    this.sockets.push(socket);
    while (this.sockets.length > MAX_HIGH_LEVEL) this.sockets.shift()!.close();
  }

  /** Closes `s` (if it is still open) and remembers it as a closed SOCKET to pass around. */
  close(s: ws.SOCKET): void {
    this.forget(s);
    try {
      ws.closesocket(s);
    } catch {
      // closed by the run already (closesocket, cleanup(), a Server or Socket)
    }
  }

  /** Notes that `s` was closed by a call the run made. */
  forget(s: ws.SOCKET): void {
    if (!this.open.delete(s)) return;
    this.listeners.delete(s);
    this.closed.push(s);
    if (this.closed.length > MAX_REMEMBERED_CLOSED) this.closed = this.closed.slice(-MAX_REMEMBERED_CLOSED);
  }

  /** After the last cleanup(): every socket of the environment is closed. */
  forgetAll(): void {
    for (const s of [...this.open]) this.forget(s);
  }

  /** Any SOCKET the run has seen: mostly open ones, sometimes closed ones. */
  anySocket(pick: <T>(items: readonly T[]) => T, closedToo: boolean): ws.SOCKET | undefined {
    const open = [...this.open];
    if (closedToo && this.closed.length > 0 && (open.length === 0 || pick([false, false, false, true]))) {
      return pick(this.closed);
    }
    return open.length > 0 ? pick(open) : undefined;
  }

  ports(): number[] {
    return [...this.listeners.values()];
  }

  idOf(thing: object): number {
    let id = this.ids.get(thing);
    if (id === undefined) this.ids.set(thing, (id = this.nextId++));
    return id;
  }

  /** Closes everything: what a run does at its end, after which every pending call must settle. */
  closeAll(): void {
    for (const server of this.servers.splice(0)) server.close();
    for (const socket of this.sockets.splice(0)) socket.close();
    for (const s of [...this.open]) this.close(s);
  }
}
