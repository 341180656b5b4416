/**
 * The 1:1 synchronous Windows Sockets 2 API: `startup`, `getaddrinfo`, `socket`, `bind`, `listen`, `accept`,
 * `connect`, `send`, `recv`, `shutdown`, `closesocket`, ..., with Winsock's names, blocking semantics and error
 * numbers on every OS, the constants of the running OS, and {@link WinsockError}.
 *
 * ```ts
 * import { startup, socket, connect, AF_INET, SOCK_STREAM, IPPROTO_TCP } from 'winsock';
 * ```
 *
 * @module winsock
 */
// TypeDoc names a module after its entry file; these re-exports give each one the specifier users import.
export * from '../../src/index.js';
