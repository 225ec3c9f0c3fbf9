import { join } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { LongestFirstSequencer } from './tests/sequencer.js';

/**
 * Unit test files that must have their own module registry: they replace a module with vi.mock,
 * which only works before anything else in the worker imported it.
 */
const NEEDS_ISOLATION = ['tests/unit/config/never-throws.test.ts'];

/**
 * What every project of every run shares (vitest.package.config.ts uses it too). Not `maxWorkers`:
 * a project's own value wins over the command line's `--maxWorkers`, so it is set once, at the root.
 */
export const shared: NonNullable<ViteUserConfig['test']> = {
  // Integration tests start real peers (Mosquitto, socat ptys, the built daemon): give them time,
  // but never assert on timings (speed is measured in bench/).
  testTimeout: 60_000,
  hookTimeout: 30_000,
  pool: 'forks',
  // Every Node process of the run (the workers, and the anjud and anjuctl they spawn, which inherit
  // the variable) keeps V8's compiled code here and reuses it: the suite starts Node a few hundred
  // times. Node 22.1+; a directory it cannot write is ignored.
  env: { NODE_COMPILE_CACHE: join(import.meta.dirname, 'node_modules/.cache/node-compile-cache') },
  // Longest files first, whatever their project (tests/sequencer.ts says why).
  sequence: { sequencer: LongestFirstSequencer },
  reporters: ['default'],
};

export default defineConfig({
  test: {
    ...shared,
    // Files run in parallel (tests/README.md says what makes that safe). Integration files mostly
    // wait on their peers (broker, ptys, the daemon), so 2 cores carry more files than 2; vitest's
    // default is cores - 1 = 1. Whole suite, 115 files, 2 cores shared with other work (2026-12-07):
    // 4 workers 408 s (mean load 7.9) and 896 s (load 17.4); 3 workers 1127 s (load 14.8, older
    // 15 s deadlines); 2 workers 891 s (load 11.4); one at a time it took 701 s in CI (101 files).
    // Again with the files longest first (2026-12-07 night): 4 workers 287 s; runs noted as 5 workers
    // 299 s and 6 workers 298 s were probably 4 again: they were asked for with `--maxWorkers`, which
    // the projects ignored while they inherited this value (`extends: true`, found 2026-12-08).
    // On a faster 2-core machine (2026-12-08; the suite's CPU 233 s there, 430-500 s on the first,
    // so its CPUs were ~60 % busy at 4 workers): 4 workers 196 s and 198 s, 6 workers 145 s, 152 s
    // and 158 s; with two busy loops beside the run (`yes > /dev/null`, as a loaded or slower
    // machine) 4 workers 238 s, 6 workers 195 s. Six never lost where it was measured.
    maxWorkers: 6,
    // The projects repeat `shared` instead of `extends: true`, which would copy maxWorkers into each
    // of them, where `npx vitest run --maxWorkers=1` could not change it.
    projects: [
      {
        test: {
          ...shared,
          // Unit and integration files in one project without isolation (tests/README.md): a worker
          // runs file after file in one process and one module registry. One project, because a
          // worker is reused only for the next file of the same project, and the files start
          // longest first whichever folder they are in (tests/sequencer.ts).
          name: 'shared',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/fuzz/**/*.test.ts'],
          // The package's own tests build .debs and boot a Debian container: `npm run test:package`
          // (vitest.package.config.ts), also run by .ci/run; packaging/README.md, "Tests".
          exclude: [...NEEDS_ISOLATION, 'tests/integration/package-*.test.ts', '**/node_modules/**'],
          isolate: false,
        },
      },
      {
        test: { ...shared, name: 'isolated', include: NEEDS_ISOLATION },
      },
    ],
  },
});
