// The import graph of src/ and bin/ has no cycles, type-only imports included: shared types live below their users
// (src/types.ts), and an index file only re-exports. A cycle would mean a module's types come from a module that
// imports it back, which is how src/index.ts once served every module.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, test } from 'vitest';

const repoRoot = process.cwd(); // vitest runs from the repository's root

/** Every relative import or re-export of a TypeScript file, as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) => m[1] as string);
  return specifiers.map((s) => normalize(join(dirname(file), s.replace(/\.js$/, '.ts'))));
}

function sourceFiles(): string[] {
  return ['src', 'bin'].flatMap((folder) =>
    readdirSync(join(repoRoot, folder)).filter((f) => f.endsWith('.ts')).map((f) => join(folder, f)),
  );
}

/** The first cycle found by a depth-first walk, as the list of files around it, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

test('src/ and bin/ import each other without a cycle', () => {
  const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]));
  expect(graph.size).toBeGreaterThan(10);
  expect(graph.get(join('src', 'index.ts'))).toContain(join('src', 'types.ts'));
  expect(findCycle(graph)).toBeNull();
});

test('the cycle finder finds a cycle', () => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]);
  expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
});
