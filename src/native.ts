// The only file that loads the addon. It tries the prebuilt binary for this platform first
// (prebuilds/<platform>-<arch>/, see prebuild.ts: shipped in the npm package, so no compiler is needed), then
// node-gyp's build (build/Release, then build/Debug), which the install script makes only when no prebuild fits or
// WINSOCK_BUILD_FROM_SOURCE=1 asks for it. Swapping how the addon is built touches this file alone.
// WINSOCK_ADDON_PATH names one build to load instead (the sanitizer build of scripts/with-asan.sh, the clang
// Windows build under Wine, the cmake-js build): the suite then tests that binary. Child processes inherit it, so
// they load the same one.
//
// Every process that imports the package pays for this file, so it loads nothing it does not need: node:fs through
// require (see builtins.ts), and node-gyp's two folders checked here rather than through the `bindings` package,
// whose own load cost 3 ms of CPU (bench/notes.md, "Importing the package").
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { fs, require } from './builtins.js';
import { findPrebuild, prebuildCandidates, type PrebuildCandidates } from './prebuild.js';
import { chooseReadinessBackend, runtime, type ReadinessBackendName, type RuntimeName } from './runtime.js';

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
  /** The prototype every SOCKET object has. */
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

export interface NativeMessage extends NativeEndpoint {
  data: Buffer;
  localAddress?: string;
  interfaceIndex?: number;
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
  /**
   * The readiness events `watch` takes on this OS: readable (1) and writable (2) everywhere, and prioritized (4,
   * out-of-band data and error conditions) where libuv maps it (POSIX, not Windows).
   */
  readonly watchableEvents: number;
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
  sendto(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, address: string, port: number, flags: number): number;
  recvfrom(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, flags: number): NativeEndpoint & { bytes: number };
  recvfrom(s: SOCKET, len: number, flags: number): NativeEndpoint & { data: Buffer };
  trySendTo(s: SocketId, buf: ArrayBufferView | ArrayBuffer, address: string, port: number, flags: number): number | null;
  tryRecvFrom(s: SocketId, buf: ArrayBufferView | ArrayBuffer, flags: number): (NativeEndpoint & { bytes: number }) | null;
  tryRecvFrom(s: SocketId, len: number, flags: number): (NativeEndpoint & { data: Buffer }) | null;
  setTimeoutOption(s: SOCKET, optname: number, milliseconds: number): void;
  getTimeoutOption(s: SOCKET, optname: number): number;
  setLinger(s: SOCKET, onoff: boolean, linger: number): void;
  getLinger(s: SOCKET): { onoff: boolean; linger: number };
  setMembership(s: SOCKET, level: number, optname: number, group: string, interfaceAddress: string | null, interfaceIndex: number): void;
  setMulticastInterface4(s: SOCKET, interfaceAddress: string): void;
  ioctlsocket(s: SOCKET, cmd: number, argp: number): number;
  setKeepAliveValues(s: SOCKET, onoff: boolean, keepalivetime: number, keepaliveinterval: number): void;
  booleanIoctl(s: SOCKET, code: number, value: boolean): void;
  select(
    readfds: readonly SOCKET[] | null,
    writefds: readonly SOCKET[] | null,
    exceptfds: readonly SOCKET[] | null,
    timeout: number | null,
  ): { count: number; read: SOCKET[]; write: SOCKET[]; except: SOCKET[] };
  WSAPoll(fds: { socket: SOCKET; events: number; revents?: number }[], timeout: number | null): number;
  setTrafficClass(s: SOCKET, tos: number): void;
  getTrafficClass(s: SOCKET): number;
  setUserTimeout(s: SOCKET, milliseconds: number): void;
  getUserTimeout(s: SOCKET): number;
  nativeHandle(s: SOCKET): bigint;
  share(s: SOCKET, pid: number): Buffer;
  fromShare(blob: ArrayBufferView | ArrayBuffer): SOCKET;
  sendSocket(path: string, s: SOCKET, timeout: number): void;
  receiveSocket(path: string, timeout: number): SOCKET;
  enablePacketInfo(s: SOCKET): void;
  recvmsg(s: SOCKET, len: number, flags: number): NativeMessage;
  tryRecvMsg(s: SocketId, len: number, flags: number): NativeMessage | null;
  sendmsg(s: SOCKET, buf: ArrayBufferView | ArrayBuffer, address: string, port: number, flags: number,
    localAddress?: string, interfaceIndex?: number): number;
  trySendMsg(s: SocketId, buf: ArrayBufferView | ArrayBuffer, address: string, port: number, flags: number,
    localAddress?: string, interfaceIndex?: number): number | null;
  getnameinfo(address: string, port: number, flags: number): { host: string; service: string };
  /** Looks up on the threadpool; calls back once with (error) or (null, names). */
  getnameinfoAsync(address: string, port: number, flags: number, callback: NativeCallback<{ host: string; service: string }>): void;
  gethostname(): string;
  inet_pton(family: number, text: string): Buffer;
  inet_ntop(family: number, bytes: ArrayBufferView | ArrayBuffer): string;
  setsockopt(s: SOCKET, level: number, optname: number, optval: number | boolean | ArrayBufferView | ArrayBuffer): void;
  getsockopt(s: SOCKET, level: number, optname: number): number;
  getsockopt(s: SOCKET, level: number, optname: number, optlen: number): Buffer;
}

/**
 * How threadpool work reports: once, with (error) or (null, value). A callback, not a promise made by the addon: N-API
 * cannot free a promise's deferred while a terminated worker's environment is stopping, so each lookup in flight leaked.
 */
export type NativeCallback<T> = (error: Error | null, value?: T) => void;

/**
 * Called by the addon when a watched socket is ready (`errno` 0) or its waiters must fail with `errno`. `read`: what
 * the addon read for an armed recvInto (tryRecv's `arm`) when `events` has READABLE: the byte count, -errno for a
 * failure, null when nothing came yet (it waits on, armed); undefined when nothing was armed or JavaScript must retry.
 */
export type ReadinessCallback = (s: SOCKET, errno: number, events: number, read: number | null | undefined) => void;

/** A socket's key in the addon's registry (socketId()), by which the try* calls name it: cheaper than a SOCKET. */
export type SocketId = number;

/**
 * The nonblocking primitives under `winsock/promises`; each try* returns null for WSAEWOULDBLOCK, and then watches
 * the socket for the readiness the call waits for, delivered once to the readiness callback.
 */
export interface NativeAsync {
  setReadinessCallback(callback: ReadinessCallback): void;
  /** Tells the addon which runtime hosts it (src/runtime.ts): Deno's Node-API differs at teardown. */
  setRuntime(runtime: RuntimeName): void;
  /** Chooses how sockets are watched, before the first is; an Error for another backend once one has been. */
  setReadinessBackend(backend: ReadinessBackendName): void;
  readinessBackend(): ReadinessBackendName;
  /** The id of a SOCKET, for the calls below; a TypeError for anything else. */
  socketId(s: SOCKET): SocketId;
  /** Starts watching `s` for `events` (added to what it watches), for waits that make no try* first. */
  watch(s: SocketId, events: number): void;
  /** Stops watching `s` for `events` (a no-op on a closed socket): the last waiting call gave up. */
  unwatch(s: SocketId, events: number): void;
  /** Whether a call waiting on `s` keeps the event loop alive (true by default); a no-op on a closed socket. */
  setKeepsLoopAlive(s: SocketId, keeps: boolean): void;
  tryAccept(s: SocketId): (NativeEndpoint & { socket: SOCKET }) | null;
  tryConnect(s: SocketId, address: string, port: number): boolean;
  connectResult(s: SocketId, address: string, port: number): boolean;
  trySend(s: SocketId, buf: ArrayBufferView | ArrayBuffer, flags: number): number | null;
  /**
   * `arm`: the caller waits after a null and cannot leave its queue before it is settled (no signal, no timeout),
   * so the addon may read into `buf` itself when the socket becomes readable, and hand over the outcome with the
   * readiness event (ReadinessCallback's `read`).
   */
  tryRecv(s: SocketId, buf: ArrayBufferView | ArrayBuffer, flags: number, arm?: boolean): number | null;
  tryRecv(s: SocketId, len: number, flags: number): Buffer | null;
  getaddrinfoAsync(
    node: string | null,
    service: string | null,
    flags: number,
    family: number,
    socktype: number,
    protocol: number,
    callback: NativeCallback<NativeAddrInfo[]>,
  ): void;
}

/** The folder of this package's package.json, found from this file wherever the compiled tree sits. */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'winsock') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`winsock: no package.json of package "winsock" above ${start}`);
  }
}

/**
 * Where node-gyp writes the addon, in the order tried: a Release build, else a Debug one (`node-gyp rebuild
 * --debug`). Its other guesses (out/, compiled/, addon-build/, ...) belong to build tools this package does not use.
 */
export function nodeGypBuilds(root: string, name = 'winsock'): string[] {
  return [join(root, 'build', 'Release', `${name}.node`), join(root, 'build', 'Debug', `${name}.node`)];
}

/** What no build was found in: the files looked for. */
class NoBuild extends Error {
  constructor(readonly tries: readonly string[]) {
    super(`${tries.join(' or ')}: not found`);
  }
}

/**
 * The first of node-gyp's builds that exists, loaded. A build that exists but fails to load throws its own error,
 * not "not found", and the Debug build is then not tried: the failure is what the user needs to see.
 */
function loadNodeGypBuild(root: string): { addon: NativeAddon; path: string } {
  const tries = nodeGypBuilds(root);
  const path = tries.find((file) => fs.existsSync(file));
  if (path === undefined) throw new NoBuild(tries);
  // require, not process.dlopen: its cache gives a second evaluation of this file (a test runner's module
  // isolation) the same addon instance, as it always has.
  return { addon: require(path) as NativeAddon, path };
}

function loadAddon(): { addon: NativeAddon; path: string } {
  const chosen = process.env.WINSOCK_ADDON_PATH;
  if (chosen) return { addon: require(resolve(chosen)) as NativeAddon, path: resolve(chosen) };
  const candidates = prebuildCandidates(packageRoot);
  const prebuild = findPrebuild(candidates);
  let prebuildFailure: unknown;
  if (prebuild !== undefined) {
    try {
      return { addon: require(prebuild) as NativeAddon, path: prebuild };
    } catch (error) {
      // A prebuild that is present but does not load here (an older glibc than it was built against, a copied
      // node_modules): the install script then built from source, so the build below is the one to use.
      prebuildFailure = error;
    }
  }
  try {
    return loadNodeGypBuild(packageRoot);
  } catch (error) {
    throw new Error(notFoundMessage(candidates, prebuild, prebuildFailure, error as Error), {
      cause: prebuildFailure ?? error,
    });
  }
}

/** Names both places tried and why each failed, and how to get a working build. */
function notFoundMessage(
  candidates: PrebuildCandidates,
  prebuild: string | undefined,
  prebuildFailure: unknown,
  buildFailure: Error,
): string {
  const prebuildLine =
    prebuild === undefined
      ? `${candidates.files.map((file) => join(candidates.folder, file)).join(' or ')}: not found`
      : `${prebuild}: ${prebuildFailure instanceof Error ? prebuildFailure.message : String(prebuildFailure)}`;
  return [
    `winsock: no native addon loads for ${candidates.target} (Node ${process.versions.node}). Tried:`,
    `  1. the prebuilt binary: ${prebuildLine}`,
    `  2. the node-gyp build:  ${buildFailure.message}`,
    'Build it from source with `npm rebuild winsock` (needs Python and a C++ toolchain:',
    'https://github.com/nodejs/node-gyp#installation). If npm skipped the install script (`--ignore-scripts`,',
    'a denial in `allowScripts`, or `strict-allow-scripts`), approve it first: `npm install-scripts approve winsock`.',
  ].join('\n');
}

const loaded = loadAddon();

export const native: NativeAddon = loaded.addon;

// The runtime first, so the addon tears down right even if the choice below throws (a bad WINSOCK_POLLER). Then
// the backend, before anything can watch a socket: the addon asks for a libuv loop only when told uv_poll.
native.setRuntime(runtime);
native.setReadinessBackend(chooseReadinessBackend(process.env.WINSOCK_POLLER, runtime));

/** The file the addon was loaded from: the prebuild, or node-gyp's build. Shown by tests and for bug reports. */
export const addonPath: string = loaded.path;
