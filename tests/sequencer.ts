/**
 * The order Vitest starts the test files in: longest first, whatever the project (longest
 * processing time first, the classic rule for packing jobs onto a few workers).
 *
 * Vitest's own order runs the projects one after the other, by name: `integration` first, then
 * every `unit` file last, so the one unit file that takes half a minute (the dispatch equivalence
 * test) ran alone at the end while the other workers sat idle. And on a fresh clone, which has no
 * results cache, it orders a project's files by size, which says little about how long a file
 * takes.
 *
 * How long a file takes comes from `tests/durations.json`: seconds per file in a whole-suite run
 * on 2 cores, written by `node scripts/test-durations.mjs` from Vitest's results cache right after
 * such a run. A file not listed there takes what Vitest's
 * results cache says (the last run on this machine), and a file neither knows is new and goes
 * first, as in Vitest's own order; so does a file that failed in the last run here. Only the order
 * changes: which files run, and how, is vitest.config.ts's.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const DURATIONS = join(import.meta.dirname, 'durations.json');

/** The committed seconds per file; none when the file is missing, an error naming it when it is broken. */
function committed(): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(DURATIONS, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    return JSON.parse(text) as Record<string, number>;
  } catch (err) {
    throw new Error(`${DURATIONS}: not JSON (${(err as Error).message}); expected seconds per test file, as scripts/test-durations.mjs writes them`);
  }
}

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = committed();
    const root = this.ctx.config.root;
    const expected = new Map<TestSpecification, { failed: boolean; s: number }>();
    for (const spec of files) {
      const path = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`);
      const s = known[path] ?? (cached ? cached.duration / 1000 : Infinity);
      expected.set(spec, { failed: cached?.failed ?? false, s });
    }
    return [...files].sort((a, b) => {
      const groupOrder = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (groupOrder !== 0) return groupOrder;
      const x = expected.get(a)!;
      const y = expected.get(b)!;
      if (x.failed !== y.failed) return x.failed ? -1 : 1;
      return y.s - x.s || (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0);
    });
  }
}
