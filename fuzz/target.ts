import fc from 'fast-check';

/**
 * One fuzz target: a parser, framer or decoder of input the hub does not control (serial bytes,
 * radio values, cloud messages, config text), and the fast-check property it must hold for every
 * input. The list is fuzz/targets/index.ts; fuzz/README.md says what each target covers and why.
 *
 * A property fails by throwing (an assertion of ours, or an exception escaping the code under test:
 * that is the "no throw escapes" property itself). Hangs are caught by the runner (fuzz/run.ts runs
 * each target in a worker and watches its progress) and, for the framers, by work bounds inside the
 * properties: a scan that did more than a fixed number of steps per byte fails with its input.
 */
export interface FuzzTarget {
  /** Stable, kebab-case: `npm run fuzz -- --target NAME`. */
  readonly name: string;
  /** The source files it exercises. */
  readonly covers: readonly string[];
  /** The property, in words (fuzz/README.md lists them). */
  readonly holds: string;
  /** Built lazily, so listing targets loads nothing heavy. */
  property(): fc.IRawProperty<unknown, boolean>;
  /** Runs in `npm test` (tests/fuzz/fuzz-subset.test.ts); default QUICK_RUNS. Slow targets ask for fewer. */
  readonly quickRuns?: number;
}

/** Runs per target in npm test: enough to catch a regression of a found bug, small enough for CI. */
export const QUICK_RUNS = 500;

/** Fails the property with a message naming what did not hold. */
export function check(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`property violated: ${what}`);
}

export interface TargetResult {
  target: string;
  runs: number;
  seed: number;
  ms: number;
  failed: boolean;
  /** The shrunk counterexample (fc.stringify), its replay path, and the error it raised. */
  counterexample?: string;
  path?: string;
  error?: string;
}

/** Runs one target in this thread. `onProgress` is called every `progressEvery` runs. */
export async function runTarget(t: FuzzTarget, o: { runs: number; seed: number; path?: string; onProgress?: (runs: number) => void; progressEvery?: number }): Promise<TargetResult> {
  const started = performance.now();
  let done = 0;
  const every = o.progressEvery ?? 1000;
  const prop = t.property();
  // fast-check has no per-run hook for sync properties: a wrapper counts the runs (shrinks too).
  const counted: fc.IRawProperty<unknown, boolean> = {
    isAsync: () => prop.isAsync(),
    generate: (mrng, runId) => prop.generate(mrng, runId),
    shrink: (value) => prop.shrink(value),
    run(v) {
      if (++done % every === 0) o.onProgress?.(done);
      return prop.run(v);
    },
    runBeforeEach: () => prop.runBeforeEach(),
    runAfterEach: () => prop.runAfterEach(),
  } as fc.IRawProperty<unknown, boolean>;
  const details = await fc.check(counted, { numRuns: o.runs, seed: o.seed, ...(o.path ? { path: o.path } : {}), endOnFailure: false });
  const ms = performance.now() - started;
  const base = { target: t.name, runs: details.numRuns, seed: o.seed, ms };
  if (!details.failed) return { ...base, failed: false };
  const err = details.errorInstance;
  return {
    ...base,
    failed: true,
    counterexample: details.counterexample ? fc.stringify(details.counterexample) : '(none)',
    path: details.counterexamplePath ?? '',
    error: err instanceof Error ? `${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}` : String(err),
  };
}
