/**
 * `npm run bench`: every benchmark races its own bare baseline in the same run and reports a ratio.
 * A missed goal is reported (MISSED), not failed: the exit code is 0 unless a benchmark could not
 * run or could not prove it did the work (then 1). See bench/README.md.
 *
 *   node dist/bench/run.js [--only ingest|memory|decode|detectors|drain|cli] [--memory-duration-s 120]
 *                          [--devices 30] [--rounds 5] [--tmp-dir DIR] [--drain-events 100000]
 *                          [--node-flags=--max-semi-space-size=2]
 */
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { benchCliStartup } from './cli-startup.js';
import { benchDecode } from './decode.js';
import { benchDetectors } from './detectors.js';
import { benchDrain } from './drain.js';
import { benchIngest } from './ingest.js';
import { benchMemory } from './memory.js';
import type { BenchContext, BenchResult } from './result.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'memory-duration-s': { type: 'string', default: '120' },
    devices: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '5' },
    'tmp-dir': { type: 'string', default: tmpdir() },
    'node-flags': { type: 'string', default: '' },
    'drain-events': { type: 'string', default: '100000' },
  },
  strict: true,
});

function positiveInt(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`--${name}: expected a positive integer, found ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const only = values.only;
const BENCHES = ['ingest', 'decode', 'detectors', 'drain', 'memory', 'cli'] as const;
if (only !== undefined && !(BENCHES as readonly string[]).includes(only)) {
  process.stderr.write(`--only: expected one of ${BENCHES.join(', ')}, found ${JSON.stringify(only)}\n`);
  process.exit(2);
}
const durationS = positiveInt('memory-duration-s', values['memory-duration-s']);
const devices = positiveInt('devices', values.devices);
const drainEvents = positiveInt('drain-events', values['drain-events']);
const ctx: BenchContext = {
  tmpDir: values['tmp-dir'],
  rounds: positiveInt('rounds', values.rounds),
  log: (line) => process.stdout.write(`${line}\n`),
};

const results: BenchResult[] = [];
const failures: Array<{ bench: string; error: string }> = [];

async function attempt(bench: string, run: () => Promise<BenchResult[]> | BenchResult[]): Promise<void> {
  ctx.log(`== ${bench}`);
  try {
    results.push(...(await run()));
  } catch (err) {
    failures.push({ bench, error: (err as Error).stack ?? String(err) });
    ctx.log(`  FAILED: ${(err as Error).message}`);
  }
}

if (only === undefined || only === 'ingest') await attempt('ingest', () => benchIngest(ctx));
if (only === undefined || only === 'decode') await attempt('decode', () => benchDecode(ctx));
if (only === undefined || only === 'detectors') await attempt('detectors', () => benchDetectors(ctx));
if (only === undefined || only === 'drain') await attempt('drain', () => benchDrain(ctx, { events: drainEvents }));
if (only === undefined || only === 'cli') await attempt('cli', () => benchCliStartup(ctx));
if (only === undefined || only === 'memory') {
  ctx.log(`   ${devices} simulated radars for ${durationS} s (full check: --memory-duration-s 600)`);
  const nodeFlags = values['node-flags'].split(/\s+/).filter((f) => f !== '');
  await attempt('memory', async () => [await benchMemory(ctx, { durationS, devices, nodeFlags })]);
}

const verdict = (r: BenchResult): string => (r.pass ? 'ok' : 'MISSED') + (r.note ? ' (see note)' : '');
const rows = results.map((r) => [r.bench, String(r.ratio), r.goal, verdict(r)]);
const header = ['bench', 'ratio', 'goal', 'verdict'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');

ctx.log('');
ctx.log(line(header));
ctx.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) ctx.log(line(row));
for (const r of results) {
  ctx.log(`\n${r.bench}:`);
  if (r.note) ctx.log(`  note: ${r.note}`);
  for (const [k, v] of Object.entries(r.details)) ctx.log(`  ${k.padEnd(28)} ${String(v)}`);
}
for (const f of failures) ctx.log(`\n${f.bench}: FAILED\n${f.error}`);
const missed = results.filter((r) => !r.pass).map((r) => r.bench);
if (missed.length > 0) ctx.log(`\nMISSED: ${missed.join(', ')} (a report, not a failure: see bench/README.md)`);

ctx.log('');
for (const r of results) ctx.log(JSON.stringify({ bench: r.bench, ratio: r.ratio, goal: r.goal, pass: r.pass, ...(r.note ? { note: r.note } : {}), ...r.details }));
for (const f of failures) ctx.log(JSON.stringify({ bench: f.bench, ratio: null, goal: null, pass: false, error: f.error.split('\n')[0] }));
process.exitCode = failures.length > 0 ? 1 : 0;
