// `winsock-echo demo`: the tutorial's two programs run against each other, each in its own process (both block in
// Winsock calls), and both transcripts shown.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { print, write } from './transcript.js';

const cli = fileURLToPath(new URL('./winsock-echo.js', import.meta.url));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], onStderr?: (text: string) => void): { child: ChildProcess; done: Promise<Finished> } {
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

export async function runDemo({ host, port }: { host: string; port: number }): Promise<number> {
  let announce: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => (announce = resolve));
  const server = run(['server', '--host', host, '--port', String(port)], (stderr) => {
    const match = /Listening on .*:(\d+)\n/.exec(stderr);
    if (match) announce(Number(match[1]));
  });
  const serverPort = await Promise.race([listening, server.done.then(() => null)]);
  if (serverPort === null) {
    const failed = await server.done;
    write(`--- server ---\n${failed.stdout}${failed.stderr}`);
    return 1;
  }

  print(`$ winsock-echo server --host ${host} --port ${serverPort}`);
  print(`$ winsock-echo client ${host} --port ${serverPort}`);
  const client = await run(['client', host, '--port', String(serverPort)]).done;
  if (client.code !== 0) server.child.kill();
  const finished = await server.done;
  print('--- client ---');
  write(client.stdout + client.stderr);
  print('--- server ---');
  write(finished.stdout);
  return client.code === 0 && finished.code === 0 ? 0 : 1;
}
