// Connecting to the first address that answers. Sequential (the tutorial's client: each address in turn, the next
// only after one fails), or Happy Eyeballs (RFC 8305, node:net's autoSelectFamily): the addresses interleaved by
// family, and a new attempt started every `attemptDelay` ms while the earlier ones still wait, the first to connect
// winning and the others closed. A failure starts the next attempt at once.
import { WSAENOTSOCK } from './constants.js';
import { WinsockError } from './errors.js';
import { closesocket, socket } from './index.js';
import { connect, type AsyncOptions } from './promises.js';
import type { AddrInfo, SOCKET } from './types.js';

/** RFC 8305 section 4: IPv6 and IPv4 alternate, starting with the family getaddrinfo put first. */
export function interleaveFamilies(addresses: readonly AddrInfo[]): AddrInfo[] {
  const first = addresses[0]?.family;
  const preferred = addresses.filter((a) => a.family === first);
  const others = addresses.filter((a) => a.family !== first);
  const mixed: AddrInfo[] = [];
  for (let i = 0; i < Math.max(preferred.length, others.length); i++) {
    if (i < preferred.length) mixed.push(preferred[i]!);
    if (i < others.length) mixed.push(others[i]!);
  }
  return mixed;
}

function closeQuietly(s: SOCKET): void {
  try {
    closesocket(s);
  } catch {
    // closed already (cleanup() closes every socket): nothing left to release
  }
}

/**
 * Connects a new socket to the first of `addresses` that accepts, trying them in order; with `attemptDelay` the
 * next attempt starts after that many ms even if the current one is still waiting. Rejects with the last address's
 * error when all fail, or at once with an AbortError (or any error that is not a WinsockError).
 */
export function connectFirst(
  addresses: readonly AddrInfo[],
  attemptDelay: number | undefined,
  options: AsyncOptions,
  host: string,
  port: number,
): Promise<SOCKET> {
  return new Promise<SOCKET>((resolve, reject) => {
    const waiting = new Set<SOCKET>();
    let next = 0;
    let settled = false;
    let lastError: unknown = new WinsockError(WSAENOTSOCK, 'connect', host, port);
    let timer: ReturnType<typeof setTimeout> | undefined;

    const settle = (error: unknown, winner?: SOCKET): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const s of waiting) closeQuietly(s); // their connect then rejects with WSAEINTR, which nobody awaits
      waiting.clear();
      if (winner !== undefined) resolve(winner);
      else reject(error);
    };

    const start = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (settled || next >= addresses.length) return;
      const address = addresses[next++]!;
      let s: SOCKET;
      try {
        s = socket(address.family, address.socktype, address.protocol);
      } catch (error) {
        lastError = error;
        if (waiting.size === 0) (next < addresses.length ? start() : settle(lastError));
        return;
      }
      waiting.add(s);
      if (attemptDelay !== undefined && next < addresses.length) timer = setTimeout(start, attemptDelay);
      connect(s, address, options).then(
        () => {
          waiting.delete(s);
          if (settled) closeQuietly(s);
          else settle(undefined, s);
        },
        (error: unknown) => {
          waiting.delete(s);
          closeQuietly(s);
          if (settled) return;
          if (!(error instanceof WinsockError)) return settle(error); // aborted: try no other address
          lastError = error;
          if (next < addresses.length) start();
          else if (waiting.size === 0) settle(lastError);
        },
      );
    };
    start();
  });
}
