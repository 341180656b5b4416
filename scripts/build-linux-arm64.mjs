#!/usr/bin/env node
// `npm run build:linux-arm64`: cross-builds the linux-arm64 prebuild (ARM servers, Raspberry Pi OS 64-bit) on Linux
// x64 with Debian's aarch64 g++ (g++-aarch64-linux-gnu), through prebuildify and node-gyp as the linux-x64 prebuild
// is built, so both come from the same binding.gyp with the same flags. Writes prebuilds/linux-arm64/winsock.glibc.node,
// where src/native.ts looks first on an arm64 Node; it is tested under qemu-user (scripts/test-qemu.sh).
// Warnings fail the build when WINSOCK_WERROR=1 (binding.gyp reads it).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const triple = 'aarch64-linux-gnu';
const output = join(root, 'prebuilds', 'linux-arm64', 'winsock.glibc.node');

for (const tool of [`${triple}-g++`, `${triple}-strip`]) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(`build-linux-arm64: ${tool} not found. Debian/Ubuntu: apt-get install g++-aarch64-linux-gnu`);
    process.exit(1);
  }
}
// prebuildify runs `node-gyp` from PATH, where npm puts its own for scripts it runs.
if (spawnSync('node-gyp', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('build-linux-arm64: node-gyp is not on PATH; run this as `npm run build:linux-arm64`');
  process.exit(1);
}

// A copy of the native sources, as scripts/prebuild.mjs makes for the host's binary: node-gyp rebuilds build/ where
// it is pointed, and the working tree's build/Release (the x64 addon) must stay.
const staging = join(root, '.cache', 'prebuild-src-linux-arm64');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
cpSync(join(root, 'binding.gyp'), join(staging, 'binding.gyp'));
cpSync(join(root, 'native'), join(staging, 'native'), { recursive: true });
rmSync(dirname(output), { recursive: true, force: true });

// Node-API's and libuv's headers are the same for every architecture, so the host Node's include/node serves (no
// download); --arch=arm64 makes node-gyp drop its x64 flags, and CC/CXX/AR name the cross tools it builds with.
const nodeDir = resolve(process.execPath, '..', '..');
const env = {
  ...process.env,
  CC: `${triple}-gcc`,
  CXX: `${triple}-g++`,
  AR: `${triple}-ar`,
  LINK: `${triple}-g++`,
  PREBUILD_STRIP_BIN: `${triple}-strip`,
};
if (!env.npm_config_nodedir && existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = nodeDir;
const prebuildify = createRequire(import.meta.url).resolve('prebuildify/bin.js');
const args = [prebuildify, '--name=winsock', '--napi', '--strip', '--tag-libc', '--arch=arm64', '--platform=linux',
  `--target=${process.versions.node}`, `--out=${root}`, staging];
console.log(`$ ${[process.execPath, ...args].join(' ')}`);
const { status } = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
if (status !== 0) process.exit(status ?? 1);

// The file must be an AArch64 ELF: a host compiler picked up by mistake would give an x64 one that loads nowhere.
const header = spawnSync(`${triple}-readelf`, ['-h', output], { encoding: 'utf8' });
if (header.status !== 0 || !/Machine:\s+AArch64/.test(header.stdout)) {
  console.error(`build-linux-arm64: ${output} is not an AArch64 ELF file\n${header.stdout}${header.stderr}`);
  process.exit(1);
}
console.log(`${output}: AArch64 ELF`);
