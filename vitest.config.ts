import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The package tests pack and install the tarball: `npm run test:package` runs them with node --test.
    exclude: ['test/package/**', '**/node_modules/**'],
    pool: 'forks',
    // Under scripts/with-asan.sh every call is several times slower (the fuzz test's 10,000 calls take ~30 s): the
    // limits only guard against hangs, so they grow with it.
    testTimeout: process.env.WINSOCK_SANITIZED === '1' ? 120_000 : 30_000,
    hookTimeout: process.env.WINSOCK_SANITIZED === '1' ? 120_000 : 30_000,
  },
});
