// The same tarball as a linux-arm64 user gets it (an ARM server, a Raspberry Pi), shown with the arm64 Node under
// qemu-user (scripts/qemu-node.sh): the linux-arm64 prebuild is the addon loaded, and the demo runs on it. The
// package is installed by the host's npm; on an arm64 machine its install step finds that prebuild as node-gyp-build
// does, which the last test checks with node-gyp-build's own probe.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { expectedDemo, installTarball, loadedAddon, ok, repoRoot, run, type Install } from './installed.js';

const qemuNode = join(repoRoot, 'scripts', 'qemu-node.sh');

describe('installed from the tarball, run by the linux-arm64 Node under qemu', () => {
  let install: Install;
  before(() => (install = installTarball()));
  after(() => install.remove());

  test('the linux-arm64 prebuild is the addon loaded', () => {
    const loaded = ok(loadedAddon(install, qemuNode), 'arm64 node: load');
    assert.equal(loaded.stdout.trim(), join(install.packageDir, 'prebuilds', 'linux-arm64', 'winsock.glibc.node'));
  });

  test('winsock-echo demo prints both transcripts', () => {
    const demo = ok(run(qemuNode, ['node_modules/winsock/dist/bin/winsock-echo.js', 'demo'], install.folder), 'demo');
    assert.equal(demo.stdout, expectedDemo(demo.stdout));
  });

  test("the install step's probe accepts the prebuild, so an arm64 install needs no compiler", () => {
    // What scripts/install.mjs runs first: node-gyp-build-test, which loads the prebuild (PREBUILDS_ONLY as there).
    ok(run(qemuNode, ['../node-gyp-build/build-test.js'], install.packageDir, { PREBUILDS_ONLY: '1' }), 'node-gyp-build-test');
  });
});
