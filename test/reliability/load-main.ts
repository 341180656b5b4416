// `npm run load -- [--clients 1000] [--max-payload 4194304] [--resets 0.1] [--seed 1]`: the full load run of
// test/reliability/load.ts. Exits non-zero on any failed client or if the server stopped accepting.
import { startup } from '../../src/index.js';
import { describeLoad, runLoad } from './load.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

startup();
const options = {
  clients: option('clients', 1000),
  maxPayload: option('max-payload', 4 << 20),
  resetShare: option('resets', 0.1),
  seed: option('seed', 1),
};
console.log(`load: ${options.clients} clients, payloads 1 B to ${options.maxPayload} B, ${options.resetShare * 100}% ` +
  `resetting, seed ${options.seed}`);
const report = await runLoad(options);
console.log(describeLoad(report));
for (const failure of report.failures.slice(0, 20)) console.log(`  ${failure}`);
process.exitCode = report.failures.length === 0 && report.acceptingAfterwards ? 0 : 1;
