// Child processes of the benchmark: every server and client runs in a process of its own, started through `sh` so
// that its descriptor limit can be raised for the idle-connections workload (Node raises its own soft limit to the
// hard one at startup; the C reference does not).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  process: ChildProcessWithoutNullStreams;
  /** The next line the child writes to stdout. */
  nextLine(): Promise<string>;
  /** Resolves with the full stdout once the child has exited with status 0; rejects otherwise. */
  exited: Promise<string>;
}

/** The hard limit of open descriptors a child may raise its soft limit to. */
export function hardDescriptorLimit(): number {
  const answer = spawnSync('sh', ['-c', 'ulimit -H -n'], { encoding: 'utf8' }).stdout.trim();
  return answer === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(answer);
}

/**
 * Variables of the runner's environment that make every Node process do work no side needs. NODE_EXTRA_CA_CERTS
 * (set on this machine to a bundle of 144 certificates) has Node parse them all with OpenSSL at startup, before any
 * JavaScript: 0.045 s of user time a process here (`node -e 0`: 0.094-0.113 s with it, 0.051-0.066 s without, five
 * runs each), 0.09 s of every bulk pair's CPU, and 1.9 MiB of every Node process's RSS (37.4-37.5 MiB against
 * 39.3-39.4, three runs each: the idle rows of every Node side are that much lower since). No side uses TLS.
 */
export const UNUSED_ENVIRONMENT = ['NODE_EXTRA_CA_CERTS'] as const;

/** The runner's environment without {@link UNUSED_ENVIRONMENT}, with `env` added. */
export function childEnvironment(env: Record<string, string>, from: NodeJS.ProcessEnv = process.env):
NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...from, ...env };
  for (const name of UNUSED_ENVIRONMENT) delete result[name];
  return result;
}

/**
 * Starts `argv` with its soft descriptor limit at `descriptors` (which must not exceed the hard limit), with `env`
 * added to the runner's environment (less {@link UNUSED_ENVIRONMENT}). The child's pid is the program's own (sh
 * execs it).
 */
export function start(argv: string[], descriptors: number, timeoutMs: number, env: Record<string, string> = {}): Child {
  const child = spawn('sh', ['-c', 'ulimit -S -n "$0" && exec "$@"', String(descriptors), ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: childEnvironment(env),
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stdout = '';
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout += `${line}\n`;
    const reader = waiting.shift();
    if (reader === undefined) lines.push(line);
    else reader(line);
  });
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<string>((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${argv.join(' ')} exited with ${code ?? signal}\n${stderr}`));
    });
  });
  exited.catch(() => {}); // reported by whoever awaits it; a failed server must not crash the runner first
  return {
    process: child,
    exited,
    nextLine() {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return Promise.race([
        new Promise<string>((resolve) => waiting.push(resolve)),
        exited.then(() => Promise.reject(new Error(`${argv.join(' ')} exited before writing a line`))),
      ]);
    },
  };
}

/** The last line of a client's output, parsed as its JSON result. */
export function lastJson(stdout: string): Record<string, number> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
}

/** A process's resident set size in bytes, from /proc (VmRSS). */
export function residentBytes(pid: number, readFile: (path: string) => string): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFile(`/proc/${pid}/status`));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
