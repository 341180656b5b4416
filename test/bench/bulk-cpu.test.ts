// The bench's bulk CPU figures and how it prepares a run: the rusage files it reads (bench/workloads.ts), the
// environment its children get (bench/processes.ts), and when it may make the addon with make alone instead of
// `node-gyp rebuild` (bench/addon-build.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';

import { reconfigureReason, type ConfigureStamp } from '../../bench/addon-build.js';
import { UNUSED_ENVIRONMENT, childEnvironment } from '../../bench/processes.js';
import { readUsage } from '../../bench/workloads.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function usageFile(text: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'bulk-cpu-'));
  folders.push(folder);
  const file = join(folder, 'rusage');
  writeFileSync(file, text);
  return file;
}

describe('readUsage (bench/rusage.c output)', () => {
  test('reads user and system seconds apart', () => {
    expect(readUsage(usageFile('0.261000 0.308125\n'))).toEqual({ user: 0.261, system: 0.308125 });
  });

  test('a file that is not "USER SYSTEM" is an error, not a figure of NaN or 0', () => {
    for (const text of ['', '0.25\n', 'user system\n', '0.25 x\n']) {
      expect(() => readUsage(usageFile(text))).toThrow(/not "USER SYSTEM" seconds/);
    }
  });
});

describe('childEnvironment', () => {
  test('drops NODE_EXTRA_CA_CERTS and keeps the rest, with the additions', () => {
    const env = childEnvironment({ BENCH_CHECKPOINTS: '1' }, { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/x.crt' });
    expect(env).toEqual({ PATH: '/bin', BENCH_CHECKPOINTS: '1' });
    expect(UNUSED_ENVIRONMENT).toContain('NODE_EXTRA_CA_CERTS');
  });

  test('an addition cannot bring a dropped variable back', () => {
    expect(childEnvironment({ NODE_EXTRA_CA_CERTS: '/x' }, {})).toEqual({});
  });
});

describe('reconfigureReason (bench/addon-build.ts)', () => {
  const stamp = (change: Partial<ConfigureStamp> = {}): ConfigureStamp => ({
    bindingGyp: 'gyp-1',
    node: 'v20.20.2 /usr/bin/node /usr',
    nodeAddonApi: '8.5.0',
    environment: { WINSOCK_WERROR: null, npm_config_winsock_werror: null, WINSOCK_SANITIZE: null },
    written: { 'config.gypi': 'c1', Makefile: 'm1', 'winsock.target.mk': 't1' },
    ...change,
  });

  test('the same inputs and outputs as the last configure: make alone', () => {
    expect(reconfigureReason(stamp(), stamp())).toBeNull();
  });

  test('never configured, or no stamp of the bench\'s own configure: rebuild', () => {
    expect(reconfigureReason(null, stamp({ written: { 'config.gypi': null, Makefile: null, 'winsock.target.mk': null } })))
      .toBe('build/ is not configured');
    expect(reconfigureReason(null, stamp())).toBe('no stamp of the last configure by the bench');
  });

  test('each configure input that changed makes it rebuild, and says which', () => {
    expect(reconfigureReason(stamp(), stamp({ bindingGyp: 'gyp-2' }))).toBe('binding.gyp changed');
    expect(reconfigureReason(stamp(), stamp({ node: 'v22.0.0 /usr/bin/node /usr' }))).toMatch(/^Node changed/);
    expect(reconfigureReason(stamp(), stamp({ nodeAddonApi: '8.6.0' }))).toBe('node-addon-api changed');
    const werror = stamp({ environment: { ...stamp().environment, WINSOCK_WERROR: '1' } });
    expect(reconfigureReason(stamp(), werror)).toBe('WINSOCK_WERROR changed');
  });

  test('a configure by someone else since (npm ci, npm run build) makes it rebuild', () => {
    const reconfigured = stamp({ written: { ...stamp().written, 'winsock.target.mk': 't2' } });
    expect(reconfigureReason(stamp(), reconfigured)).toBe('build/winsock.target.mk was written by another configure');
  });

  test('a target makefile gone since (build/ half removed) counts as not configured', () => {
    const half = stamp({ written: { ...stamp().written, 'winsock.target.mk': null } });
    expect(reconfigureReason(stamp(), half)).toBe('build/ is not configured');
  });
});
