#!/usr/bin/env node
// The package's install script. node-gyp-build's install step does the work: it loads the prebuild that fits this
// platform (prebuilds/<platform>-<arch>/, shipped in the npm package) and, only when none loads, runs
// `node-gyp rebuild`. So a user on a platform we ship for needs no compiler, and everyone else still gets a build.
// What this file adds:
// - WINSOCK_BUILD_FROM_SOURCE=1 forces the source build (npm's own `--build-from-source` does too). Because
//   src/native.ts tries the prebuild before the build, a forced build then removes this platform's prebuild from
//   the installed package: otherwise the binary the user asked not to use would still be the one loaded.
// - PREBUILDS_ONLY=1 for the probe: node-gyp-build would otherwise accept any leftover build/Release/*.node, and in a
//   git checkout that is the stale build from before the last `git pull`.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const forced = process.env.WINSOCK_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true';

const env = { ...process.env, PREBUILDS_ONLY: '1' };
if (forced) env.npm_config_build_from_source = 'true';

const installStep = createRequire(import.meta.url).resolve('node-gyp-build/bin.js');
const { status } = spawnSync(process.execPath, [installStep], { cwd: root, env, stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);

const prebuild = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
if (forced && existsSync(prebuild)) {
  rmSync(prebuild, { recursive: true, force: true });
  console.log(`winsock: built from source (WINSOCK_BUILD_FROM_SOURCE); removed ${prebuild} so the build is used`);
}
