import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createManualClock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/load.js';
import { detectorBindings } from '../src/pipeline/bindings.js';
import { createIngest, flushReadingsAndStates } from '../src/daemon/ingest.js';
import { createMr60bha1Driver } from '../src/drivers/seeed-mr60bha1/index.js';
import { openDatabase } from '../src/store/database.js';
import { createOutbox } from '../src/store/outbox.js';
import { createDetectorStateStore } from '../src/store/detector-state.js';
import { createReadingStore, type ReadingStore } from '../src/store/readings.js';
import { buildWorkload, HOME_RADARS, T0_MS, type Row, type Workload } from './ingest-workload.js';
import type { BenchContext, BenchResult } from './result.js';
import { fmtRate, median, round } from './stats.js';

/**
 * Ingest: UART bytes -> MR60BHA1 driver -> detectors -> batched readings (and detector state
 * snapshots) in SQLite, through the real createIngest, against bare better-sqlite3 inserts of the same rows in batches of the same
 * size (same schema, WAL + synchronous=FULL). Ratio = pipeline readings/s ÷ bare rows/s.
 * Each round interleaves the two sides in short slices (whole back-to-back runs gave ratios from
 * 0.64 to 1.5 on a 2-core VM, fsync bursts landing on one side); the median round is reported.
 */
const GOAL_RATIO = 0.5;
/** What one flush of readings holds once the store has fallen behind (a slow SD card, a backlog). */
const LARGE_BATCH = 1000;
/** Each baseline run should last about this long: long enough to time, short enough for 5 rounds. */
const TARGET_RUN_MS = 400;
const MIN_SECONDS = 120;
const MAX_SECONDS = 6 * 3600;

/** The detectors a minimal config runs, with the defaults the schema fills in. */
function defaultDetectors() {
  const r = parseConfig('hub: { id: bench }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n');
  if (!r.ok) throw new Error(`bench config invalid: ${JSON.stringify(r.problems)}`);
  return detectorBindings(r.config);
}

function freshDir(ctx: BenchContext): string {
  return mkdtempSync(join(ctx.tmpDir, 'anju-bench-ingest-'));
}

/**
 * One side of a race, run in slices: `slice(i, n)` does the i-th of n equal parts of the work
 * (the last one includes the final flush); `finish()` checks the work and cleans up, untimed.
 */
interface Side {
  slice(i: number, n: number): void;
  finish(): void;
}

const part = (length: number, i: number, n: number): [number, number] => [Math.floor((length * i) / n), Math.floor((length * (i + 1)) / n)];

function pipelineSide(ctx: BenchContext, w: Workload, batch: number): Side {
  const dir = freshDir(ctx);
  const db = openDatabase(dir);
  const clock = createManualClock(T0_MS);
  const store = createReadingStore(db, clock);
  // The daemon flushes on a timer; here we flush by count so the batches are exactly `batch`
  // readings, the same batches the baseline commits.
  // Each flush is what the daemon's flush timer does (the same function): commit the readings and
  // the detector states due for a snapshot in one transaction.
  const flush = (): void => flushReadingsAndStates(db, store, ingest);
  const readings: ReadingStore = {
    ...store,
    add(r) {
      store.add(r);
      if (store.buffered() >= batch) flush();
    },
  };
  let events = 0;
  const ingest = createIngest({
    clock, readings, outbox: createOutbox(db, clock), states: createDetectorStateStore(db, clock), detectors: defaultDetectors(),
    onEvent: () => { events++; },
    onStoreError: (err) => { throw err; },
  });
  const feeds = HOME_RADARS.map((id) => ingest.addDevice(id, createMr60bha1Driver()));
  return {
    slice(i, n) {
      const [from, to] = part(w.chunks.length, i, n);
      for (let k = from; k < to; k++) {
        const c = w.chunks[k]!;
        clock.set(T0_MS + c.second * 1000);
        feeds[c.device]!(c.bytes);
      }
      if (i === n - 1) flush();
    },
    finish() {
      try {
        // Proof that the pipeline did the work: every reading counted, stored, with the right values.
        const counted = HOME_RADARS.reduce((sum, id) => sum + (ingest.stats(id)?.readings ?? 0), 0);
        const stored = db.prepare<[], { n: number; sum: number }>('SELECT count(*) AS n, total(value) AS sum FROM readings').get()!;
        if (counted !== w.rows.length || stored.n !== w.rows.length || stored.sum !== w.valueSum) {
          throw new Error(`ingest pipeline did not store the workload: expected ${w.rows.length} rows (sum ${w.valueSum}), ingest counted ${counted}, db has ${stored.n} (sum ${stored.sum})`);
        }
        if (events !== 0) throw new Error(`typical in-band mix raised ${events} event(s); the workload is not what this bench claims`);
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The bare cost: the same rows, the same batches, a prepared statement in one transaction per batch. */
function baselineSide(ctx: BenchContext, rows: readonly Row[], batch: number): Side {
  const dir = freshDir(ctx);
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -2000'); // as openDatabase sets it
  db.exec('CREATE TABLE readings (ts INTEGER NOT NULL, device TEXT NOT NULL, metric TEXT NOT NULL, value)');
  const insert = db.prepare<Row>('INSERT INTO readings (ts, device, metric, value) VALUES (?, ?, ?, ?)');
  const insertBatch = db.transaction((from: number, to: number) => {
    for (let k = from; k < to; k++) { const r = rows[k]!; insert.run(r[0], r[1], r[2], r[3]); }
  });
  const batches = Math.ceil(rows.length / batch);
  return {
    slice(i, n) {
      const [from, to] = part(batches, i, n);
      for (let b = from; b < to; b++) insertBatch(b * batch, Math.min((b + 1) * batch, rows.length));
    },
    finish() {
      try {
        const stored = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM readings').get()!.n;
        if (stored !== rows.length) throw new Error(`baseline stored ${stored} rows, expected ${rows.length}`);
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Slices per round: each a few tens of ms, short enough that disk and CPU noise is shared. */
const SLICES = 20;

/**
 * One round: both sides on fresh databases, interleaved slice by slice, alternating which goes
 * first, so a burst of slow fsyncs or a busy core hits both sides alike. Returns ms per side.
 */
function race(ctx: BenchContext, w: Workload, batch: number): { pipeMs: number; bareMs: number } {
  const pipe = pipelineSide(ctx, w, batch);
  const bare = baselineSide(ctx, w.rows, batch);
  let pipeMs = 0;
  let bareMs = 0;
  try {
    for (let i = 0; i < SLICES; i++) {
      const order = i % 2 === 0 ? ([bare, pipe] as const) : ([pipe, bare] as const);
      for (const side of order) {
        const t0 = performance.now();
        side.slice(i, SLICES);
        const ms = performance.now() - t0;
        if (side === pipe) pipeMs += ms;
        else bareMs += ms;
      }
    }
  } finally {
    pipe.finish();
    bare.finish();
  }
  return { pipeMs, bareMs };
}

/** Sizes the workload so one baseline run takes about TARGET_RUN_MS on this machine and disk. */
function calibrate(ctx: BenchContext, batch: number): Workload {
  const probe = buildWorkload(MIN_SECONDS);
  race(ctx, probe, batch); // warm the JIT and the file system first
  const ms = Math.max(1, race(ctx, probe, batch).bareMs);
  const seconds = Math.round(Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, (MIN_SECONDS * TARGET_RUN_MS) / ms)));
  return seconds === MIN_SECONDS ? probe : buildWorkload(seconds);
}

function variant(ctx: BenchContext, name: string, label: string, batchFor: (readingsPerS: number) => number): BenchResult {
  const readingsPerS = buildWorkload(MIN_SECONDS).rows.length / MIN_SECONDS;
  const batch = batchFor(readingsPerS);
  const w = calibrate(ctx, batch);

  const ratios: number[] = [];
  const pipeRates: number[] = [];
  const bareRates: number[] = [];
  for (let r = 0; r < ctx.rounds; r++) {
    const { pipeMs, bareMs } = race(ctx, w, batch);
    const pipe = w.rows.length / (pipeMs / 1000);
    const bare = w.rows.length / (bareMs / 1000);
    pipeRates.push(pipe);
    bareRates.push(bare);
    ratios.push(pipe / bare);
    ctx.log(`  ${name} round ${r + 1}/${ctx.rounds}: pipeline ${fmtRate(pipe)}, bare ${fmtRate(bare)}, ratio ${round(pipe / bare, 3)}`);
  }
  const ratio = median(ratios);
  return {
    bench: name,
    ratio: round(ratio, 3),
    goal: `>= ${GOAL_RATIO}`,
    pass: ratio >= GOAL_RATIO,
    details: {
      what: label,
      batchRows: batch,
      rowsPerRun: w.rows.length,
      homeSecondsPerRun: w.seconds,
      bytesPerRun: w.bytes,
      pipelineReadingsPerS: Math.round(median(pipeRates)),
      baselineRowsPerS: Math.round(median(bareRates)),
      ratioMin: round(Math.min(...ratios), 3),
      ratioMax: round(Math.max(...ratios), 3),
      rounds: ctx.rounds,
    },
  };
}

export function benchIngest(ctx: BenchContext): BenchResult[] {
  return [
    variant(ctx, 'ingest', `${HOME_RADARS.length} radars, one flush per second of the home`, (perS) => Math.max(1, Math.round(perS))),
    variant(ctx, 'ingest-large-batch', `${HOME_RADARS.length} radars, ${LARGE_BATCH}-reading flushes`, () => LARGE_BATCH),
  ];
}
