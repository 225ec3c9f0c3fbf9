import { describe, expect, it } from 'vitest';
import { QUICK_RUNS, runTarget } from '../../fuzz/target.js';
import { targets } from '../../fuzz/targets/index.js';

/**
 * The fast subset of the fuzzing (issue 17, point 4): every target of fuzz/targets/index.ts, a few
 * hundred inputs each, with a fixed seed (the same inputs every run: a regression of a bug once
 * found stays found) and a random one (new inputs every run; logged, so a failure can be replayed
 * with `npm run fuzz -- --target NAME --seed S`). The long run is `npm run fuzz` (fuzz/README.md).
 */
const FIXED_SEED = 17;
const randomSeed = Number(process.env.ANJU_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('fuzz targets (fast subset)', () => {
  it('has targets', () => expect(targets.length).toBeGreaterThan(0));
  for (const t of targets) {
    for (const [label, seed] of [['fixed', FIXED_SEED], ['random', randomSeed]] as const) {
      it(`${t.name} (${label} seed ${seed})`, async () => {
        const r = await runTarget(t, { runs: t.quickRuns ?? QUICK_RUNS, seed });
        if (r.failed) console.error(`fuzz ${t.name} failed; replay: npm run fuzz -- --target ${t.name} --seed ${seed} --runs ${t.quickRuns ?? QUICK_RUNS}\n${r.counterexample}\n${r.error}`);
        expect(r.error ?? null, `counterexample ${r.counterexample}`).toBeNull();
        expect(r.runs).toBe(t.quickRuns ?? QUICK_RUNS);
      });
    }
  }
});
