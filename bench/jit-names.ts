// `--profile`: where a callgrind count's instructions went, by function, with V8's generated code named. Callgrind
// knows no names for JIT code (it shows one `0x…` address for all of it); node's --perf-basic-prof writes
// /tmp/perf-<pid>.map, one line per code object ("start size name": `JS:*recvArmable file:…`, `Builtin:GetProperty`),
// and callgrind's --dump-instr=yes gives each instruction's address, so each instruction's cost can be given the
// name of the code object that holds it. This is how the Socket.read fast path was found (bench/notes.md).
import { existsSync, readFileSync, rmSync } from 'node:fs';

/** One code object of a perf map: [start, end) and its name. */
interface CodeRange {
  start: number;
  end: number;
  name: string;
}

function readPerfMap(text: string): CodeRange[] {
  const ranges: CodeRange[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(' ');
    const second = line.indexOf(' ', first + 1);
    if (first < 0 || second < 0) continue;
    const start = parseInt(line.slice(0, first), 16);
    ranges.push({ start, end: start + parseInt(line.slice(first + 1, second), 16), name: line.slice(second + 1) });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** The range holding `address`, by binary search; undefined outside every range. */
function rangeOf(ranges: CodeRange[], address: number): CodeRange | undefined {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const range = ranges[middle]!;
    if (address < range.start) high = middle - 1;
    else if (address >= range.end) low = middle + 1;
    else return range;
  }
  return undefined;
}

/** A position token of callgrind's format: absolute (0x…), relative (+n, -n) or the same as before (*). */
function nextAddress(token: string, previous: number): number {
  if (token === '*') return previous;
  if (token.startsWith('+')) return previous + Number(token.slice(1));
  if (token.startsWith('-')) return previous - Number(token.slice(1));
  return parseInt(token, 16);
}

/**
 * The self cost of each function in a callgrind dump written with --dump-instr=yes, JIT code named from the perf
 * map: the costliest first.
 */
export function costsByName(callgrind: string, perfMap: string): [string, number][] {
  const ranges = readPerfMap(perfMap);
  const names = new Map<string, string>();
  const costs = new Map<string, number>();
  let current = '';
  let address = 0;
  let callCostNext = false;
  for (const line of callgrind.split('\n')) {
    const fn = /^fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (fn !== null) {
      if (fn[2] !== undefined) names.set(fn[1]!, fn[2]);
      current = names.get(fn[1]!) ?? '';
      continue;
    }
    const called = /^cfn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (called !== null) {
      if (called[2] !== undefined) names.set(called[1]!, called[2]);
      continue;
    }
    if (line.startsWith('calls=')) {
      callCostNext = true; // the next cost line is the call's inclusive cost, not this function's own
      continue;
    }
    if (!/^[0-9+*-]/.test(line)) continue;
    const [position = '', , cost] = line.split(' ');
    address = nextAddress(position, address);
    if (callCostNext || cost === undefined) {
      callCostNext = false;
      continue;
    }
    const name = rangeOf(ranges, address)?.name ?? current;
    costs.set(name, (costs.get(name) ?? 0) + Number(cost));
  }
  return [...costs].sort((a, b) => b[1] - a[1]);
}

/**
 * The `top` costliest functions of the callgrind dump `dumpFile`, per `units` (round trips or messages), as lines
 * to print; node's perf map for the process is read and removed (one per profiled process, some 150 KB each).
 */
export function profileLines(dumpFile: string, units: number, top = 15): string[] {
  const callgrind = readFileSync(dumpFile, 'utf8');
  const pid = /^pid: (\d+)$/m.exec(callgrind)?.[1];
  const mapFile = `/tmp/perf-${pid}.map`;
  if (pid === undefined || !existsSync(mapFile)) return [`  (no perf map for ${dumpFile})`];
  const costs = costsByName(callgrind, readFileSync(mapFile, 'utf8'));
  rmSync(mapFile, { force: true });
  return costs.slice(0, top).map(([name, cost]) => `  ${(cost / units).toFixed(0).padStart(7)}  ${name.slice(0, 120)}`);
}
