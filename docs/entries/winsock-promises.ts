/**
 * The calls that block in `winsock`, as promises that never block the event loop (`accept`, `connect`, `send`,
 * `recv`, `recvInto`, `getaddrinfo`), each with `{ signal, timeout }`, plus the calls that never block and the
 * constants, so one import serves a whole program.
 *
 * ```ts
 * import * as ws from 'winsock/promises';
 * ```
 *
 * @module winsock/promises
 */
export * from '../../src/promises.js';
