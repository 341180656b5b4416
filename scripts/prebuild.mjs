#!/usr/bin/env node
// `npm run build:prebuilds` (also `prepack`, so every `npm pack` and `npm publish` ships fresh binaries): writes the
// binaries the npm package carries, in the layout src/prebuild.ts and node-gyp-build read:
//   prebuilds/linux-x64/winsock.glibc.node     prebuildify: node-gyp, N-API (one file for every Node >= 20), stripped
//   prebuilds/linux-arm64/winsock.glibc.node   the same with Debian's aarch64 g++ (scripts/build-linux-arm64.mjs),
//                                              tested under qemu-user
//   prebuilds/win32-x64/winsock.node           the MinGW cross-build (scripts/build-win-cross.mjs), tested under Wine
// prebuilds/ is git-ignored: binaries are made from the sources at pack time, never committed. Releases are packed on
// Linux x64 with MinGW-w64 and aarch64 g++ (the CI machine), the one host that makes all three. Elsewhere this builds
// that host's prebuild only and warns; `npm publish` (npm_command=publish) refuses a package without all three.
// `--clean` (postpack) removes the host's prebuild again: src/native.ts prefers a prebuild over build/Release, so a
// leftover one would shadow every later `npm run build:native` in a working tree.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const host = `${process.platform}-${process.arch}`;
const publishing = process.env.npm_command === 'publish';

if (process.argv.includes('--clean')) {
  rmSync(join(root, 'prebuilds', host), { recursive: true, force: true });
  process.exit(0);
}

function run(command, args, options = {}) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (status !== 0) process.exit(status ?? 1);
}

// prebuildify runs `node-gyp` from PATH, where npm puts its own for scripts it runs.
if (!has('node-gyp')) {
  console.error('prebuild: node-gyp is not on PATH; run this as `npm run build:prebuilds`, which puts npm\'s there');
  process.exit(1);
}

// The host's binary, built in a copy of the native sources under .cache/: prebuildify runs `node-gyp rebuild` where
// it is pointed and moves the result out, which in the working tree would take build/Release/winsock.node away.
const staging = join(root, '.cache', 'prebuild-src');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
cpSync(join(root, 'binding.gyp'), join(staging, 'binding.gyp'));
cpSync(join(root, 'native'), join(staging, 'native'), { recursive: true });
rmSync(join(root, 'prebuilds', host), { recursive: true, force: true });

// Headers from the Node that runs this (its include/node), not a download: node-gyp would otherwise fetch them,
// and CI reaches the npm registry only. An explicit npm_config_nodedir still wins.
const env = { ...process.env };
const nodeDir = resolve(process.execPath, '..', '..');
if (!env.npm_config_nodedir && existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = nodeDir;
}
const prebuildify = createRequire(import.meta.url).resolve('prebuildify/bin.js');
run(
  process.execPath,
  [prebuildify, '--name=winsock', '--napi', '--strip', '--tag-libc', `--target=${process.versions.node}`, `--out=${root}`, staging],
  { env },
);

// The cross-builds need MinGW-w64 and CMake, and aarch64 g++. Without them (say, a git dependency installed on a
// user's Linux machine, which npm packs with this script) the package still works on its own host, so only a
// publish insists.
const crossBuilds = [
  {
    target: 'win32-x64',
    script: 'build-win-cross.mjs',
    tools: ['x86_64-w64-mingw32-g++-posix', 'cmake'],
    packages: 'g++-mingw-w64-x86-64-posix and cmake',
  },
  { target: 'linux-arm64', script: 'build-linux-arm64.mjs', tools: ['aarch64-linux-gnu-g++'], packages: 'g++-aarch64-linux-gnu' },
];
for (const { target, script, tools, packages } of crossBuilds) {
  if (host === 'linux-x64' && tools.every(has)) {
    run(process.execPath, [join(root, 'scripts', script)]);
    continue;
  }
  const message = `prebuild: no ${target} binary (it is cross-built on linux-x64 with ${packages}); ${host} made its own`;
  if (publishing) {
    console.error(`${message}. Publish from Linux x64 with ${packages} installed.`);
    process.exit(1);
  }
  console.warn(`${message}: this package is not one to publish.`);
}

function has(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}
