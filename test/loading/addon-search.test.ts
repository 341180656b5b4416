// Where src/native.ts looks for the addon, in a scratch copy of the package: the compiled dist/src and the addon this
// suite loaded, laid out as each case needs, then imported by a fresh node. The package tests (npm run
// test:package) cover an installed tarball's usual cases; these are the fallbacks they cannot stage: a prebuild that
// is present but does not load, a Debug build, a build that exists but is broken. A broken binary is a file of
// text: dlopen refuses it as a user's wrong-libc prebuild is refused, with the loader's own reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { addonPath, nodeGypBuilds, packageRoot } from '../../src/native.js';
import { prebuildCandidates } from '../../src/prebuild.js';
import { afterEach, describe, test } from '../harness.js';

interface Layout {
  prebuild?: 'good' | 'broken';
  release?: 'good' | 'broken';
  debug?: 'good';
}

interface Outcome {
  /** addonPath, when the import succeeded. */
  loaded?: string;
  /** The import's error message and its cause's, when it failed. */
  error?: string;
  cause?: string;
  /** The built-in modules the import made Node load (process.moduleLoadList). */
  builtins: string[];
}

const scratch: string[] = [];
afterEach(() => {
  for (const folder of scratch.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A copy of the package with the addon where `layout` says, and the files each place is looked for under. */
function stagePackage(layout: Layout): { root: string; prebuild: string; release: string; debug: string } {
  const root = mkdtempSync(join(tmpdir(), 'winsock-loading-'));
  scratch.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'winsock', type: 'module' }));
  cpSync(join(packageRoot, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  const candidates = prebuildCandidates(root);
  const prebuild = join(candidates.folder, candidates.files[0]!);
  const [release, debug] = nodeGypBuilds(root) as [string, string];
  const place = (file: string, kind: 'good' | 'broken' | undefined) => {
    if (kind === undefined) return;
    mkdirSync(dirname(file), { recursive: true });
    if (kind === 'good') copyFileSync(addonPath, file);
    else writeFileSync(file, 'not a shared library\n');
  };
  place(prebuild, layout.prebuild);
  place(release, layout.release);
  place(debug, layout.debug);
  return { root, prebuild, release, debug };
}

/** Imports the scratch package's winsock/promises in a fresh node, as a user's program would. */
function importIn(root: string): Outcome {
  const entry = join(root, 'dist', 'src', 'promises.js');
  // A module of nothing first, so that what Node's ESM loader loads for any file (Node 20: its fs/promises) is not
  // counted as the package's.
  const empty = join(root, 'empty.mjs');
  writeFileSync(empty, '');
  const source = `
    await import(${JSON.stringify(empty)});
    const before = new Set(process.moduleLoadList);
    const report = (outcome) =>
      console.log(JSON.stringify({ ...outcome, builtins: process.moduleLoadList.filter((m) => !before.has(m)) }));
    try {
      await import(${JSON.stringify(entry)});
      report({ loaded: (await import(${JSON.stringify(join(root, 'dist', 'src', 'native.js'))})).addonPath });
    } catch (error) {
      report({ error: error.message, cause: error.cause?.message });
    }`;
  const env = { ...process.env };
  delete env.WINSOCK_ADDON_PATH; // the search itself is under test
  const args = ['--input-type=module', '-e', source];
  const child = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as Outcome;
}

describe('finding the addon (src/native.ts)', () => {
  test('a prebuild that exists but does not load falls back to build/Release', () => {
    const staged = stagePackage({ prebuild: 'broken', release: 'good' });
    assert.deepEqual(importIn(staged.root).loaded, staged.release);
  });

  test('without a Release build, build/Debug is loaded', () => {
    const staged = stagePackage({ debug: 'good' });
    assert.equal(importIn(staged.root).loaded, staged.debug);
  });

  test('a working prebuild is preferred to the builds', () => {
    const staged = stagePackage({ prebuild: 'good', release: 'good', debug: 'good' });
    assert.equal(importIn(staged.root).loaded, staged.prebuild);
  });

  test("a prebuild that does not load and no build: the error keeps the prebuild's reason, also as its cause", () => {
    const staged = stagePackage({ prebuild: 'broken' });
    const outcome = importIn(staged.root);
    assert.equal(outcome.loaded, undefined);
    const prebuildLine = new RegExp(`1\\. the prebuilt binary: ${escape(staged.prebuild)}: .+`);
    assert.match(outcome.error ?? '', prebuildLine);
    const reason = /1\. the prebuilt binary: .*?\.node: (.+)/.exec(outcome.error ?? '')?.[1];
    assert.ok(reason !== undefined && reason !== 'not found', outcome.error);
    assert.ok(outcome.cause?.includes(reason), `cause ${outcome.cause} is not the prebuild's failure`);
    const buildLine = `2. the node-gyp build:  ${staged.release} or ${staged.debug}: not found`;
    assert.ok(outcome.error?.includes(buildLine), outcome.error);
  });

  test('a Release build that exists but does not load is reported as such, not passed over for Debug', () => {
    const staged = stagePackage({ release: 'broken', debug: 'good' });
    const outcome = importIn(staged.root);
    assert.equal(outcome.loaded, undefined, 'a broken Release build must not be hidden by a Debug one');
    assert.match(outcome.error ?? '', /1\. the prebuilt binary: .*: not found/);
    assert.match(outcome.error ?? '', new RegExp(`2\\. the node-gyp build:  .*${escape(staged.release)}`));
    assert.doesNotMatch(outcome.error ?? '', /2\. the node-gyp build: .*not found/);
  });

  // What the import costs: an ESM import of node:fs anywhere on the load path builds its facade, which loads
  // node:stream and fs's streams (about 4 ms of CPU per process, bench/notes.md); builtins.ts takes node:fs
  // through require instead.
  test('importing winsock/promises does not load node:stream', () => {
    const staged = stagePackage({ prebuild: 'good' });
    const outcome = importIn(staged.root);
    assert.equal(outcome.loaded, staged.prebuild);
    assert.ok(outcome.builtins.length > 0, 'the import loaded no built-in module: moduleLoadList is not read right');
    for (const unwanted of ['NativeModule stream', 'NativeModule internal/fs/streams']) {
      assert.ok(!outcome.builtins.includes(unwanted), `${unwanted} was loaded by the import`);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
