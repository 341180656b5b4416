// The workloads and the sides that run them. Each run is one server process and one client process of the same
// side over loopback (the idle workload's client is always the C reference: only the server's memory is measured).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { delay, lastJson, residentBytes, start } from './processes.js';

export type SideName = 'net' | 'ours' | 'socket' | 'c';

export const SIDES: readonly SideName[] = ['net', 'ours', 'socket', 'c'];

export const SIDE_LABELS: Record<SideName, string> = {
  net: 'node:net',
  ours: 'winsock/promises',
  socket: 'winsock Socket',
  c: 'C (blocking)',
};

export interface Sizes {
  runs: number;
  bulkBytes: number;
  bulkChunk: number;
  pingRounds: number;
  pingWarmup: number;
  connections: number;
  idleConnections: number;
  /** The two run lengths whose difference gives callgrind's instructions per round trip... */
  callgrindRounds: [number, number];
  /** ... and the same when the server holds each answer, so that every round trip waits for readiness. */
  callgrindWaitingRounds: [number, number];
}

/** One figure of one run. */
export type Sample = Record<string, number>;

export class Sides {
  constructor(
    private readonly root: string,
    private readonly reference: string,
    /** The soft descriptor limit every child starts with. */
    readonly descriptors: number,
  ) {}

  argv(side: SideName, args: (string | number)[], nodeFlags: string[] = []): string[] {
    const rest = args.map(String);
    if (side === 'c') return [this.reference, ...rest];
    // --expose-gc only lets the idle server collect its garbage before it reports ready; nothing else calls gc().
    return [process.execPath, '--expose-gc', ...nodeFlags, join(this.root, 'dist-bench/sides', `${side}.js`), ...rest];
  }

  /** Starts a server, runs one client against it (of `client.side`, by default the same), returns its result. */
  async pair(side: SideName, workload: string, serverArgs: number[], clientArgs: number[],
    client: { side?: SideName; prefix?: string[]; nodeFlags?: string[] } = {}): Promise<Sample> {
    const server = start(this.argv(side, ['server', workload, ...serverArgs]), this.descriptors, 180_000);
    try {
      const port = Number((await server.nextLine()).replace(/^port /, ''));
      const clientArgv = this.argv(client.side ?? side, ['client', workload, port, ...clientArgs], client.nodeFlags);
      const child = start([...(client.prefix ?? []), ...clientArgv], this.descriptors, 600_000);
      const result = lastJson(await child.exited);
      await server.exited;
      return result;
    } finally {
      server.process.kill('SIGKILL');
    }
  }

  async bulk(side: SideName, sizes: Sizes): Promise<Sample> {
    const { seconds } = await this.pair(side, 'bulk', [], [sizes.bulkBytes, sizes.bulkChunk]);
    return { throughput: sizes.bulkBytes / seconds! / 2 ** 30 };
  }

  async pingpong(side: SideName, sizes: Sizes): Promise<Sample> {
    const result = await this.pair(side, 'pingpong', [], [sizes.pingRounds, sizes.pingWarmup]);
    return { rate: result.rounds! / result.seconds!, p50: result.p50! * 1e6, p99: result.p99! * 1e6 };
  }

  async connrate(side: SideName, sizes: Sizes): Promise<Sample> {
    const { seconds } = await this.pair(side, 'connrate', [sizes.connections], [sizes.connections]);
    return { rate: sizes.connections / seconds! };
  }

  /** The server's resident memory once it holds `idleConnections` connections, each with a read waiting. */
  async idle(side: SideName, sizes: Sizes): Promise<Sample> {
    const server = start(this.argv(side, ['server', 'idle', sizes.idleConnections]), this.descriptors, 180_000);
    let client: ReturnType<typeof start> | undefined;
    try {
      const port = Number((await server.nextLine()).replace(/^port /, ''));
      client = start(this.argv('c', ['client', 'idle', port, sizes.idleConnections]), this.descriptors, 180_000);
      await client.nextLine(); // "connected"
      await server.nextLine(); // "ready": every connection accepted
      await delay(500); // let the allocator settle
      const rss = residentBytes(server.process.pid!, (path) => readFileSync(path, 'utf8'));
      return { rss: rss / 2 ** 20 };
    } finally {
      client?.process.kill('SIGKILL');
      server.process.kill('SIGKILL');
      await Promise.allSettled([client?.exited, server.exited]);
    }
  }

  /**
   * User-space instructions the ping-pong client of `side` executes under callgrind against the C server, with no
   * per-round clock reads, so only the protocol's cost is counted; and how often it waited in epoll_pwait. With
   * `replyDelayUs` the server holds each answer that long, so that the client, slowed down some fifty times by
   * callgrind, is always waiting for readiness when the answer comes instead of finding it there already.
   */
  async instructions(side: SideName, rounds: number, replyDelayUs: number, outFile: string): Promise<Callgrind> {
    await this.pair('c', 'pingpong', [replyDelayUs], [rounds, 0, 0], {
      side,
      prefix: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${outFile}`],
      // Fixed seeds make the runs repeat: V8 otherwise picks its hash seed at random, which changes startup work.
      nodeFlags: ['--hash-seed=1', '--random-seed=1'],
    });
    return readCallgrind(readFileSync(outFile, 'utf8'));
  }
}

export interface Callgrind {
  instructions: number;
  epollWaits: number;
}

/** The total instruction count of a callgrind output file, and the calls to epoll_pwait it recorded. */
export function readCallgrind(text: string): Callgrind {
  const summary = /^summary: (\d+)$/m.exec(text);
  if (summary === null) throw new Error('callgrind output without a summary line');
  const names = new Map<string, string>();
  let callee = '';
  let epollWaits = 0;
  for (const line of text.split('\n')) {
    const name = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (name !== null) {
      if (name[2] !== undefined) names.set(name[1]!, name[2]);
      if (line.startsWith('cfn=')) callee = names.get(name[1]!) ?? '';
    } else if (line.startsWith('calls=') && callee.includes('epoll_pwait')) {
      epollWaits += Number(line.slice(6).split(' ')[0]);
    }
  }
  return { instructions: Number(summary[1]), epollWaits };
}
