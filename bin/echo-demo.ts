// `winsock-echo demo`: the tutorial's two programs run against each other, each in its own process (both block in
// Winsock calls), and both transcripts shown.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { STDOUT_CLOSED_EXIT_CODE, tryWrite } from './transcript.js';

const cli = fileURLToPath(new URL('./winsock-echo.js', import.meta.url));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  done: Promise<Finished>;
}

/** Thrown inside the demo when the reader of its stdout has gone (`demo | head -3`): the demo stops its children. */
class StdoutClosed extends Error {}

function write(text: string): void {
  if (!tryWrite(text)) throw new StdoutClosed();
}

function print(line: string): void {
  write(`${line}\n`);
}

function run(args: string[], onStderr?: (text: string) => void): Running {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // However the demo ends (its stdout closed mid-transcript, an exception), no server is left waiting for a client.
  const killOnExit = (): void => void child.kill();
  process.on('exit', killOnExit);
  child.on('exit', () => process.off('exit', killOnExit));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    onStderr?.(stderr);
  });
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done };
}

/** The demo: both transcripts on stdout; the exit code is 0 when client and server both succeeded. */
export async function runDemo(options: { host: string; port: number }): Promise<number> {
  const children: Running[] = [];
  try {
    return await showBoth(options, children);
  } catch (error) {
    if (!(error instanceof StdoutClosed)) throw error;
    // The reader has what it wanted. Stop what still runs and wait until it has gone, so that no server outlives the
    // demo: on Windows a killed process ends (and its listening socket closes) only some time after kill returns.
    for (const { child } of children) child.kill();
    await Promise.all(children.map(({ done }) => done));
    return STDOUT_CLOSED_EXIT_CODE;
  }
}

async function showBoth({ host, port }: { host: string; port: number }, children: Running[]): Promise<number> {
  let announce: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => (announce = resolve));
  const server = run(['server', '--host', host, '--port', String(port)], (stderr) => {
    const match = /Listening on .*:(\d+)\n/.exec(stderr);
    if (match) announce(Number(match[1]));
  });
  children.push(server);
  const serverPort = await Promise.race([listening, server.done.then(() => null)]);
  if (serverPort === null) {
    const failed = await server.done;
    write(`--- server ---\n${failed.stdout}${failed.stderr}`);
    return 1;
  }

  print(`$ winsock-echo server --host ${host} --port ${serverPort}`);
  print(`$ winsock-echo client ${host} --port ${serverPort}`);
  const clientRun = run(['client', host, '--port', String(serverPort)]);
  children.push(clientRun);
  const client = await clientRun.done;
  if (client.code !== 0) server.child.kill();
  const finished = await server.done;
  print('--- client ---');
  write(client.stdout + client.stderr);
  print('--- server ---');
  write(finished.stdout);
  return client.code === 0 && finished.code === 0 ? 0 : 1;
}
