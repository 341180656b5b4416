// Every TypeScript block of README.md and docs/*.md is type-checked as a user's strict project would compile it
// (strict, ES2022: a target Node 20 runs, which turns `await using` into try/finally), importing the package by its
// name, and run with this Node where it stands alone. A block says how it runs in an HTML comment on the line
// before it, hidden from readers of the rendered page:
//   <!-- snippet: run -->   (the default)             runs; exit code 0, nothing on stderr
//   <!-- snippet: run against an echo server on 127.0.0.1:27015 -->   the test starts that server first
//   <!-- snippet: run, then a client connects to the port it prints -->   the test connects and checks the echo
//   <!-- snippet: type-checked only (why) -->          compiled, not run
// A block without an import is a fragment of the page: it is compiled after the page's declarations, which the
// page gives in a `<!-- snippet-context ... -->` comment (and a fragment is type-checked only).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repoRoot = process.cwd(); // vitest runs from the repository's root
// Inside the package, so `import 'winsock'` resolves to this package by its own name, through its "exports", for
// tsc (the declarations in dist/) and for node alike: what a user's project sees.
const workDir = join(repoRoot, '.cache', 'snippets');

type Kind = 'run' | 'peer' | 'serve' | 'typecheck';

interface Snippet {
  /** `README.md:46`: the file and line of the opening fence. */
  where: string;
  /** The file's base name for the compiled output: `README.md-46`. */
  name: string;
  kind: Kind;
  code: string;
}

function kindOf(marker: string | undefined, fragment: boolean): Kind {
  if (fragment || marker?.startsWith('type-checked only')) return 'typecheck';
  if (marker === undefined || marker === 'run') return 'run';
  if (marker === 'run against an echo server on 127.0.0.1:27015') return 'peer';
  if (marker === 'run, then a client connects to the port it prints') return 'serve';
  throw new Error(`unknown snippet marker: ${marker}`);
}

/** The TypeScript blocks of one markdown file, with their markers and the page's context for fragments. */
function snippetsOf(file: string): Snippet[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const context = /<!-- snippet-context\n([\s\S]*?)-->/.exec(text)?.[1] ?? '';
  const lines = text.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code block`);
    if (fence[1] === 'ts' || fence[1] === 'typescript') {
      const code = lines.slice(i + 1, end).join('\n');
      const previous = lines.slice(0, i).reverse().find((line) => line.trim() !== '');
      const marker = /^<!-- snippet: (.*) -->$/.exec(previous ?? '')?.[1];
      const fragment = !/^import\b/m.test(code);
      if (fragment && context === '') throw new Error(`${file}:${i + 1}: a fragment, and the page has no snippet-context`);
      found.push({
        where: `${file}:${i + 1}`,
        name: `${file.replace(/[\\/]/g, '-')}-${i + 1}`,
        kind: kindOf(marker, fragment),
        code: fragment ? `${context}\n${code}` : code,
      });
    }
    i = end;
  }
  return found;
}

const markdownFiles = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const snippets = markdownFiles.flatMap(snippetsOf);

/** Runs a compiled snippet with this Node; resolves with its exit code and output. */
async function runSnippet(
  snippet: Snippet,
  onStdout?: (text: string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(workDir, 'out', `${snippet.name}.js`)], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => ((stdout += text), onStdout?.(stdout)));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill(), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A node:net echo server on the tutorial's port, waiting while another test of the machine holds the port. */
async function echoServerOnTutorialPort(): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const server = createServer((socket) => socket.on('error', () => {}).pipe(socket));
    try {
      server.listen(27015, '127.0.0.1');
      await once(server, 'listening');
      return server;
    } catch (error) {
      server.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 50) throw error;
      await delay(200);
    }
  }
}

describe('README and docs code blocks', () => {
  let compiled: { status: number | null; output: string };

  beforeAll(() => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    for (const snippet of snippets) writeFileSync(join(workDir, `${snippet.name}.ts`), `${snippet.code}\nexport {};\n`);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
        strict: true, outDir: 'out', rootDir: '.', skipLibCheck: false,
      },
      include: ['*.ts'],
    };
    writeFileSync(join(workDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', workDir], { encoding: 'utf8' });
    compiled = { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
  }, 120_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test('the pages have TypeScript blocks, each with a known marker', () => {
    expect(snippets.length).toBeGreaterThan(15);
    expect(snippets.filter((s) => s.kind !== 'typecheck').length).toBeGreaterThan(8);
  });

  test('every block type-checks under strict, importing the package by name (tsc, target ES2022)', () => {
    // Name the blocks in the failure: tsc's paths are the snippet files, README.md-46.ts -> README.md:46.
    const named = compiled.output.replace(/([\w.-]+\.md)-(\d+)\.ts/g, '$1:$2');
    expect(named).toBe('');
    expect(compiled.status).toBe(0);
  });

  for (const snippet of snippets.filter((s) => s.kind === 'run')) {
    test(`${snippet.where} runs on Node ${process.versions.node} as written: exit code 0, nothing on stderr`, async () => {
      const run = await runSnippet(snippet);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    }, 40_000);
  }

  for (const snippet of snippets.filter((s) => s.kind === 'peer')) {
    test(`${snippet.where} runs against an echo server on 127.0.0.1:27015: the tutorial's transcript`, async () => {
      const server = await echoServerOnTutorialPort();
      try {
        const run = await runSnippet(snippet);
        expect(run).toEqual({ code: 0, stdout: 'Bytes Sent: 14\nBytes received: 14\nConnection closed\n', stderr: '' });
      } finally {
        server.close();
      }
    }, 40_000);
  }

  for (const snippet of snippets.filter((s) => s.kind === 'serve')) {
    test(`${snippet.where} prints its port; a client connects and gets its bytes echoed`, async () => {
      let announce: (port: number) => void = () => {};
      const announced = new Promise<number>((resolve) => (announce = resolve));
      const running = runSnippet(snippet, (stdout) => {
        const port = /port (\d+)/.exec(stdout)?.[1];
        if (port !== undefined) announce(Number(port));
      });
      const port = await Promise.race([announced, running.then((run) => Promise.reject(new Error(`exited first: ${JSON.stringify(run)}`)))]);
      const client = createConnection(port, '127.0.0.1');
      await once(client, 'connect');
      client.write('this is a test');
      const [echoed] = (await once(client, 'data')) as [Buffer];
      client.destroy();
      expect(String(echoed)).toBe('this is a test');
      const run = await running;
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    }, 40_000);
  }
});

describe('examples/', () => {
  test('each "Run: node ..." comment names the file tsc -p tsconfig.test.json writes', () => {
    const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ts'));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const text = readFileSync(join(repoRoot, 'examples', example), 'utf8');
      const paths = [...text.matchAll(/node (\S+\.js)/g)].map((m) => m[1]!);
      expect(paths.length, example).toBeGreaterThan(0);
      for (const path of paths) {
        expect(path, example).toBe(`dist-test/examples/${example.replace(/\.ts$/, '.js')}`);
        expect(existsSync(join(repoRoot, path)), path).toBe(true);
      }
    }
  });
});
