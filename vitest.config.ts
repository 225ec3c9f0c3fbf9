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
    reporters: ['default'],
  },
});
