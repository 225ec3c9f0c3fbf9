import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.js';

/**
 * `npm run test:package`: the tests that build the .deb packages and run them (packaging/README.md,
 * "Tests"): the arm64 package under qemu-user and reproducibility, and the install / upgrade /
 * rollback / purge story on Debian 12 with systemd in a container. One file at a time: they are
 * heavy (builds, a booted container) and the machine may be shared. (Only the shared settings, not
 * the default config's projects, whose exclude leaves these files out.)
 */
export default defineConfig({
  test: {
    ...shared,
    include: ['tests/integration/package-*.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    testTimeout: 10 * 60_000,
    hookTimeout: 15 * 60_000,
  },
});
