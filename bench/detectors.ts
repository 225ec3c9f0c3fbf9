import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createManualClock } from '../src/core/clock.js';
import type { Reading } from '../src/core/reading.js';
import { parseConfig } from '../src/config/load.js';
import { detectorBindings } from '../src/pipeline/bindings.js';
import { createIngest, flushReadingsAndStates } from '../src/daemon/ingest.js';
import type { DetectorBinding } from '../src/pipeline/bindings.js';
import { createDetectorRunner, memorySlot, type RunnerSlot } from '../src/pipeline/runner.js';
import { createMr60bha1Driver } from '../src/drivers/seeed-mr60bha1/index.js';
import { openDatabase } from '../src/store/database.js';
import { createDetectorStateStore } from '../src/store/detector-state.js';
import { createOutbox } from '../src/store/outbox.js';
import { createReadingStore } from '../src/store/readings.js';
import { buildWorkload, HOME_RADARS, T0_MS, type Workload } from './ingest-workload.js';
import type { BenchContext, BenchResult } from './result.js';
import { fmtRate, median, round } from './stats.js';

/**
 * Detectors (issue 6): what every detector of a typical home costs on the ingest path.
 *
 * Three sides, interleaved slice by slice in each round (order alternating):
 * - full: the real createIngest (MR60BHA1 driver, ALL detectors of a parsed config with the two
 *   radars of bench/ingest-workload.ts, detector state store, outbox, readings in SQLite), flushed
 *   and snapshotted as the daemon's timers do, `tick()` every 5 s of the home's time;
 * - without: the same path with `detectors: []` (the baseline);
 * - detectors alone: the same bindings driven directly, per reading, through the runner ingest uses
 *   (src/pipeline/runner.ts: every device-scoped detector with that device's state, every home-scoped
 *   one, each offered the readings of the metrics it declares or every reading, tick every 5 s), the
 *   slots in memory: absolute readings/s through all detectors, nothing else.
 * Share = (full time - without time) ÷ full time (median of the rounds). Goal: < 20 %.
 */
const GOAL_SHARE = 0.2;
const HOME_SECONDS = 600;
const TICK_S = 5;
const SLICES = 20;
const LARGE_BATCH = 1000;

const CONFIG = `
hub: { id: bench, timezone: Asia/Shanghai }
uplink: { url: "mqtt://127.0.0.1:1883" }
devices:
${HOME_RADARS.map((id) => `  - { id: ${id}, model: seeed-mr60bha1, room: ${id.replace(/-radar$/, '')}, serial: { path: /dev/null } }`).join('\n')}
`;

function homeDetectors(): DetectorBinding[] {
  const r = parseConfig(CONFIG);
  if (!r.ok) throw new Error(`detectors bench config invalid: ${JSON.stringify(r.problems)}`);
  return detectorBindings(r.config);
}

const part = (length: number, i: number, n: number): [number, number] => [Math.floor((length * i) / n), Math.floor((length * (i + 1)) / n)];

interface Side {
  slice(i: number, n: number): void;
  finish(): { readings: number; events: number };
}

/** The whole ingest path; `flushEvery` null: flush each second of the home (the daemon's 1 s timer). */
function pipelineSide(ctx: BenchContext, w: Workload, detectors: DetectorBinding[], flushEvery: number | null): Side {
  const dir = mkdtempSync(join(ctx.tmpDir, 'anju-bench-detectors-'));
  const db = openDatabase(dir);
  const clock = createManualClock(T0_MS);
  const readings = createReadingStore(db, clock);
  let events = 0;
  const ingest = createIngest({
    clock, readings, outbox: createOutbox(db, clock), states: createDetectorStateStore(db, clock), detectors,
    onEvent: () => { events++; },
    onStoreError: (err) => { throw err; },
  });
  const feeds = HOME_RADARS.map((id) => ingest.addDevice(id, createMr60bha1Driver()));
  const flush = (): void => flushReadingsAndStates(db, readings, ingest); // as the daemon's flush timer
  let second = -1;
  return {
    slice(i, n) {
      const [from, to] = part(w.chunks.length, i, n);
      for (let k = from; k < to; k++) {
        const c = w.chunks[k]!;
        if (c.second !== second) {
          if (flushEvery === null && second >= 0) flush(); // the 1 s flush timer fired
          second = c.second;
          clock.set(T0_MS + second * 1000);
          if (second % TICK_S === 0) ingest.tick();
        }
        feeds[c.device]!(c.bytes);
        if (flushEvery !== null && readings.buffered() >= flushEvery) flush();
      }
      if (i === n - 1) flush();
    },
    finish() {
      try {
        const counted = HOME_RADARS.reduce((sum, id) => sum + (ingest.stats(id)?.readings ?? 0), 0);
        const stored = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM readings').get()!.n;
        if (counted !== w.rows.length || stored !== w.rows.length) {
          throw new Error(`detectors bench: ingest counted ${counted} readings and stored ${stored}, expected ${w.rows.length}`);
        }
        return { readings: counted, events };
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The decoded readings of the workload, stamped as ingest stamps them (decoded untimed, once). */
function decodedReadings(w: Workload): Reading[] {
  const drivers = HOME_RADARS.map(() => createMr60bha1Driver());
  const out: Reading[] = [];
  for (const c of w.chunks) {
    for (const m of drivers[c.device]!.push(c.bytes)) out.push({ device: HOME_RADARS[c.device]!, ts: T0_MS + c.second * 1000, metric: m.metric, value: m.value });
  }
  return out;
}

/** All detectors driven directly through the daemon's detector runner (src/pipeline/runner.ts), without decoding or storing. */
function detectorsSide(readings: readonly Reading[], bindings: DetectorBinding[]): Side {
  let events = 0;
  const runner = createDetectorRunner<RunnerSlot, null>(bindings, (_key, detector, settings) => memorySlot(detector, settings, (e) => { events += e.length; }));
  runner.addHome(null);
  const offers = new Map(HOME_RADARS.map((id) => [id as string, runner.addDevice(id, null)]));
  let lastTs = -1;
  let done = 0;
  return {
    slice(i, n) {
      const [from, to] = part(readings.length, i, n);
      for (let k = from; k < to; k++) {
        const r = readings[k]!;
        if (r.ts !== lastTs) {
          lastTs = r.ts;
          if (((r.ts - T0_MS) / 1000) % TICK_S === 0) runner.tick(r.ts);
        }
        offers.get(r.device)!(r, r.ts);
        done++;
      }
    },
    finish() {
      if (done !== readings.length) throw new Error(`detectors bench: drove ${done} readings, expected ${readings.length}`);
      return { readings: done, events };
    },
  };
}

function variant(ctx: BenchContext, name: string, label: string, w: Workload, readings: readonly Reading[], flushEvery: number | null): BenchResult {
  const bindings = homeDetectors();
  const round1 = (): { fullMs: number; withoutMs: number; detMs: number; events: { full: number; det: number } } => {
    const full = pipelineSide(ctx, w, homeDetectors(), flushEvery);
    const without = pipelineSide(ctx, w, [], flushEvery);
    const det = detectorsSide(readings, bindings);
    const ms = new Map<Side, number>([[full, 0], [without, 0], [det, 0]]);
    let r: { full: { events: number }; without: { events: number }; det: { events: number } };
    try {
      for (let i = 0; i < SLICES; i++) {
        const order = [full, without, det];
        if (i % 2 === 1) order.reverse();
        for (const side of order) {
          const t0 = performance.now();
          side.slice(i, SLICES);
          ms.set(side, ms.get(side)! + performance.now() - t0);
        }
      }
    } finally {
      r = { full: full.finish(), without: without.finish(), det: det.finish() };
    }
    if (r.without.events !== 0) throw new Error(`detectors bench: the path without detectors raised ${r.without.events} event(s)`);
    return { fullMs: ms.get(full)!, withoutMs: ms.get(without)!, detMs: ms.get(det)!, events: { full: r.full.events, det: r.det.events } };
  };

  round1(); // warm-up: JIT, file system
  const shares: number[] = [];
  const fullRates: number[] = [];
  const withoutRates: number[] = [];
  const detRates: number[] = [];
  let events = { full: 0, det: 0 };
  for (let k = 0; k < ctx.rounds; k++) {
    const x = round1();
    events = x.events;
    const share = (x.fullMs - x.withoutMs) / x.fullMs;
    const n = w.rows.length;
    shares.push(share);
    fullRates.push(n / (x.fullMs / 1000));
    withoutRates.push(n / (x.withoutMs / 1000));
    detRates.push(n / (x.detMs / 1000));
    ctx.log(`  ${name} round ${k + 1}/${ctx.rounds}: full ${fmtRate(n / (x.fullMs / 1000))}, without detectors ${fmtRate(n / (x.withoutMs / 1000))}, detectors alone ${fmtRate(n / (x.detMs / 1000))}, share ${round(share * 100, 1)} %`);
  }
  const share = median(shares);
  const detPerS = median(detRates);
  return {
    bench: name,
    ratio: round(share, 3),
    goal: `share < ${GOAL_SHARE}`,
    pass: share < GOAL_SHARE,
    details: {
      what: label,
      detectors: bindings.map((b) => `${b.detector.name}${b.detector.scope === 'home' ? '@home' : ''}`).join(' '),
      devices: HOME_RADARS.length,
      readingsPerRun: w.rows.length,
      homeSecondsPerRun: w.seconds,
      eventsPerRun: events.full,
      detectorsAloneReadingsPerS: Math.round(detPerS),
      detectorsUsPerReading: round(1e6 / detPerS, 2),
      // Of the full path's time, what the detectors' own step/tick work would be (alone ÷ full time):
      // the rest of the share is their state snapshots (JSON + a second transaction per flush).
      detectorComputeShare: round(median(fullRates) / detPerS, 3),
      fullPathReadingsPerS: Math.round(median(fullRates)),
      withoutDetectorsReadingsPerS: Math.round(median(withoutRates)),
      shareMin: round(Math.min(...shares), 3),
      shareMax: round(Math.max(...shares), 3),
      rounds: ctx.rounds,
    },
  };
}

export function benchDetectors(ctx: BenchContext): BenchResult[] {
  const w = buildWorkload(HOME_SECONDS);
  const readings = decodedReadings(w);
  if (readings.length !== w.rows.length) throw new Error(`detectors bench: decoded ${readings.length} readings, the workload has ${w.rows.length}`);
  return [
    variant(ctx, 'detectors', `${HOME_RADARS.length} radars, all detectors, flush every second of the home`, w, readings, null),
    variant(ctx, 'detectors-large-batch', `${HOME_RADARS.length} radars, all detectors, ${LARGE_BATCH}-reading flushes (CPU-bound)`, w, readings, LARGE_BATCH),
  ];
}
