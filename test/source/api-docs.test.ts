// TypeDoc (`npm run docs`, a leg of .ci/run) fails on any exported member without a doc comment: typedoc.json asks
// for the notDocumented check and turns its warnings into errors. This runs the same check without writing HTML.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const repoRoot = process.cwd(); // vitest runs from the repository's root

test('typedoc.json fails the docs build on undocumented members, broken links and unexported types', () => {
  const config = JSON.parse(readFileSync(join(repoRoot, 'typedoc.json'), 'utf8')) as {
    treatWarningsAsErrors?: boolean;
    validation?: Record<string, boolean>;
  };
  expect(config.treatWarningsAsErrors).toBe(true);
  expect(config.validation).toEqual({ notExported: true, invalidLink: true, notDocumented: true });
});

test('TypeDoc finds every public member documented: no warning, exit code 0', () => {
  const typedoc = join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc');
  createRequire(import.meta.url).resolve('typedoc'); // a missing devDependency fails here, by name
  const run = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--logLevel', 'Warn'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  expect(output).not.toMatch(/does not have any documentation/);
  expect(output).not.toMatch(/\[(warning|error)\]/);
  expect(run.status).toBe(0);
}, 120_000);
