// Which build is under test. The same suite runs on several builds of the addon (node-gyp, the g++ and clang Windows
// cross-builds, cmake-js, the arm64 cross-build): a runner that names one with WINSOCK_ADDON_PATH must get that one,
// or a green run would prove a different binary.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

import { addonPath } from '../../src/native.js';
import { describe, test } from '../harness.js';

describe('the addon under test', () => {
  test('is the build WINSOCK_ADDON_PATH names, else a prebuild or the node-gyp build', () => {
    const chosen = process.env.WINSOCK_ADDON_PATH;
    if (chosen) assert.equal(addonPath, resolve(chosen));
    else assert.match(addonPath, /[\\/](prebuilds[\\/][a-z0-9]+-[a-z0-9]+|build[\\/](Release|Debug))[\\/]winsock[^\\/]*\.node$/);
    assert.ok(existsSync(addonPath), `${addonPath} does not exist`);
  });

  test('is the file this process has mapped (Linux: /proc/self/maps)', () => {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    assert.ok(maps.includes(realpathSync(addonPath)), `${addonPath} is not among this process's mappings`);
  });
});
