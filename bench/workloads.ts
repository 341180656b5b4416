// The workloads and the sides that run them. Each run is one server process and one client process of the same
// side over loopback (the idle workload's client is always the C reference: only the server's memory is measured).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { delay, lastJson, residentBytes, start, type Child } from './processes.js';

export type SideName = 'net' | 'ours' | 'socket' | 'floor' | 'c';

export const SIDES: readonly SideName[] = ['net', 'ours', 'socket', 'floor', 'c'];

export const SIDE_LABELS: Record<SideName, string> = {
  net: 'node:net',
  ours: 'winsock/promises',
  socket: 'winsock Socket',
  floor: 'floor (C Node-API)',
  c: 'C (blocking)',
};

export interface Sizes {
  runs: number;
  bulkBytes: number;
  /**
   * With --long or --slope: the bytes of a second, longer bulk pair after each run (0: none), whose extra CPU over
   * the `bulkBytes` run, per extra GiB, is the CPU per GiB with startup and the JIT's warm-up both left out.
   */
  bulkSlopeBytes: number;
  bulkChunk: number;
  pingRounds: number;
  pingWarmup: number;
  connections: number;
  /** The idle workload's connection counts (one row each). */
  idleConnections: number[];
  /** The scale workload's connection counts, and its messages before and after the counters are zeroed. */
  scaleConnections: number[];
  scaleWarmup: number;
  scaleMessages: number;
  /** At N connections, at least this many warm-up messages per connection, and this many counted per connection. */
  scaleWarmupPerConnection: number;
  scaleMessagesPerConnection: number;
  /** Bytes of the bulk run under strace (slowed down by it, so shorter than the timed runs). */
  straceBytes: number;
  /** Round trips before callgrind's counters are zeroed (warm-up: startup, JIT compiles)... */
  callgrindWarmup: number;
  /** ... and round trips counted after that, in the steady state, when each answer is waited for... */
  callgrindRounds: number;
  /** ... and when the answer is there already (cheap round trips: more of them to average the scavenges over). */
  callgrindRoundsThere: number;
}

/** The scale workload's warm-up and counted messages at `connections` connections (all connections together). */
export function scaleStretch(sizes: Sizes, connections: number): { warmup: number; messages: number } {
  return {
    warmup: Math.max(sizes.scaleWarmup, connections * sizes.scaleWarmupPerConnection),
    messages: Math.max(sizes.scaleMessages, connections * sizes.scaleMessagesPerConnection),
  };
}

/** One figure of one run. */
export type Sample = Record<string, number>;

export class Sides {
  constructor(
    private readonly root: string,
    private readonly reference: string,
    /** The C epoll client of the scale workload (bench/scale.c). */
    private readonly scaleClient: string,
    /** The wrapper that reports a process's CPU time (bench/rusage.c). */
    private readonly rusage: string,
    /** The soft descriptor limit every child starts with. */
    readonly descriptors: number,
    /** --profile: callgrind records each instruction's address and node writes its perf map (bench/jit-names.ts). */
    private readonly profile = false,
  ) {}

  /**
   * Callgrind with its instrumentation off until the counted window (countBetweenCheckpoints turns it on): startup
   * and warm-up run some three times faster uninstrumented (node's startup: 12 s instead of 29 s on the loaded
   * machine), and nothing before the window is counted anyway. With --profile, each instruction's address too.
   */
  private callgrind(outFile: string): string[] {
    return ['valgrind', '--tool=callgrind', `--dump-instr=${this.profile ? 'yes' : 'no'}`, '--instr-atstart=no',
      `--callgrind-out-file=${outFile}`];
  }

  /**
   * The V8 flags of a process under callgrind ({@link SEEDS}), and with --profile node's perf map of its JIT code.
   * --perf-basic-prof also writes V8's code log, by default as isolate-*.log in the working directory (the
   * repository): to one file under /tmp instead.
   */
  private seeds(): string[] {
    return this.profile ? [...SEEDS, '--perf-basic-prof', '--no-logfile-per-isolate', '--logfile=/tmp/winsock-bench-v8.log'] : SEEDS;
  }

  argv(side: SideName, args: (string | number)[], nodeFlags: string[] = []): string[] {
    const rest = args.map(String);
    if (side === 'c') return [this.reference, ...rest];
    // --expose-gc lets the idle server collect its garbage before it reports ready, and a client under callgrind
    // empty its young generation before the counted window (bench/sides/common.ts checkpoint); nothing else calls gc().
    return [process.execPath, '--expose-gc', ...nodeFlags, join(this.root, 'dist-bench/sides', `${side}.js`), ...rest];
  }

  /** Starts a server, runs one client against it (of `client.side`, by default the same), returns its result. */
  async pair(side: SideName, workload: string, serverArgs: number[], clientArgs: number[],
    client: { side?: SideName; prefix?: string[]; nodeFlags?: string[]; serverPrefix?: string[] } = {}):
  Promise<Sample> {
    const server = start([...(client.serverPrefix ?? []), ...this.argv(side, ['server', workload, ...serverArgs])],
      this.descriptors, 180_000);
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

  /**
   * Bulk: the client's throughput, and the CPU seconds per GiB the client and server processes used together
   * (their rusage, from bench/rusage.c around each), in user and system time. Right after, the same pair moves one
   * chunk: what starting, connecting and exiting cost the two processes (Node's own startup is some 0.09 s of CPU a
   * process here, and winsock/promises' import some 0.05 s more: bench/notes.md), and so what the GiB itself cost
   * beyond that ("beyond startup"). With `sizes.bulkSlopeBytes`, a longer pair too: its extra CPU per extra GiB
   * ("slope") leaves the JIT's warm-up out as well, the figure that compares the sides' data paths.
   */
  async bulk(side: SideName, sizes: Sizes): Promise<Sample> {
    const { seconds, client, server } = await this.bulkUsage(side, sizes.bulkBytes, sizes.bulkChunk);
    const gib = sizes.bulkBytes / 2 ** 30;
    const startup = await this.bulkUsage(side, sizes.bulkChunk, sizes.bulkChunk);
    const perGiB = (more: CpuSeconds, less: CpuSeconds, gibs: number): CpuSeconds =>
      ({ user: (more.user - less.user) / gibs, system: (more.system - less.system) / gibs });
    const moved = (sizes.bulkBytes - sizes.bulkChunk) / 2 ** 30;
    const [clientBeyond, serverBeyond] = [perGiB(client, startup.client, moved), perGiB(server, startup.server, moved)];
    const total = (usage: CpuSeconds): number => usage.user + usage.system;
    const sample: Sample = {
      throughput: gib / seconds, cpu: (total(client) + total(server)) / gib,
      cpuClient: total(client) / gib, cpuServer: total(server) / gib,
      userClient: client.user / gib, systemClient: client.system / gib,
      userServer: server.user / gib, systemServer: server.system / gib,
      startup: total(startup.client) + total(startup.server),
      startupClient: total(startup.client), startupServer: total(startup.server),
      beyondStartup: total(clientBeyond) + total(serverBeyond),
      beyondUser: clientBeyond.user + serverBeyond.user, beyondSystem: clientBeyond.system + serverBeyond.system,
      beyondClient: total(clientBeyond), beyondServer: total(serverBeyond),
    };
    if (sizes.bulkSlopeBytes > sizes.bulkBytes) {
      const longer = await this.bulkUsage(side, sizes.bulkSlopeBytes, sizes.bulkChunk);
      const extra = (sizes.bulkSlopeBytes - sizes.bulkBytes) / 2 ** 30;
      const [clientSlope, serverSlope] = [perGiB(longer.client, client, extra), perGiB(longer.server, server, extra)];
      sample.slope = total(clientSlope) + total(serverSlope);
      sample.slopeUser = clientSlope.user + serverSlope.user;
      sample.slopeSystem = clientSlope.system + serverSlope.system;
    }
    return sample;
  }

  /** One bulk pair of `side` moving `bytes`: the client's seconds, and each process's CPU seconds (rusage). */
  private async bulkUsage(side: SideName, bytes: number, chunk: number):
  Promise<{ seconds: number; client: CpuSeconds; server: CpuSeconds }> {
    const usage = (role: string): string => join(this.root, 'build/bench', `rusage.${side}.${role}`);
    const { seconds } = await this.pair(side, 'bulk', [], [bytes, chunk], {
      prefix: [this.rusage, usage('client')],
      serverPrefix: [this.rusage, usage('server')],
    });
    return { seconds: seconds!, client: readUsage(usage('client')), server: readUsage(usage('server')) };
  }

  /**
   * Bulk under `strace -f -c`: the syscalls per GiB of the client and of the server process, and the same beyond
   * startup: less those of the same pair moving one chunk, since a Node process makes some 900 to 1,700 syscalls
   * to start and exit (mmap, mprotect, futex, openat, ...), which a run of 256 MiB counts four times per GiB.
   */
  async bulkSyscalls(side: SideName, bytes: number, chunk: number): Promise<Sample> {
    const counts = (role: string): string => join(this.root, 'build/bench', `strace.${side}.${role}`);
    const strace = (role: string): string[] => ['strace', '-f', '-c', '-o', counts(role)];
    const run = async (moved: number): Promise<{ client: number; server: number }> => {
      await this.pair(side, 'bulk', [], [moved, chunk], { prefix: strace('client'), serverPrefix: strace('server') });
      return { client: straceCalls(readFileSync(counts('client'), 'utf8')),
        server: straceCalls(readFileSync(counts('server'), 'utf8')) };
    };
    const startup = await run(chunk);
    const whole = await run(bytes); // last, so that build/bench/strace.* hold the whole run's table
    const [gib, moved] = [bytes / 2 ** 30, (bytes - chunk) / 2 ** 30];
    return { client: whole.client / gib, server: whole.server / gib,
      clientBeyondStartup: (whole.client - startup.client) / moved,
      serverBeyondStartup: (whole.server - startup.server) / moved };
  }

  async pingpong(side: SideName, sizes: Sizes): Promise<Sample> {
    const result = await this.pair(side, 'pingpong', [], [sizes.pingRounds, sizes.pingWarmup]);
    return { rate: result.rounds! / result.seconds!, p50: result.p50! * 1e6, p99: result.p99! * 1e6 };
  }

  async connrate(side: SideName, sizes: Sizes): Promise<Sample> {
    const { seconds } = await this.pair(side, 'connrate', [sizes.connections], [sizes.connections]);
    return { rate: sizes.connections / seconds! };
  }

  /** The server's resident memory once it holds `connections` connections, each with a read waiting. */
  async idle(side: SideName, connections: number): Promise<Sample> {
    const server = start(this.argv(side, ['server', 'idle', connections]), this.descriptors, 180_000);
    let client: ReturnType<typeof start> | undefined;
    try {
      const port = Number((await server.nextLine()).replace(/^port /, ''));
      client = start(this.argv('c', ['client', 'idle', port, connections]), this.descriptors, 180_000);
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
   * User-space instructions per round trip of the ping-pong client of `side` under callgrind, against the C server,
   * in the steady state: `warmup` round trips, then the counters are zeroed, `rounds` round trips, and they are
   * dumped (no per-round clock reads). With `replyDelayUs` > 0 the server holds each answer that long, so that the
   * client, slowed down some fifty times by callgrind, is always waiting for readiness when the answer comes; with
   * -1 it is 256 answers ahead, so that the answer is always there already.
   */
  async instructions(side: SideName, warmup: number, rounds: number, replyDelayUs: number, outFile: string):
  Promise<Callgrind> {
    // The server outlives a client under callgrind, whose startup alone can take minutes on a loaded machine.
    const delays = replyDelayUs > 0 ? [replyDelayUs, COUNTED_HOLD_US, warmup] : [replyDelayUs];
    const server = start(this.argv('c', ['server', 'pingpong', ...delays]), this.descriptors, 900_000);
    let client: Child | undefined;
    try {
      const port = Number((await server.nextLine()).replace(/^port /, ''));
      client = start([...this.callgrind(outFile), ...this.argv(side, ['client', 'pingpong', port, rounds, warmup, 0], [...this.seeds(), ...NEW_SPACE])],
        this.descriptors, 900_000, { BENCH_CHECKPOINTS: '1' });
      const counted = await countBetweenCheckpoints(client, client, outFile);
      await client.exited;
      await server.exited;
      return { instructions: counted.instructions / rounds, epollWaits: counted.epollWaits / rounds,
        compiles: counted.compiles / rounds };
    } finally {
      client?.process.kill('SIGKILL');
      server.process.kill('SIGKILL');
    }
  }

  /**
   * Server instructions per echoed 64-byte message with `connections` connections at once, driven by the C epoll
   * client (bench/scale.c), which holds each next message 300 µs (COUNTED_HOLD_US when counted) after its echo so that the server waits for every
   * one: the server of `side` runs under callgrind, zeroed after `warmup` messages and dumped after `messages`.
   */
  async scale(side: SideName, connections: number, warmup: number, messages: number, outFile: string):
  Promise<Callgrind> {
    const server = start([...this.callgrind(outFile), ...this.argv(side, ['server', 'scale', connections], this.seeds())],
      this.descriptors, 900_000);
    let client: Child | undefined;
    try {
      const port = Number((await server.nextLine()).replace(/^port /, ''));
      client = start([this.scaleClient, String(port), String(connections), String(warmup), String(messages), '300',
        String(COUNTED_HOLD_US)],
        this.descriptors, 900_000);
      const counted = await countBetweenCheckpoints(client, server, outFile, async () => {
        server.process.kill('SIGUSR2'); // empties its young generation (bench/sides/common.ts collectWhenAsked)
        const answer = await server.nextLine();
        if (answer !== 'collected') throw new Error(`expected "collected" from the server, got "${answer}"`);
      });
      await client.exited;
      await server.exited;
      return { instructions: counted.instructions / messages, epollWaits: counted.epollWaits / messages,
        compiles: counted.compiles / messages };
    } finally {
      client?.process.kill('SIGKILL');
      server.process.kill('SIGKILL');
    }
  }
}

/**
 * How long the C server (or the scale client) holds each answer (next message) of the counted stretch in the
 * waited-for modes, 300 µs in the uninstrumented warm-up: under callgrind the process counted sometimes took longer
 * than 300 µs to get to its first poll, found the answer there, and polled once instead of twice (1.84 and 1.97
 * epoll waits per round trip in two runs, 11,223 and 11,578 instructions).
 */
export const COUNTED_HOLD_US = 2000;

/**
 * A client's young generation at one fixed size, V8's (11.3, 64-bit) starting semi-space of 1 MiB: V8 grows it
 * from the survivors and shrinks it from the allocation throughput it measures in time, so with the default the
 * same 20,000 round trips of winsock/promises' client (answer there already, 3 counts at once) scavenged 9 times
 * in some runs and 4 in others (4,571 and 4,392 instructions per round trip); pinned, 9 in every run (4,520 and
 * 4,521 without the compile job of one window). Pinned at 4 MiB (what --predictable-gc-schedule sets) it scavenged
 * twice and still varied by 1.1%; at 16 MiB not at all, leaving the collector's share out of the count. The scale
 * servers keep V8's default: their live set (a wait per connection) is what the default sizing answers to.
 */
const NEW_SPACE = ['--min-semi-space-size=1', '--max-semi-space-size=1'];

/**
 * V8 flags of every process under callgrind, so that its count repeats. Fixed seeds: V8 otherwise picks its hash
 * seed at random, which changes its work. No scavenge from a task: V8 schedules one as a platform task when the new
 * space is 80% full, and the task runs when the event loop gets to it, so two runs of winsock/promises' client
 * counted 5 and 11 scavenges in the same 20,000 round trips (4,420 and 4,569 instructions per round trip); without
 * the task a scavenge comes when the new space is full, at the same allocation in every run.
 */
const SEEDS = ['--hash-seed=1', '--random-seed=1', '--no-minor-gc-task'];


/**
 * The counts of `counted` (a process under callgrind) between the "zero" and "counted" lines of `driver` (which
 * writes "warm" before "zero": see bench/sides/common.ts): turns the instrumentation on and zeroes the counters at
 * the first (after `beforeZero`), dumps them at the second (callgrind_control, through valgrind's gdbserver), and lets
 * the driver go on after each with a line on its stdin.
 */
async function countBetweenCheckpoints(driver: Child, counted: Child, outFile: string,
  beforeZero: () => Promise<void> = async () => {}): Promise<Callgrind> {
  const dump = `${outFile}.1`; // callgrind numbers its dumps
  rmSync(dump, { force: true });
  const pid = String(counted.process.pid);
  const expect = async (line: string): Promise<void> => {
    const got = await driver.nextLine();
    if (got !== line) throw new Error(`expected "${line}" from the client, got "${got}"`);
  };
  await expect('warm');
  driver.process.stdin.write('go\n');
  await expect('zero');
  await beforeZero();
  execFileSync('callgrind_control', ['--instr=on', pid], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' });
  driver.process.stdin.write('go\n');
  await expect('counted');
  execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
  driver.process.stdin.write('go\n');
  return readCallgrind(readFileSync(dump, 'utf8'));
}

export interface Callgrind {
  instructions: number;
  epollWaits: number;
  /** Instructions of TurboFan compile jobs (V8's OptimizingCompileDispatcher) inside the counted window. */
  compiles: number;
}

/**
 * The total instruction count of a callgrind output file, the calls to epoll_pwait it recorded, and the inclusive
 * cost of TurboFan compile jobs in it: a steady state has none, so a count with some is not one yet.
 */
export function readCallgrind(text: string): Callgrind {
  const summary = /^summary: (\d+)$/m.exec(text);
  if (summary === null) throw new Error('callgrind output without a summary line');
  const names = new Map<string, string>();
  let callee = '';
  let epollWaits = 0;
  let compiles = 0;
  let callCostNext = false;
  for (const line of text.split('\n')) {
    const name = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (name !== null) {
      if (name[2] !== undefined) names.set(name[1]!, name[2]);
      if (line.startsWith('cfn=')) callee = names.get(name[1]!) ?? '';
    } else if (line.startsWith('calls=')) {
      if (callee.includes('epoll_pwait')) epollWaits += Number(line.slice(6).split(' ')[0]);
      callCostNext = callee.includes('OptimizingCompileDispatcher::CompileTask::RunInternal');
    } else if (callCostNext) {
      compiles += Number(line.trim().split(' ')[1] ?? 0); // the line after calls=: position, inclusive cost
      callCostNext = false;
    }
  }
  return { instructions: Number(summary[1]), epollWaits, compiles };
}

/** A process's CPU time: user and system seconds. */
export interface CpuSeconds {
  user: number;
  system: number;
}

/** The user and system CPU seconds in a bench/rusage.c file ("USER SYSTEM"). */
export function readUsage(file: string): CpuSeconds {
  const [user, system] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
  if (!Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`${file}: not "USER SYSTEM" seconds`);
  return { user: user!, system: system! };
}

/** The calls of the "total" line of `strace -c` output. */
export function straceCalls(text: string): number {
  const total = text.split('\n').find((line) => /\stotal$/.test(line));
  const calls = Number(total?.trim().split(/\s+/)[3]);
  if (!Number.isFinite(calls)) throw new Error(`strace -c output without a total line:\n${text}`);
  return calls;
}
