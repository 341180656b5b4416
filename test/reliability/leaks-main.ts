// `npm run leaks -- --cycles 100000`: the long form of test/reliability/leaks.test.ts, printing the figures of each
// kind of cycle. Exits non-zero if a descriptor is left open or the heap grew by more than 2 MiB.
import { startup } from '../../src/index.js';
import { describeMeasurement, makeFixture, measure, type CycleKind } from './cycles.js';

const index = process.argv.indexOf('--cycles');
const cycles = index === -1 ? 100_000 : Number(process.argv[index + 1]);

startup();
const fixture = makeFixture();
let failed = false;
for (const kind of ['sync', 'async', 'high-level', 'dropped'] as CycleKind[]) {
  const m = await measure(kind, cycles, fixture);
  const leaked = m.fdAfter !== m.fdBefore || m.objectsAlive > 0 || m.heapAfter - m.heapBefore >= 2 << 20;
  failed ||= leaked;
  console.log(`${leaked ? 'LEAK ' : ''}${describeMeasurement(m)}`);
}
fixture.close();
process.exitCode = failed ? 1 : 0;
