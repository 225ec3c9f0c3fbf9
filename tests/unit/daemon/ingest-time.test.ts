/**
 * Issue 12 in ingest, over a real SQLite file: durations on the monotonic clock (a wall-clock step,
 * while running or while the daemon was down, moves every detector state), and states saved soon
 * enough that a daemon killed every few seconds still completes a sustain timer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualBootClock, createManualClock } from '../../../src/core/clock.js';
import type { StoredEvent } from '../../../src/core/event.js';
import { parseConfig } from '../../../src/config/load.js';
import { detectorBindings } from '../../../src/pipeline/bindings.js';
import { createIngest, flushReadingsAndStates } from '../../../src/daemon/ingest.js';
import { PROGRESS_SAVE_MS } from '../../../src/daemon/state-saves.js';
import { stepSinceSave, watchWallClock } from '../../../src/daemon/wall-clock-watch.js';
import { createMr60bha1Driver, encodeFrame } from '../../../src/drivers/seeed-mr60bha1/index.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { createDetectorStateStore, type DetectorSnapshot } from '../../../src/store/detector-state.js';
import { createOutbox } from '../../../src/store/outbox.js';
import { createReadingStore } from '../../../src/store/readings.js';

const cfg = (() => {
  const r = parseConfig('hub: { id: h }\nuplink: { url: "mqtt://127.0.0.1:1" }\ndetectors: { breathing_rate: { sustain_s: 20, clear_after_s: 2 } }\n');
  if (!r.ok) throw new Error('bad test config');
  return r.config;
})();
const breath = (n: number) => encodeFrame(0x81, 0x02, [n]);
const HOUR = 3_600_000;

describe('the wall-clock watch', () => {
  it('reports a step of the offset to the monotonic clock, follows slewing, and tells how far to move a saved state', () => {
    let wall = 1_800_000_000_000;
    let mono = 5_000;
    const steps: number[] = [];
    const w = watchWallClock(() => wall, () => mono, (s) => steps.push(s));
    w.now();
    wall += 1000; mono += 1000; w.now();
    wall += 1300; mono += 1000; w.now(); // 300 ms of slewing: followed, not a step
    wall -= HOUR; w.now();
    wall += 10; mono += 10; w.now();
    wall += 2 * HOUR; w.now();
    expect(steps).toEqual([-HOUR, 2 * HOUR]);
    const now = w.read();
    // Saved in this boot, before both steps: moved by their sum (and by the 300 ms? no: under a second).
    expect(stepSinceSave({ wallMs: 1_800_000_000_000, monoMs: 5_000 }, now)).toBe(HOUR + 300);
    expect(stepSinceSave({ wallMs: now.wallMs - 500, monoMs: mono - 500 }, now)).toBe(0);
    // Saved in another boot: only a clock that reads earlier than the save is corrected (the save becomes now).
    expect(stepSinceSave({ wallMs: now.wallMs - HOUR, monoMs: null }, now)).toBe(0);
    expect(stepSinceSave({ wallMs: now.wallMs + HOUR, monoMs: null }, now)).toBe(-HOUR);
  });
});

describe('ingest on the monotonic clock', () => {
  let dir: string;
  let db: Db;
  const clock = createManualClock(1_800_000_000_000);
  let boot = createManualBootClock('boot-a', 1_000);
  /** Both clocks move: real time passes. */
  const pass = (ms: number) => { clock.advance(ms); boot.advance(ms); };
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-ingest-time-')); db = openDatabase(dir); boot = createManualBootClock('boot-a', 1_000); });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  function start(database: Db, saved: DetectorSnapshot[] = []) {
    const events: StoredEvent[] = [];
    const clockSteps: number[] = [];
    const store = createDetectorStateStore(database, clock, boot);
    const readings = createReadingStore(database, clock);
    const ingest = createIngest({
      clock, readings, outbox: createOutbox(database, clock), states: { load: store.load, save: (s) => { saved.push(...s); store.save(s); } },
      detectors: detectorBindings(cfg), onEvent: (e) => events.push(e), monoNowMs: () => boot.monoNowMs(), onClockStep: (s) => clockSteps.push(s),
    });
    const feed = ingest.addDevice('radar', createMr60bha1Driver());
    /** One reading a second for `seconds`, flushing each second as the daemon's timer does. */
    const run = (rate: number, seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        pass(1000);
        feed(breath(rate));
        flushReadingsAndStates(database, readings, ingest);
      }
    };
    return { events, clockSteps, ingest, run };
  }

  for (const stepMs of [-HOUR, HOUR]) {
    it(`a step of ${stepMs / HOUR} h in the middle of a run: raised after sustain_s of real time, the run's start in the corrected clock`, () => {
      const h = start(db);
      h.run(30, 8);
      const runStart = clock.now() - 7000;
      clock.advance(stepMs);
      h.run(30, 12);
      expect(h.events).toEqual([]);
      h.run(30, 1); // 20 s after the first out-of-band reading
      expect(h.clockSteps).toEqual([stepMs]);
      expect(h.events.map((e) => [e.state, e.data.outOfBandSinceTs, e.data.sustainedS])).toEqual([['raised', runStart + stepMs, 20]]);
    });
  }

  it('a step while the daemon was down (same boot): the restored run goes on from its real start', () => {
    const a = start(db);
    a.run(4, 8);
    db.close(); // killed: the states of the last flush are on disk
    pass(2000);
    clock.advance(-HOUR); // NTP set the clock back meanwhile
    db = openDatabase(dir);
    const b = start(db);
    b.run(4, 10);
    expect(b.events).toEqual([]);
    b.run(4, 1); // 20 s of real time after the first reading, 2 of them down
    expect(b.events.map((e) => [e.state, e.data.sustainedS])).toEqual([['raised', 20]]);
  });

  it('restored in a new boot whose clock reads earlier than the save (no RTC): the downtime counts as none, and the later NTP step moves it', () => {
    const a = start(db);
    a.run(4, 8);
    a.ingest.snapshot(true); // a clean shutdown
    db.close();
    boot = createManualBootClock('boot-b', 0); // a reboot: the monotonic clock starts again
    clock.advance(-30 * 24 * HOUR); // and the wall clock is a month behind
    db = openDatabase(dir);
    const b = start(db);
    b.run(4, 5);
    clock.advance(30 * 24 * HOUR); // NTP
    b.run(4, 7);
    expect(b.events).toEqual([]);
    b.run(4, 1); // the run's 20 s, before and after the reboot
    expect(b.events.map((e) => [e.state, e.data.sustainedS])).toEqual([['raised', 20]]);
    expect(b.clockSteps).toEqual([30 * 24 * HOUR]);
  });

  it('a timer that starts is saved with the next flush; progress with the next progress round; nothing unchanged', () => {
    const saved: DetectorSnapshot[] = [];
    const h = start(db, saved);
    h.run(16, 10); // in band: the breathing state only moves lastRateAt
    const breathing = () => saved.filter((s) => s.detector === 'breathing_rate').map((s) => s.state as { outSince: number | null });
    const progressSaves = breathing().length;
    expect(progressSaves).toBeGreaterThanOrEqual(Math.floor(10_000 / PROGRESS_SAVE_MS) - 1);
    expect(progressSaves).toBeLessThanOrEqual(Math.ceil(10_000 / PROGRESS_SAVE_MS) + 1);
    saved.length = 0;
    h.run(30, 1); // a run starts: on disk with this very flush
    expect(breathing().map((s) => s.outSince)).toEqual([clock.now()]);
    expect(saved.some((s) => s.detector === 'fire_gas')).toBe(false); // its state did not change
  });

  it('a daemon killed every 3 s completes a 20 s sustain timer, from the run\'s start', () => {
    const runStart = clock.now() + 1000;
    let kills = 0;
    let events: StoredEvent[] = [];
    while (events.length === 0 && kills < 20) {
      const h = start(db);
      h.run(4, 3);
      events = h.events;
      if (events.length > 0) break;
      db.close(); // kill -9: no clean stop, no forced save
      kills++;
      pass(1500); // the restart
      db = openDatabase(dir);
    }
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(events.map((e) => [e.state, e.data.outOfBandSinceTs])).toEqual([['raised', runStart]]);
  });
});
