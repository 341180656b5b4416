// The package's types, as a TypeScript user meets them: every entry point resolves from an ES module and from a
// CommonJS one (TypeScript >= 5.8 models Node's require(esm) under `module: nodenext`), checked by tsc against the
// installed tarball, and by @arethetypeswrong/cli against the tarball itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { installTarball, ok, repoRoot, run, tarball, type Install } from './installed.js';

const esm = `import { startup, WinsockError, type SOCKET } from 'winsock';
import { accept, type AsyncOptions } from 'winsock/promises';
import { Server, Socket } from 'winsock/socket';
const version: string = startup().version;
export type Used = [SOCKET, AsyncOptions, typeof WinsockError, typeof accept, typeof Server, typeof Socket, typeof version];
`;

const cjs = `import winsock = require('winsock');
import promises = require('winsock/promises');
import high = require('winsock/socket');
const version: string = winsock.startup().version;
const error: typeof winsock.WinsockError = winsock.WinsockError;
export type Used = [winsock.SOCKET, typeof promises.accept, typeof high.Server, typeof version, typeof error];
`;

describe('types of the installed package', () => {
  let install: Install;
  before(() => (install = installTarball()));
  after(() => install.remove());

  test('resolve under ESM (.mts) and CommonJS (.cts) with module nodenext, strict, no skipLibCheck', () => {
    writeFileSync(join(install.folder, 'esm.mts'), esm);
    writeFileSync(join(install.folder, 'cjs.cts'), cjs);
    const compilerOptions = {
      module: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
    };
    writeFileSync(join(install.folder, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['esm.mts', 'cjs.cts'] }));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    ok(run(process.execPath, [tsc, '-p', '.'], install.folder), 'tsc');
  });

  test('@arethetypeswrong/cli finds no problem for an ESM-only package', () => {
    const attw = join(repoRoot, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    // attw exits non-zero on any problem; the esm-only profile leaves out the CommonJS-under-node16 and node10
    // resolutions, which an ESM-only package fails by design (README: "CommonJS").
    ok(run(process.execPath, [attw, tarball, '--profile', 'esm-only', '--format', 'ascii'], repoRoot), 'attw');
  });
});
