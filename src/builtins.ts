// Node's built-in modules that the load path (native.ts, prebuild.ts) needs, taken through CommonJS `require`
// rather than `import`. An ESM import of node:fs builds its ESM facade, which reads every export, `fs.promises`
// included, and so loads Node's fs/promises and all of node:stream: 3.3-4.5 ms of CPU on every import of this package
// (bench/notes.md, "Importing the package"), where require hands over the module Node loaded at its own startup.
import { createRequire } from 'node:module';

/** CommonJS `require` from this file: for Node's built-ins here and for the addon's `.node` file in native.ts. */
export const require: NodeJS.Require = createRequire(import.meta.url);

/** node:fs, without its ESM facade. */
export const fs: typeof import('node:fs') = require('node:fs') as typeof import('node:fs');
