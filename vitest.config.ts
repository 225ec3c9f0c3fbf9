import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The package's own tests build .debs and boot a Debian container: `npm run test:package`
    // (vitest.package.config.ts), also run by .ci/run; packaging/README.md, "Tests".
    exclude: ['tests/integration/package-*.test.ts', '**/node_modules/**'],
    // Integration tests start real peers (Mosquitto, socat ptys, the built daemon): give them time,
    // but never assert on timings (speed is measured in bench/).
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Files run in parallel (tests/README.md says what makes that safe). Integration files mostly
    // wait on their peers (broker, ptys, the daemon), so 2 cores carry more files than 2; vitest's
    // default is cores - 1 = 1. Whole suite, 115 files, 2 cores shared with other work (2026-12-07):
    // 4 workers 408 s (mean load 7.9) and 896 s (load 17.4); 3 workers 1127 s (load 14.8, older
    // 15 s deadlines); 2 workers 891 s (load 11.4); one at a time it took 701 s in CI (101 files).
    maxWorkers: 4,
    reporters: ['default'],
  },
});
