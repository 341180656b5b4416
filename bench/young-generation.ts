// `node dist-bench/young-generation.js [--sides=ours,floor] [--connections=100,1000]`: what the scale server of each
// side leaves in V8's young generation. The scale workload's growth from 100 to 1,000 connections (docs/performance.md)
// is young-generation GC: every scavenge copies what is still alive, and with N connections waiting that is N waits'
// worth of objects. This measures it directly, with no callgrind: the server runs under --trace-gc-nvp with its
// semi-space pinned at 1 MiB (so that every side scavenges often, at the same sizes), driven by the C epoll client
// (bench/scale.c), and the scavenges of the counted stretch give the bytes allocated per message and the bytes that
// survive a scavenge per connection. Not part of `npm run bench`: a diagnosis, on request.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { childEnvironment, hardDescriptorLimit } from './processes.js';
import { SIDE_LABELS, type SideName } from './workloads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name: string, fallback: string): string[] =>
  (process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback).split(',');
const sides = option('sides', 'ours,floor,socket,net') as SideName[];
const connectionCounts = option('connections', '100,1000').map(Number);
const WARMUP_PER_CONNECTION = 20;
const MESSAGES = 20_000;

/** The fields of one --trace-gc-nvp line that this reads. */
interface Scavenge {
  allocated: number;
  survived: number;
  promoted: number;
}

function parseScavenge(line: string): Scavenge | undefined {
  if (!line.includes(' gc=s ')) return undefined;
  const field = (name: string): number => Number(new RegExp(` ${name}=(\\d+)`).exec(line)?.[1] ?? NaN);
  return { allocated: field('allocated'), survived: field('new_space_survived'), promoted: field('promoted') };
}

/** The C scale client, built into build/bench/ as `npm run bench` builds it. */
function scaleClient(): string {
  const binary = join(root, 'build/bench/scale');
  if (!existsSync(binary)) {
    mkdirSync(dirname(binary), { recursive: true });
    execFileSync('cc', ['-O2', '-o', binary, join(root, 'bench/scale.c')], { stdio: 'inherit' });
  }
  return binary;
}

/** The scavenges of the counted stretch of one scale run of `side` with `connections` connections. */
async function measure(side: SideName, connections: number, client: string): Promise<Scavenge[]> {
  const env = childEnvironment({});
  const server = spawn('sh', ['-c', 'ulimit -S -n "$0" && exec "$@"', String(connections + 1024), process.execPath,
    '--expose-gc', '--hash-seed=1', '--random-seed=1', '--no-minor-gc-task', '--min-semi-space-size=1',
    '--max-semi-space-size=1', '--trace-gc-nvp', join(root, 'dist-bench/sides', `${side}.js`), 'server', 'scale',
    String(connections)], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const scavenges: Scavenge[] = [];
  let counting = false;
  let announced: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => (announced = resolve));
  createInterface({ input: server.stdout }).on('line', (line) => {
    if (line.startsWith('port ')) announced(Number(line.slice(5)));
    const scavenge = parseScavenge(line);
    if (scavenge !== undefined && counting) scavenges.push(scavenge);
  });
  const serverExited = new Promise((resolve) => server.on('close', resolve));
  const warmup = Math.max(50_000, connections * WARMUP_PER_CONNECTION);
  const driver = spawn('sh', ['-c', 'ulimit -S -n "$0" && exec "$@"', String(connections + 1024), client,
    String(await port), String(connections), String(warmup), String(MESSAGES), '300', '300'],
  { stdio: ['pipe', 'pipe', 'inherit'], env });
  // The client stops at "warm", "zero" and "counted" (bench/sides/common.ts): the stretch between the last two counts.
  createInterface({ input: driver.stdout }).on('line', (line) => {
    if (line === 'zero') counting = true;
    if (line === 'counted') counting = false;
    driver.stdin.write('go\n');
  });
  const code = await new Promise((resolve) => driver.on('close', resolve));
  await serverExited;
  if (code !== 0) throw new Error(`scale client for ${side} at ${connections} connections exited with ${String(code)}`);
  return scavenges;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const client = scaleClient();
const limit = hardDescriptorLimit();
console.log(`young generation of each scale server, semi-space 1 MiB, ${MESSAGES} messages counted`);
console.log('side | connections | scavenges | bytes allocated per message | bytes surviving a scavenge per connection | promoted per scavenge');
for (const connections of connectionCounts.filter((n) => n + 1024 <= limit)) {
  for (const side of sides) {
    const scavenges = await measure(side, connections, client);
    const allocated = sum(scavenges.map((s) => s.allocated)) / MESSAGES;
    const survived = scavenges.length === 0 ? NaN : sum(scavenges.map((s) => s.survived)) / scavenges.length / connections;
    const promoted = scavenges.length === 0 ? NaN : sum(scavenges.map((s) => s.promoted)) / scavenges.length;
    console.log(`${SIDE_LABELS[side]} | ${connections} | ${scavenges.length} | ${allocated.toFixed(0)} | ${survived.toFixed(0)} | ${promoted.toFixed(0)}`);
  }
}
