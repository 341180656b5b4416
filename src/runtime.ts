// Which JavaScript runtime loaded the package, and so how the addon waits for sockets. Node gives Node-API addons
// its libuv loop, and the addon watches sockets with uv_poll there. Bun and Deno load the same addon but have no
// real libuv loop behind napi_get_uv_event_loop (Bun aborts at any uv_* call), so there the addon runs a poller of
// its own on a thread (native/readiness_backend.h). Decided here, once, from JavaScript: detecting it natively
// would mean calling into libuv to find out.

/** The runtimes the package runs in. */
export type RuntimeName = 'node' | 'bun' | 'deno';

/**
 * How the async API waits for readiness: `'uv_poll'` on Node's libuv loop, or `'thread'`, the addon's own poller
 * (epoll, kqueue or WSAPoll) on one thread per environment.
 */
export type ReadinessBackendName = 'uv_poll' | 'thread';

interface RuntimeVersions {
  bun?: string;
  deno?: string;
}

/** The runtime this process is: Bun and Deno both also fill in `process.versions.node` for compatibility. */
export function detectRuntime(versions: RuntimeVersions = process.versions as RuntimeVersions): RuntimeName {
  if (typeof versions.bun === 'string') return 'bun';
  if (typeof versions.deno === 'string' || 'Deno' in globalThis) return 'deno';
  return 'node';
}

/** "Bun 1.4.5", "Deno 2.9.6", "Node 24.1.0": the runtime and version, for messages. */
export function describeRuntime(
  runtime: RuntimeName,
  versions: RuntimeVersions & { node?: string } = process.versions as RuntimeVersions & { node?: string },
): string {
  const name = { node: 'Node', bun: 'Bun', deno: 'Deno' }[runtime];
  return `${name} ${versions[runtime] ?? 'unknown version'}`;
}

/**
 * The backend for `runtime`, given WINSOCK_POLLER (`requested`): unset, uv_poll on Node and the thread poller
 * elsewhere; `thread` forces the thread poller (under Node too); `uv_poll` is refused where there is no libuv loop,
 * with a TypeError that says so, rather than letting the runtime abort at the first wait.
 */
export function chooseReadinessBackend(requested: string | undefined, runtime: RuntimeName): ReadinessBackendName {
  if (requested === undefined || requested === '') return runtime === 'node' ? 'uv_poll' : 'thread';
  if (requested === 'thread') return 'thread';
  if (requested === 'uv_poll') {
    if (runtime === 'node') return 'uv_poll';
    throw Object.assign(
      new TypeError(
        `WINSOCK_POLLER=uv_poll cannot work in ${describeRuntime(runtime)}: it has no libuv event loop behind ` +
          "napi_get_uv_event_loop to poll sockets on. Leave WINSOCK_POLLER unset (or 'thread') to use the addon's own poller.",
      ),
      { code: 'ERR_INVALID_ARG_VALUE' },
    );
  }
  throw Object.assign(
    new TypeError(`The environment variable WINSOCK_POLLER must be 'uv_poll' or 'thread'. Received '${requested}'`),
    { code: 'ERR_INVALID_ARG_VALUE' },
  );
}

/** The runtime this process is. */
export const runtime: RuntimeName = detectRuntime();
