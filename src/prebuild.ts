// Which prebuilt binary fits this process. The layout is the one prebuildify writes and node-gyp-build's install
// step probes, prebuilds/<platform>-<arch>/<name>[.<libc>].node, so the install step (scripts/install.mjs) and the
// loader (native.ts) agree on when a prebuild fits and a source build is needed. N-API binaries carry no ABI tag:
// one file serves every Node version from 20 on.
import { join } from 'node:path';

import { fs } from './builtins.js';

/** The prebuild folder and the file names to try there, most specific first. */
export interface PrebuildCandidates {
  /** `<root>/prebuilds/<platform>-<arch>` */
  readonly folder: string;
  readonly files: readonly string[];
  /** For messages: `linux-x64 (glibc)`, `win32-x64`. */
  readonly target: string;
}

/**
 * The C library a Linux binary needs, decided as node-gyp-build decides it (the `LIBC` variable, else musl on
 * Alpine, else glibc): a glibc build cannot load on musl, so there each side must conclude "no prebuild".
 */
export function libc(): 'glibc' | 'musl' | undefined {
  if (process.platform !== 'linux') return undefined;
  const forced = process.env.LIBC;
  if (forced === 'glibc' || forced === 'musl') return forced;
  return fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
}

export function prebuildCandidates(root: string, name = 'winsock'): PrebuildCandidates {
  const tuple = `${process.platform}-${process.arch}`;
  const c = libc();
  return {
    folder: join(root, 'prebuilds', tuple),
    // prebuildify --tag-libc names the Linux binary winsock.glibc.node; the MinGW build for Windows is untagged.
    files: c === undefined ? [`${name}.node`] : [`${name}.${c}.node`, `${name}.node`],
    target: c === undefined ? tuple : `${tuple} (${c})`,
  };
}

/** The prebuilt binary for this process, or undefined when the package has none for it. */
export function findPrebuild(candidates: PrebuildCandidates): string | undefined {
  return candidates.files.map((file) => join(candidates.folder, file)).find((path) => fs.existsSync(path));
}
