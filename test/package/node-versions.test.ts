// One N-API binary for every Node from 20 on: the installed tarball's linux-x64 prebuild, unchanged, loads and runs
// the demo in the newest release of each later major line (Node 20 itself runs every other package test).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { expectedDemo, installTarball, loadedAddon, ok, run, type Install } from './installed.js';
import { nodeRelease } from './node-releases.js';

describe('the prebuild in later Node releases', () => {
  let install: Install;
  before(() => (install = installTarball()));
  after(() => install.remove());

  for (const major of [22, 24, 26]) {
    test(`Node ${major}: the prebuild loads, require() works, and the demo runs`, () => {
      const node = nodeRelease(major);
      const version = ok(run(node, ['--version'], install.folder), `node ${major}`).stdout.trim();
      assert.match(version, new RegExp(`^v${major}\\.`));
      assert.match(ok(loadedAddon(install, node), 'load').stdout, /prebuilds\/linux-x64\/winsock\.glibc\.node\n$/);
      const required = ok(run(node, ['-e', "console.log(require('winsock').startup().version)"], install.folder), 'require');
      assert.equal(required.stdout, '2.2\n');
      const demo = ok(run(node, ['node_modules/winsock/dist/bin/winsock-echo.js', 'demo'], install.folder), 'demo');
      assert.equal(demo.stdout, expectedDemo(demo.stdout), version);
    });
  }
});
