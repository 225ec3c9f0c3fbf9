#!/usr/bin/env node
// Writes tests/durations.json (what tests/sequencer.ts orders the files by): seconds per test file,
// to a tenth, from Vitest's results cache, so run it right after a whole-suite run (`npm test`),
// not after running single files. (Vitest's JSON report is no source: for the unit files, which
// share a worker, it leaves out the time spent loading them.)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cacheDir = join(root, 'node_modules/.vite/vitest');
// The projects of vitest.config.ts: the cache also keeps entries of projects since renamed, and of
// runs under another config (project ''), which must not stand in for the suite's own.
const PROJECTS = new Set(['shared', 'isolated']);
const out = {};
for (const d of readdirSync(cacheDir)) {
  const { results } = JSON.parse(readFileSync(join(cacheDir, d, 'results.json'), 'utf8'));
  for (const [key, r] of results) {
    const [project, path] = key.split(':');
    if (PROJECTS.has(project) && !r.failed) out[path] = Math.round(r.duration / 100) / 10;
  }
}
const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(join(root, 'tests/durations.json'), `${JSON.stringify(sorted, null, 1)}\n`);
console.log(`tests/durations.json: ${Object.keys(sorted).length} files`);
