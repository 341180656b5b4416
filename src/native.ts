// The only file that loads the addon. It tries a prebuilt binary for this platform first
// (prebuilds/<platform>-<arch>/winsock.node: the MinGW cross-build for win32-x64), then the node-gyp build found by
// `bindings`. Swapping how the addon is built touches this file alone. WINSOCK_ADDON_PATH names one build to load
// instead (the sanitizer build of scripts/with-asan.sh); child processes inherit it, so they load the same one.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An open or closed Winsock socket: the opaque object that `socket()` and `accept()` return. It is not a number,
 * so a closed SOCKET can never alias a newer socket that reused its descriptor.
 */
declare const socketBrand: unique symbol;
export interface SOCKET {
  readonly [socketBrand]: 'SOCKET';
}

/** The class of SOCKET objects: usable with `instanceof`, not constructible from JavaScript. */
export interface SocketClass extends Function {
  readonly prototype: SOCKET;
}

/** An IPv4 or IPv6 socket address as the addon reports it. */
export interface NativeEndpoint {
  family: number;
  address: string;
  port: number;
}

export interface NativeAddrInfo extends NativeEndpoint {
  flags: number;
  socktype: number;
  protocol: number;
  canonname: string | null;
}

export interface NativeWSAData {
  version: string;
  highVersion: string;
  description: string;
  systemStatus: string;
}

export type ErrorFactory = (errno: number, syscall: string, address?: string, port?: number) => Error;

export interface NativeAddon extends NativeAsync {
  readonly SOCKET: SocketClass;
  readonly constants: Readonly<Record<string, number>>;
  setErrorFactory(factory: ErrorFactory): void;
  startup(version: number): NativeWSAData;
  cleanup(): void;
  getLastError(): number;
  getaddrinfo(
    node: string | null,
    service: string | null,
    flags: number,
    family: number,
    socktype: number,
    protocol: number,
  ): NativeAddrInfo[];
  socket(af: number, type: number, protocol: number): SOCKET;
  bind(s: SOCKET, address: string, port: number): void;
  listen(s: SOCKET, backlog: number): void;
  accept(s: SOCKET): NativeEndpoint & { socket: SOCKET };
  connect(s: SOCKET, address: string, port: number): void;
  send(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags: number): number;
  recv(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags: number): number;
  recv(s: SOCKET, len: number, flags: number): Buffer;
  shutdown(s: SOCKET, how: number): void;
  closesocket(s: SOCKET): void;
  getsockname(s: SOCKET): NativeEndpoint;
  getpeername(s: SOCKET): NativeEndpoint;
  setsockopt(s: SOCKET, level: number, optname: number, optval: number | boolean | ArrayBufferView | ArrayBuffer): void;
  getsockopt(s: SOCKET, level: number, optname: number): number;
  getsockopt(s: SOCKET, level: number, optname: number, optlen: number): Buffer;
}

/** Called by the addon when a watched socket is ready (`errno` 0) or its waiters must fail with `errno`. */
export type ReadinessCallback = (s: SOCKET, errno: number, events: number) => void;

/** The nonblocking primitives under `winsock/promises`; each try* returns null for WSAEWOULDBLOCK. */
export interface NativeAsync {
  setReadinessCallback(callback: ReadinessCallback): void;
  watch(s: SOCKET, events: number): void;
  tryAccept(s: SOCKET): (NativeEndpoint & { socket: SOCKET }) | null;
  tryConnect(s: SOCKET, address: string, port: number): boolean;
  connectResult(s: SOCKET, address: string, port: number): boolean;
  trySend(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags: number): number | null;
  tryRecv(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags: number): number | null;
  tryRecv(s: SOCKET, len: number, flags: number): Buffer | null;
  /** Resolves on the threadpool; calls back with (error) or (null, entries). */
  getaddrinfoAsync(
    node: string | null,
    service: string | null,
    flags: number,
    family: number,
    socktype: number,
    protocol: number,
    callback: (error: Error | null, entries?: NativeAddrInfo[]) => void,
  ): void;
}

/** The folder of this package's package.json, found from this file wherever the compiled tree sits. */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'winsock') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`winsock: no package.json of package "winsock" above ${start}`);
  }
}

function loadAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const chosen = process.env.WINSOCK_ADDON_PATH;
  if (chosen) return require(resolve(chosen)) as NativeAddon;
  const prebuild = join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, 'winsock.node');
  if (existsSync(prebuild)) return require(prebuild) as NativeAddon;
  const bindings = require('bindings') as (options: { bindings: string; module_root: string }) => unknown;
  return bindings({ bindings: 'winsock', module_root: packageRoot }) as NativeAddon;
}

export const native: NativeAddon = loadAddon();
