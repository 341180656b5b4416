/**
 * The everyday classes over the async API: {@link Socket} and {@link Server}, with async iteration,
 * `await using` and a `stream.Duplex` adapter.
 *
 * ```ts
 * import { Server, Socket } from 'winsock/socket';
 * ```
 *
 * @module winsock/socket
 */
export * from '../../src/socket.js';
