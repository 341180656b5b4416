// The floor binding of the benchmarks (bench/floor/floor.c) builds against the running Node's headers and is the
// correct binding the bench says it is: a waited-for call settles inside the socket's own async context (what
// napi_open_callback_scope with napi_async_init gives), and its failures are errors, not crashes or hangs. Linux
// only: the binding uses accept4 and SOCK_NONBLOCK, as the bench itself runs on Linux.
import { createHook } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

interface Floor {
  listen(): number;
  port(fd: number): number;
  connect(port: number): Promise<number>;
  accept(fd: number): number | Promise<number>;
  recv(fd: number, buffer: Buffer): number | Promise<number>;
  send(fd: number, buffer: Buffer): number | Promise<number>;
  close(fd: number): void;
}

const repoRoot = process.cwd(); // vitest runs from the repository's root
const ECANCELED = 125;
const ECONNREFUSED = 111;

/** Node's headers, as bench/run.ts finds them: npm's nodedir, else next to the node binary. */
function nodeHeaders(): string {
  const dirs = [process.env['npm_config_nodedir'], join(dirname(process.execPath), '..')].filter((d): d is string => !!d);
  const found = dirs.map((d) => join(d, 'include/node')).find((d) => existsSync(join(d, 'node_api.h')));
  if (found === undefined) throw new Error(`no node_api.h under ${dirs.join(' or ')}`);
  return found;
}

/**
 * The environment without a sanitizer runtime preloaded (scripts/with-asan.sh sets LD_PRELOAD for node): under it
 * the compiler itself crashes or reports its own leaks, which the sanitizer leg would count as findings.
 */
function compilerEnvironment(): NodeJS.ProcessEnv {
  const { LD_PRELOAD: _preload, ASAN_OPTIONS: _asan, LSAN_OPTIONS: _lsan, UBSAN_OPTIONS: _ubsan, ...rest } = process.env;
  return rest;
}

describe.skipIf(process.platform !== 'linux')('the floor binding (bench/floor/floor.c)', () => {
  let folder = '';
  let floor: Floor;
  const open: number[] = [];
  const track = (fd: number): number => (open.push(fd), fd);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'floor-'));
    const output = join(folder, 'floor.node');
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', `-I${nodeHeaders()}`, '-o', output,
      join(repoRoot, 'bench/floor/floor.c')], { stdio: 'pipe', env: compilerEnvironment() });
    floor = createRequire(import.meta.url)(output) as Floor;
  });

  afterAll(() => {
    for (const fd of open) {
      try {
        floor.close(fd);
      } catch {
        // closed by the test already
      }
    }
    rmSync(folder, { recursive: true, force: true });
  });

  test('a waited-for recv resolves inside the socket\'s async context, with the bytes sent', async () => {
    const entered: string[] = [];
    const types = new Map<number, string>();
    const hook = createHook({
      init: (id, type) => types.set(id, type),
      before: (id) => entered.push(types.get(id) ?? 'other'),
    }).enable();
    try {
      const listener = track(floor.listen());
      const [client, server] = await Promise.all([floor.connect(floor.port(listener)), floor.accept(listener)]);
      track(client);
      track(server);
      const received = Buffer.alloc(64);
      const waiting = floor.recv(server, received); // nothing sent yet: it must wait for readiness
      expect(waiting).toBeInstanceOf(Promise);
      entered.length = 0;
      const message = Buffer.alloc(64, 'p');
      expect(floor.send(client, message)).toBe(64); // room in the send buffer: done at once, no promise
      expect(await waiting).toBe(64);
      expect(received.equals(message)).toBe(true);
    } finally {
      hook.disable();
    }
    // The readiness callback entered JavaScript through the socket's callback scope, made by napi_async_init.
    expect(entered).toContain('floor.socket');
  });

  test('close rejects a waiting call with ECANCELED; a closed socket is refused with a TypeError', async () => {
    const listener = track(floor.listen());
    const [client, server] = await Promise.all([floor.connect(floor.port(listener)), floor.accept(listener)]);
    track(client);
    const waiting = floor.recv(server, Buffer.alloc(8));
    expect(waiting).toBeInstanceOf(Promise);
    floor.close(server);
    await expect(waiting).rejects.toMatchObject({ errno: ECANCELED });
    expect(() => floor.recv(server, Buffer.alloc(8))).toThrow(TypeError);
    expect(() => floor.send(client, 'text' as unknown as Buffer)).toThrow(TypeError);
  });

  test('a refused connect rejects with ECONNREFUSED', async () => {
    const listener = floor.listen();
    const port = floor.port(listener);
    floor.close(listener); // nothing listens on the port now
    await expect(floor.connect(port)).rejects.toMatchObject({ errno: ECONNREFUSED });
  });
});
