// What the tarball carries, file by file: the compiled library and CLI, the native sources and binding.gyp for the
// source-build fallback, the three prebuilds, the install script, README, LICENSE and CHANGELOG. Nothing else: no
// tests, no TypeScript sources, no CI or cross-build files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ok, repoRoot, run, tarball } from './installed.js';

const entries = ok(run('tar', ['-tzf', tarball], repoRoot), 'tar -tzf')
  .stdout.split('\n')
  .filter(Boolean)
  .map((entry) => entry.replace(/^package\//, ''))
  .sort();

/** Every file the package should carry, derived from the sources, so a new source file is expected automatically. */
function expectedEntries(): string[] {
  const ts = (folder: string) => readdirSync(join(repoRoot, folder)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  const native = (readdirSync(join(repoRoot, 'native'), { recursive: true }) as string[])
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => `native/${f.split('\\').join('/')}`);
  return [
    ...ts('src').flatMap((m) => [`dist/src/${m}.js`, `dist/src/${m}.js.map`, `dist/src/${m}.d.ts`]),
    ...ts('bin').flatMap((m) => [`dist/bin/${m}.js`, `dist/bin/${m}.js.map`]),
    ...native,
    'binding.gyp',
    'prebuilds/linux-arm64/winsock.glibc.node',
    'prebuilds/linux-x64/winsock.glibc.node',
    'prebuilds/win32-x64/winsock.node',
    'scripts/install.mjs',
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
  ].sort();
}

/** The first bytes of a file inside the tarball. */
function magic(path: string, length: number): Buffer {
  return execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { maxBuffer: 64 << 20 }).subarray(0, length);
}

describe('the packed tarball', () => {
  test('carries exactly the files a user needs', (t) => {
    const size = statSync(tarball).size;
    t.diagnostic(`${tarball}: ${(size / 1024).toFixed(1)} KiB packed, ${entries.length} files`);
    assert.deepEqual(entries, expectedEntries());
  });

  test('its prebuilds are Linux ELF files for x86-64 and AArch64 and a Windows PE binary', () => {
    // e_machine, the little-endian 16 bits at offset 18 of an ELF header: 62 is x86-64, 183 AArch64.
    const elf = magic('prebuilds/linux-x64/winsock.glibc.node', 20);
    assert.deepEqual(elf.subarray(0, 4), Buffer.from('\x7fELF', 'latin1'));
    assert.equal(elf.readUInt16LE(18), 62);
    const arm = magic('prebuilds/linux-arm64/winsock.glibc.node', 20);
    assert.deepEqual(arm.subarray(0, 4), Buffer.from('\x7fELF', 'latin1'));
    assert.equal(arm.readUInt16LE(18), 183);
    assert.deepEqual(magic('prebuilds/win32-x64/winsock.node', 2), Buffer.from('MZ'));
  });

  test('its package.json declares engines, the typed entry points, the bin and the install step', () => {
    const manifest = JSON.parse(ok(run('tar', ['-xzOf', tarball, 'package/package.json'], repoRoot), 'tar').stdout);
    assert.equal(manifest.engines.node, '>=20');
    for (const entry of ['.', './promises', './socket']) {
      assert.ok(entries.includes(manifest.exports[entry].types.slice(2)), `types of ${entry}`);
      assert.ok(entries.includes(manifest.exports[entry].default.slice(2)), `code of ${entry}`);
    }
    assert.equal(manifest.bin['winsock-echo'], './dist/bin/winsock-echo.js');
    assert.equal(manifest.scripts.install, 'node scripts/install.mjs');
    // A `prepare` script runs for git and folder installs, and npm 11 lists it among the install scripts it warns
    // about: the package's own build (tsc) has no business there. dist/ is compiled by prepack instead.
    assert.equal(manifest.scripts.prepare, undefined, 'no development prepare script');
    assert.equal(manifest.os, undefined, 'os-neutral: other platforms build from source');
  });
});
