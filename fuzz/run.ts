/**
 * `npm run fuzz -- [--runs N] [--target NAME]... [--seed S] [--path P] [--stall-s S]`: the long run of
 * every fuzz target (fuzz/targets/index.ts), each in a worker thread of its own. Prints per target
 * the runs, the time, runs/s and the failures; a failure writes its counterexample, with the seed
 * and path that replay it, to fuzz/counterexamples/<target>-<seed>.json. Exit 1 when any failed.
 *
 * A hang cannot be interrupted from inside a synchronous property, so the worker reports progress
 * and the main thread ends a worker that made none for --stall-s seconds (default 60): reported as
 * a hang, with the seed and the number of runs done (replay with the same seed and that many runs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runTarget, type TargetResult } from './target.js';
import { targets } from './targets/index.js';

interface Job { target: string; runs: number; seed: number; path?: string }
type FromWorker = { kind: 'progress'; runs: number } | { kind: 'done'; result: TargetResult };

if (!isMainThread) {
  const job = workerData as Job;
  const t = targets.find((x) => x.name === job.target)!;
  const result = await runTarget(t, { runs: job.runs, seed: job.seed, ...(job.path ? { path: job.path } : {}), progressEvery: 100, onProgress: (runs) => parentPort!.postMessage({ kind: 'progress', runs } satisfies FromWorker) });
  parentPort!.postMessage({ kind: 'done', result } satisfies FromWorker);
} else {
  await main();
}

function parseArgs(argv: string[]): { runs: number; names: string[]; seed: number; path?: string; stallS: number } {
  const o = { runs: 10_000, names: [] as string[], seed: Math.floor(Math.random() * 2 ** 31), path: undefined as string | undefined, stallS: 60 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const num = (): number => { const n = Number(value); if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag}: expected a whole number, found ${value}`); i++; return n; };
    if (flag === '--runs') o.runs = num();
    else if (flag === '--seed') o.seed = num();
    else if (flag === '--stall-s') o.stallS = num();
    else if (flag === '--target') { o.names.push(value ?? ''); i++; }
    else if (flag === '--path') { o.path = value; i++; }
    else if (flag === '--list') { for (const t of targets) console.log(`${t.name.padEnd(24)} ${t.holds}`); process.exit(0); }
    else throw new Error(`unknown option ${flag}; options: --runs N --target NAME --seed S --path P --stall-s S --list`);
  }
  for (const n of o.names) if (!targets.some((t) => t.name === n)) throw new Error(`no target ${n}; targets: ${targets.map((t) => t.name).join(', ')}`);
  return o;
}

function runInWorker(job: Job, stallS: number): Promise<TargetResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: job });
    let runs = 0;
    let last = performance.now();
    const hung = (error: string): TargetResult => ({ target: job.target, runs, seed: job.seed, ms: performance.now() - started, failed: true, error });
    const watchdog = setInterval(() => {
      if (performance.now() - last < stallS * 1000) return;
      clearInterval(watchdog);
      void w.terminate();
      resolve(hung(`hang: no progress for ${stallS} s after ${runs} runs (replay: --target ${job.target} --seed ${job.seed} --runs ${runs + 1000})`));
    }, 1000);
    let told = performance.now();
    w.on('message', (m: FromWorker) => {
      last = performance.now();
      if (m.kind === 'progress') {
        runs = m.runs;
        // A long run says how far it got, so an interrupted one still leaves a number.
        if (last - told >= 60_000) { told = last; console.log(`  ${job.target}: ${runs} runs in ${((last - started) / 1000).toFixed(0)} s`); }
      }
      else { clearInterval(watchdog); resolve(m.result); void w.terminate(); }
    });
    w.on('error', (err) => { clearInterval(watchdog); resolve(hung(`worker crashed: ${err.stack ?? err.message}`)); });
  });
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const chosen = o.names.length > 0 ? targets.filter((t) => o.names.includes(t.name)) : targets;
  console.log(`fuzz: ${chosen.length} target(s), ${o.runs} runs each, seed ${o.seed}`);
  console.log(`${'target'.padEnd(24)} ${'runs'.padStart(9)} ${'seconds'.padStart(8)} ${'runs/s'.padStart(8)}  result`);
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), '../../fuzz/counterexamples');
  let failed = 0;
  for (const t of chosen) {
    const r = await runInWorker({ target: t.name, runs: o.runs, seed: o.seed, ...(o.path ? { path: o.path } : {}) }, o.stallS);
    const s = r.ms / 1000;
    console.log(`${t.name.padEnd(24)} ${String(r.runs).padStart(9)} ${s.toFixed(1).padStart(8)} ${String(Math.round(r.runs / Math.max(s, 1e-3))).padStart(8)}  ${r.failed ? 'FAILED' : 'ok'}`);
    if (!r.failed) continue;
    failed++;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${t.name}-${o.seed}.json`);
    writeFileSync(file, `${JSON.stringify({ ...r, replay: `npm run fuzz -- --target ${t.name} --seed ${o.seed} --runs ${o.runs}${r.path ? ` --path ${r.path}` : ''}` }, null, 2)}\n`);
    console.log(`  counterexample: ${r.counterexample ?? '(none: see error)'}\n  ${r.error?.split('\n')[0]}\n  written to ${file}`);
  }
  console.log(failed === 0 ? 'fuzz: no failures' : `fuzz: ${failed} target(s) failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}
