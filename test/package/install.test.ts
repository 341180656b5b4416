// The packed tarball, installed into an empty folder offline, as a Linux x64 user gets it: which binary loads in
// each case (the prebuild with no compiler, node-gyp's build when no prebuild fits or one is forced, a clear error
// when neither exists), the CLI through npx, and require() of the ESM-only package.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  expectedDemo,
  installTarball,
  loadedAddon,
  noCompilerEnv,
  ok,
  run,
  sourceBuildEnv,
  tarball,
  type Install,
} from './installed.js';

const prebuildFolder = (install: Install) => join(install.packageDir, 'prebuilds', 'linux-x64');
const prebuildFile = (install: Install) => join(prebuildFolder(install), 'winsock.glibc.node');
const sourceBuild = (install: Install) => join(install.packageDir, 'build', 'Release', 'winsock.node');

/** Puts the tarball's linux-x64 prebuild back, as a fresh install would have it. */
function restorePrebuild(install: Install): void {
  ok(run('tar', ['-xzf', tarball, '--strip-components=1', 'package/prebuilds'], install.packageDir), 'tar');
}

describe('installed from the tarball with npm defaults (install scripts not approved)', () => {
  let install: Install;
  before(() => (install = installTarball()));
  after(() => install.remove());

  test('npx winsock-echo demo prints both transcripts', () => {
    const demo = ok(run('npx', ['--offline', 'winsock-echo', 'demo'], install.folder), 'npx winsock-echo demo');
    assert.equal(demo.stdout, expectedDemo(demo.stdout));
  });

  test('the linux-x64 prebuild is the addon loaded, and nothing was compiled', () => {
    assert.equal(ok(loadedAddon(install), 'load').stdout.trim(), prebuildFile(install));
    assert.equal(existsSync(join(install.packageDir, 'build')), false, 'no build/ folder');
  });

  test('on musl (LIBC=musl, as node-gyp-build reads it too) the glibc prebuild is not tried', () => {
    const result = loadedAddon(install, process.execPath, { LIBC: 'musl' });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no native addon loads for linux-x64 \(musl\)/);
    assert.match(result.stderr, /winsock\.musl\.node or .*winsock\.node: not found/);
  });

  test("require() of each entry point gives the same module as import (Node >= 20.19's require(esm))", () => {
    const source = `
      const winsock = require('winsock');
      const promises = require('winsock/promises');
      const { Server, Socket } = require('winsock/socket');
      if (typeof Server.listen !== 'function' || typeof Socket.connect !== 'function') throw new Error('winsock/socket');
      console.log(winsock.startup().version, typeof promises.accept);
      import('winsock').then((esm) => console.log(esm.WinsockError === winsock.WinsockError));`;
    const result = ok(run(process.execPath, ['-e', source], install.folder), 'require');
    assert.equal(result.stdout, '2.2 function\ntrue\n');
  });
});

describe('installed with its install script approved', () => {
  let install: Install;
  before(() => (install = installTarball({ allowScripts: true })));
  after(() => install.remove());

  test('the install step finds the prebuild and compiles nothing', () => {
    assert.match(install.install.stdout, /node scripts\/install\.mjs/, 'the install script ran');
    assert.equal(ok(loadedAddon(install), 'load').stdout.trim(), prebuildFile(install));
    assert.equal(existsSync(join(install.packageDir, 'build')), false, 'no build/ folder');
  });

  test('without a matching prebuild the install step does compile (shown here by the compiler trap firing)', () => {
    rmSync(prebuildFolder(install), { recursive: true });
    const rebuild = run('npm', ['rebuild', 'winsock', '--foreground-scripts'], install.folder, noCompilerEnv(install.folder));
    assert.notEqual(rebuild.code, 0);
    assert.match(rebuild.stdout + rebuild.stderr, /make was started/);
  });

  test('with no prebuild, `npm rebuild` builds from source and that build is loaded', () => {
    ok(run('npm', ['rebuild', 'winsock', '--foreground-scripts'], install.folder, sourceBuildEnv()), 'npm rebuild');
    assert.equal(ok(loadedAddon(install), 'load').stdout.trim(), sourceBuild(install));
    const demo = ok(run('npx', ['--offline', 'winsock-echo', 'demo'], install.folder), 'demo on the source build');
    assert.equal(demo.stdout, expectedDemo(demo.stdout));
  });

  test('WINSOCK_BUILD_FROM_SOURCE=1 builds from source even with the prebuild present, and that build is loaded', () => {
    restorePrebuild(install);
    rmSync(join(install.packageDir, 'build'), { recursive: true });
    assert.equal(ok(loadedAddon(install), 'load').stdout.trim(), prebuildFile(install), 'the prebuild is back');
    const env = { ...sourceBuildEnv(), WINSOCK_BUILD_FROM_SOURCE: '1' };
    const rebuild = ok(run('npm', ['rebuild', 'winsock', '--foreground-scripts'], install.folder, env), 'forced');
    assert.match(rebuild.stdout, /built from source \(WINSOCK_BUILD_FROM_SOURCE\)/);
    assert.equal(existsSync(prebuildFolder(install)), false, 'the unwanted prebuild is gone');
    assert.equal(ok(loadedAddon(install), 'load').stdout.trim(), sourceBuild(install));
  });

  test('with neither a prebuild nor a build, the error names both places tried', () => {
    rmSync(join(install.packageDir, 'build'), { recursive: true });
    const result = loadedAddon(install);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no native addon loads for linux-x64 \(glibc\)/);
    assert.ok(result.stderr.includes(`the prebuilt binary: ${prebuildFile(install)}`), result.stderr);
    assert.ok(result.stderr.includes(`the node-gyp build:  ${sourceBuild(install)}`), result.stderr);
    assert.match(result.stderr, /npm rebuild winsock/);
  });
});
