// Fixtures for the package tests: the packed tarball (WINSOCK_TARBALL, set by scripts/test-package.sh) installed
// into an empty folder as a user would install it, offline, and commands run there. Nothing here touches the
// working tree's own build: what is tested is only what the tarball carries.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first folder above this file (wherever it compiles to) with winsock's package.json. */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'winsock') {
      return dir;
    }
  }
  throw new Error(`no package.json of package "winsock" above ${start}`);
}

export const tarball = process.env.WINSOCK_TARBALL ?? '';
if (!existsSync(tarball)) {
  throw new Error('WINSOCK_TARBALL must name the packed tarball: run `npm run test:package`');
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Fails with the command's whole output unless it exited 0; returns that output. */
export function ok(result: Run, what: string): Run {
  if (result.code !== 0) {
    throw new Error(`${what}: exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
  return result;
}

/**
 * Environment that makes any attempt to compile fail loudly: node-gyp runs the build through $MAKE, here a script
 * that exits 97, and CC/CXX point at `false` for anything that would call a compiler directly. (npm's
 * npm_config_node_gyp cannot serve as the trap: `npm rebuild` runs its bundled node-gyp whatever it says.)
 */
export function noCompilerEnv(folder: string): NodeJS.ProcessEnv {
  const trap = join(folder, 'make-trap.sh');
  writeFileSync(trap, '#!/bin/sh\necho "make was started: this install tried to compile" >&2\nexit 97\n');
  chmodSync(trap, 0o755);
  return { MAKE: trap, CC: 'false', CXX: 'false' };
}

/**
 * Environment for a source build: headers from the running Node's include/node, as scripts/prebuild.mjs does, so
 * node-gyp never downloads them (CI reaches the npm registry only).
 */
export function sourceBuildEnv(): NodeJS.ProcessEnv {
  const nodeDir = resolve(process.execPath, '..', '..');
  if (process.env.npm_config_nodedir || !existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) return {};
  return { npm_config_nodedir: nodeDir };
}

export interface Install {
  /** The empty project the package was installed into. */
  folder: string;
  /** node_modules/winsock inside it. */
  packageDir: string;
  /** The output of `npm install`. */
  install: Run;
  remove(): void;
}

/**
 * `npm install --offline <tarball>` into a new empty project. npm 11.19.1 runs a dependency's install script that
 * the project's `allowScripts` does not cover and ends with a warning naming it (a hard error only with
 * `strict-allow-scripts`); `allowScripts: true` approves this package's, as a user would with
 * `npm install-scripts approve winsock`, and so silences the warning.
 */
export function installTarball(options: { allowScripts?: boolean; env?: NodeJS.ProcessEnv } = {}): Install {
  const folder = mkdtempSync(join(tmpdir(), 'winsock-package-'));
  const manifest: Record<string, unknown> = { name: 'winsock-package-test', private: true };
  if (options.allowScripts) manifest.allowScripts = { [`file:${tarball}`]: true };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const env = { ...noCompilerEnv(folder), ...options.env };
  const install = ok(
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball], folder, env),
    'npm install of the tarball',
  );
  return {
    folder,
    packageDir: join(folder, 'node_modules', 'winsock'),
    install,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** The file the installed package loaded its addon from (src/native.ts's `addonPath`), in a fresh `node`. */
export function loadedAddon(install: Install, node = process.execPath, env: NodeJS.ProcessEnv = {}): Run {
  const native = join(install.packageDir, 'dist', 'src', 'native.js');
  const source = `const { addonPath } = await import(${JSON.stringify(native)}); console.log(addonPath);`;
  return run(node, ['--input-type=module', '-e', source], install.folder, env);
}

export const clientTranscript = 'Bytes Sent: 14\nBytes received: 14\nConnection closed\n';
export const serverTranscript = 'Bytes received: 14\nBytes sent: 14\nConnection closing...\n';

/** `winsock-echo demo`'s whole stdout for the port it printed, or null when the output has no port. */
export function expectedDemo(stdout: string): string | null {
  const port = /--port (\d+)/.exec(stdout)?.[1];
  if (port === undefined) return null;
  return (
    `$ winsock-echo server --host 127.0.0.1 --port ${port}\n$ winsock-echo client 127.0.0.1 --port ${port}\n` +
    `--- client ---\n${clientTranscript}--- server ---\n${serverTranscript}`
  );
}
