// Fixtures for the tests of Node's ecosystem over winsock sockets (http, tls, undici): one HTTP handler, the same
// server run over a winsock Server (emitConnections) and over node:net, and deterministic bytes to verify by hash.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

import { Server, emitConnections } from '../src/socket.js';

export const run = promisify(execFile);

/** `length` bytes that depend only on `length` and `seed` (xorshift32): the test knows what a download must hold. */
export function patternBytes(length: number, seed = 0x9e3779b9): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The handler both servers run: GET /hello, GET /bytes/<n> (patternBytes(n), written in 64 KiB pieces, chunked),
 * POST /upload (answers the body's length and SHA-256). Every request's remote port is added to `peers`, so a test
 * can tell how many connections a client used.
 */
export function handler(peers: Set<number>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    peers.add(req.socket.remotePort ?? -1);
    const bytes = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && req.url === '/hello') {
      // An explicit length: without one node:http closes an HTTP/1.0 connection (ab's) after the response.
      res.writeHead(200, { 'content-length': 11 });
      res.end('hello world');
    } else if (req.method === 'GET' && bytes !== null) {
      const body = patternBytes(Number(bytes[1]));
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const piece = 64 * 1024;
      const writeFrom = (offset: number): void => {
        while (offset < body.length) {
          const more = res.write(body.subarray(offset, offset + piece));
          offset += piece;
          if (!more) {
            res.once('drain', () => writeFrom(offset));
            return;
          }
        }
        res.end();
      };
      writeFrom(0);
    } else if (req.method === 'POST' && req.url === '/upload') {
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ length, sha256: hash.digest('hex') }));
      });
    } else {
      res.statusCode = 404;
      res.end();
    }
  };
}

/** One running HTTP server: where it listens, the remote ports it saw, and how to stop it. */
export interface RunningHttp {
  readonly kind: 'winsock' | 'node:net';
  readonly port: number;
  readonly peers: Set<number>;
  stop(): Promise<void>;
}

/** node:http serving connections a winsock Server accepts (emitConnections). */
export function startWinsockHttp(): RunningHttp {
  const peers = new Set<number>();
  const http = createServer(handler(peers));
  const server = Server.listen({ host: '127.0.0.1', noDelay: true });
  const serving = emitConnections(server, http);
  return {
    kind: 'winsock',
    port: server.address().port,
    peers,
    async stop() {
      const closing = server.close();
      http.closeAllConnections();
      await closing;
      await serving;
    },
  };
}

/** The same node:http server listening itself, over node:net: the reference the winsock one is held to. */
export async function startNetHttp(): Promise<RunningHttp> {
  const peers = new Set<number>();
  const http: HttpServer = createServer(handler(peers));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    kind: 'node:net',
    port: (http.address() as AddressInfo).port,
    peers,
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Runs `check` against the winsock server, then against the node:net one, stopping each afterwards. */
export async function onBothServers(check: (server: RunningHttp) => Promise<void>): Promise<void> {
  for (const start of [startWinsockHttp, startNetHttp]) {
    const server = await start();
    try {
      await check(server);
    } catch (error) {
      throw new Error(`over ${server.kind}: ${(error as Error).message}`, { cause: error });
    } finally {
      await server.stop();
    }
  }
}
