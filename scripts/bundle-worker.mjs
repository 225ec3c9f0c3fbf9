#!/usr/bin/env node
// Build step (npm run build, after tsc): the config validation worker (dist/src/config/validate-worker.js)
// as one file with zod, yaml and the schema inside. anjud starts it at every start-up and for every
// set-config (src/config/validate-off-thread.ts); a worker thread loading ~200 ES modules one by one
// spent most of its time in Node's module loader (measured on the 2-core VM: 0.67 -> 0.50 s of CPU
// for a process that runs one validation). It stays in its folder, so its import.meta.url paths
// (devices/, package.json) resolve as before.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rolldown } from 'rolldown';

const dir = join(import.meta.dirname, '../dist/src/config');
const entry = join(dir, 'validate-worker.js');
const tmp = join(dir, 'validate-worker.bundle.js');
const bundle = await rolldown({ input: entry, platform: 'node', logLevel: 'warn' });
const { output } = await bundle.write({ file: tmp, format: 'esm' });
await bundle.close();
if (output.length !== 1) throw new Error(`bundle-worker: expected one file, rolldown wrote ${output.map((o) => o.fileName).join(', ')}`);
rmSync(entry);
renameSync(tmp, entry);
