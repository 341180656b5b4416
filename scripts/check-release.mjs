#!/usr/bin/env node
// `prepublishOnly`: stops `npm publish` while package.json still points at the placeholder repository. The public
// repository's address was not known when the package metadata was written; set repository, bugs and homepage to it.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const links = [pkg.repository?.url, pkg.bugs?.url, pkg.homepage];
if (links.some((link) => typeof link !== 'string' || link.includes('/OWNER/'))) {
  console.error('check-release: set repository, bugs and homepage in package.json to the real repository first');
  process.exit(1);
}
