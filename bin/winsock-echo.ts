#!/usr/bin/env node
// winsock-echo: Microsoft's "Getting started with Winsock" client and server, ported to the winsock package.
//   winsock-echo server [--port 27015] [--host ADDRESS] [--forever]
//   winsock-echo client <server-name> [--port 27015]
//   winsock-echo demo [--port 0] [--host 127.0.0.1]
//   winsock-echo help [command]
// Help that was asked for goes to stdout with exit code 0; usage after a mistake goes to stderr with exit code 1.
import { parseArgs } from 'node:util';

import { runClient } from './echo-client.js';
import { runDemo } from './echo-demo.js';
import { runServer } from './echo-server.js';
import { note, write } from './transcript.js';

const DEFAULT_PORT = 27015;

const usage: Record<string, string> = {
  server: `usage: winsock-echo server [--port ${DEFAULT_PORT}] [--host ADDRESS] [--forever]
  Accepts one client on ADDRESS (all interfaces if omitted) and echoes what it sends until it closes.
  With --forever, keeps listening and serves any number of clients at once.
  Writes "Listening on HOST:PORT" to stderr once listening (use --port 0 for any free port).`,
  client: `usage: winsock-echo client server-name [--port ${DEFAULT_PORT}]
  Connects to server-name, sends "this is a test", and prints what comes back.`,
  demo: `usage: winsock-echo demo [--port 0] [--host 127.0.0.1]
  Runs the server and the client against each other and prints both transcripts.`,
};
const overview = `usage: winsock-echo <server|client|demo|help> [options]\n\n${Object.values(usage).join('\n\n')}`;

/** A mistake in the command line: its message, then the command's usage, go to stderr. */
class UsageError extends Error {}

function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`invalid port: ${text}`);
  return port;
}

/** `help`, `help <command>`, `--help`, `-h`: what was asked for, on stdout. */
function help(topic: string | undefined): number {
  if (topic !== undefined && !(topic in usage)) {
    note(`unknown command: ${topic}\n${overview}`);
    return 1;
  }
  write(`${topic === undefined ? overview : usage[topic]}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') return help(rest[0]);
  if (command === undefined || !(command in usage)) {
    note(`${command === undefined ? 'no command given' : `unknown command: ${command}`}\n${overview}`);
    return 1;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        forever: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    note(`${(error as Error).message}\n${usage[command]}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) return help(command);
  try {
    switch (command) {
      case 'server':
        if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
        return await runServer({
          host: values.host ?? null,
          port: parsePort(values.port, DEFAULT_PORT),
          forever: values.forever ?? false,
        });
      case 'client':
        // The tutorial prints this line with printf; here it goes to stderr, where usage after a mistake belongs.
        if (positionals.length !== 1) {
          note('usage: winsock-echo client server-name');
          return 1;
        }
        return await runClient({ host: positionals[0]!, port: parsePort(values.port, DEFAULT_PORT) });
      default:
        return await runDemo({ host: values.host ?? '127.0.0.1', port: parsePort(values.port, 0) });
    }
  } catch (error) {
    // Usage only for a mistake in the command line; any other failure is reported as itself.
    note(error instanceof UsageError ? `${error.message}\n${usage[command]}` : (error as Error).message);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
