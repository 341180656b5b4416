// Shared fixtures for the conformance suite: plain functions over the public API and node:assert, no runner APIs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as ws from '../src/index.js';
import { packageRoot } from '../src/native.js';

/** Asserts that `call` throws a WinsockError with this code and number (and syscall, when given). */
export function assertWinsockError(call: () => unknown, code: string, syscall?: string): ws.WinsockError {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ws.WinsockError, `expected WinsockError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.errno, ws[code as keyof typeof ws], `errno of ${code}`);
  if (syscall !== undefined) assert.equal(caught.syscall, syscall);
  return caught;
}

/** Asserts that `call` throws a TypeError or RangeError with Node's code for it. */
export function assertArgumentError(call: () => unknown, kind: typeof TypeError | typeof RangeError): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.equal((error as { code?: string }).code, kind === TypeError ? 'ERR_INVALID_ARG_TYPE' : 'ERR_OUT_OF_RANGE');
    return true;
  });
}

/** Sockets a test opens; `closeAll()` (from afterEach) closes whatever the test left open. */
export class SocketScope {
  private readonly sockets = new Set<ws.SOCKET>();

  track<T extends ws.SOCKET>(s: T): T {
    this.sockets.add(s);
    return s;
  }

  tcp(family: number = ws.AF_INET): ws.SOCKET {
    return this.track(ws.socket(family, ws.SOCK_STREAM, ws.IPPROTO_TCP));
  }

  /** A TCP socket listening on loopback, on a port the OS picked. */
  listener(host = '127.0.0.1'): { listener: ws.SOCKET; port: number } {
    const listener = this.tcp(host.includes(':') ? ws.AF_INET6 : ws.AF_INET);
    ws.bind(listener, host, 0);
    ws.listen(listener);
    return { listener, port: ws.getsockname(listener).port };
  }

  /** A connected pair over loopback: `client` from connect(), `server` from accept(). */
  pair(host = '127.0.0.1'): { client: ws.SOCKET; server: ws.SOCKET; port: number } {
    const { listener, port } = this.listener(host);
    const client = this.tcp(host.includes(':') ? ws.AF_INET6 : ws.AF_INET);
    ws.connect(client, host, port);
    const server = this.track(ws.accept(listener).socket);
    this.close(listener);
    return { client, server, port };
  }

  close(s: ws.SOCKET): void {
    this.sockets.delete(s);
    ws.closesocket(s);
  }

  closeAll(): void {
    for (const s of this.sockets) {
      try {
        ws.closesocket(s);
      } catch {
        // already closed by the test, or by cleanup(): either way it is gone
      }
    }
    this.sockets.clear();
  }
}

/** The number of open file descriptors of this process (Linux only). */
export function openDescriptorCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Runs a full garbage collection, enabling `gc` at run time so no runner flag is needed. */
export function collectGarbage(): void {
  const { Bun, gc } = globalThis as { Bun?: { gc(force: boolean): void }; gc?: () => void };
  if (Bun !== undefined) return Bun.gc(true); // JavaScriptCore: no V8 flags
  if (gc !== undefined) return gc(); // Deno, given --v8-flags=--expose-gc by scripts/test-runtimes.sh
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * The arguments that make this runtime's executable (`process.execPath`) run `source` as an ES module. Deno reads
 * Node's `--input-type=module -e` as a script, where a top-level await is a SyntaxError; `deno eval --ext=mjs` is
 * its spelling, with every permission (the addon needs --allow-ffi).
 */
export function evalModuleArgs(source: string): string[] {
  return 'Deno' in globalThis ? ['eval', '--ext=mjs', source] : ['--input-type=module', '-e', source];
}

/** The compiled CLI and library (npm test and test:wine compile them first). */
export const cliPath = join(packageRoot, 'dist', 'bin', 'winsock-echo.js');
export const distIndexPath = join(packageRoot, 'dist', 'src', 'index.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `winsock-echo`; `listening` resolves with the port from its "Listening on HOST:PORT" line. */
export function startCli(args: string[]): { done: Promise<CliRun>; listening: Promise<number>; kill(): void } {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let announce: (port: number) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const listening = new Promise<number>((resolve, reject) => ((announce = resolve), (fail = reject)));
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    const match = /Listening on .*:(\d+)\r?\n/.exec(stderr);
    if (match) announce(Number(match[1]));
  });
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      fail(new Error(`winsock-echo exited (${code}) before listening: ${stdout}${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  listening.catch(() => {}); // awaited only by callers that wait for the server; a plain run never does
  return { done, listening, kill: () => child.kill() };
}

/** Runs `winsock-echo` to completion. */
export function runCli(args: string[]): Promise<CliRun> {
  return startCli(args).done;
}

/** The error `promise` rejects with (Winsock's fields and Node's `code` readable), or a failure if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  assert.fail('expected the promise to reject');
}
