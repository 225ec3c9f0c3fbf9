/** The hot path over a real SQLite file: bytes in, committed events out, state kept across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/core/clock.js';
import type { StoredEvent } from '../../../src/core/event.js';
import { parseConfig } from '../../../src/config/load.js';
import { detectorBindings } from '../../../src/pipeline/bindings.js';
import { createIngest, flushReadingsAndStates } from '../../../src/daemon/ingest.js';
import type { Detector } from '../../../src/detectors/types.js';
import { createMr60bha1Driver, encodeFrame } from '../../../src/drivers/seeed-mr60bha1/index.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { createDetectorStateStore } from '../../../src/store/detector-state.js';
import { createOutbox } from '../../../src/store/outbox.js';
import { createReadingStore } from '../../../src/store/readings.js';

const cfg = (() => {
  const r = parseConfig('hub: { id: h }\nuplink: { url: "mqtt://127.0.0.1:1" }\ndetectors: { breathing_rate: { sustain_s: 10, clear_after_s: 2 } }\n');
  if (!r.ok) throw new Error('bad test config');
  return r.config;
})();

const breath = (n: number) => encodeFrame(0x81, 0x02, [n]);

describe('ingest', () => {
  let dir: string;
  let db: Db;
  const clock = createManualClock(1_800_000_000_000);
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-ingest-')); db = openDatabase(dir); });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  function start(database: Db) {
    const events: StoredEvent[] = [];
    const readings = createReadingStore(database, clock);
    const ingest = createIngest({
      clock, readings, outbox: createOutbox(database, clock), states: createDetectorStateStore(database, clock),
      detectors: detectorBindings(cfg), onEvent: (e) => events.push(e),
    });
    const feed = ingest.addDevice('radar', createMr60bha1Driver());
    const run = (rate: number, seconds: number) => {
      for (let i = 0; i < seconds; i++) { clock.advance(1000); feed(breath(rate)); }
    };
    return { events, feed, run, ingest, readings };
  }

  it('decodes, stores readings, and commits the alarm before reporting it', () => {
    const h = start(db);
    h.feed(encodeFrame(0x80, 0x01, [1]));
    h.run(30, 11);
    expect(h.events.map((e) => [e.seq, e.type, e.state])).toEqual([[1, 'alarm.breathing_rate', 'raised']]);
    const row = db.prepare('SELECT id, state FROM events WHERE seq = 1').get();
    expect(row).toEqual({ id: h.events[0]!.id, state: 'raised' });
    h.readings.flush();
    expect((db.prepare('SELECT count(*) n FROM readings').get() as { n: number }).n).toBe(12);
    expect(h.ingest.stats('radar')).toMatchObject({ readings: 12, events: 1, driver: { frames: 12 } });
  });

  it('after a restart an open alarm is cleared, not forgotten or raised again', () => {
    const a = start(db);
    a.run(30, 11);
    expect(a.events.map((e) => e.state)).toEqual(['raised']);
    db.close(); // the process dies here: no snapshot() call, no clean stop

    db = openDatabase(dir);
    const b = start(db);
    b.run(30, 20); // still fast: the alarm is already open, so nothing new
    expect(b.events).toEqual([]);
    b.run(16, 3);
    expect(b.events.map((e) => [e.seq, e.state, e.data.raisedAtTs])).toEqual([[2, 'cleared', a.events[0]!.ts]]);
  });

  it('a sustain timer survives a restart through the periodic snapshot', () => {
    const a = start(db);
    a.run(30, 6);
    clock.advance(5000); // the periodic snapshot (its progress round, every 3 s) saves the run
    a.ingest.snapshot();
    db.close();
    db = openDatabase(dir);
    const b = start(db);
    b.run(30, 5); // 6 s before + 5 s after > 10 s
    expect(b.events.map((e) => e.state)).toEqual(['raised']);
  });

  it('runs home-scoped detectors on every device\'s readings and time-driven ones on tick, and restores them', () => {
    // A minimal home detector: "nobody seen for 60 s" from any device's presence, via tick.
    interface S { lastSeen: number | null; open: boolean }
    const quiet: Detector<S, { after_s: number }> = {
      name: 'test_quiet', scope: 'home',
      initialState: () => ({ lastSeen: null, open: false }),
      step: (st, r, now) => (r.metric === 'presence' && r.value === true ? { state: { ...st, lastSeen: now }, events: [] } : { state: st, events: [] }),
      tick(st, now, c) {
        if (st.open || st.lastSeen === null || now - st.lastSeen < c.after_s * 1000) return { state: st, events: [] };
        return { state: { ...st, open: true }, events: [{ type: 'alarm.test_quiet', severity: 'critical', device: null, state: 'raised', data: { lastSeen: st.lastSeen } }] };
      },
    };
    const make = (database: Db) => {
      const events: StoredEvent[] = [];
      const ingest = createIngest({
        clock, readings: createReadingStore(database, clock), outbox: createOutbox(database, clock), states: createDetectorStateStore(database, clock),
        detectors: [{ detector: quiet, settings: () => ({ after_s: 60 }) }], onEvent: (e) => events.push(e),
      });
      return { events, ingest, a: ingest.addDevice('radar-a', createMr60bha1Driver()), b: ingest.addDevice('radar-b', createMr60bha1Driver()) };
    };
    const h = make(db);
    h.a(encodeFrame(0x80, 0x01, [1]));
    clock.advance(30_000);
    h.b(encodeFrame(0x80, 0x01, [1])); // seen by the other device: the home detector sees it too
    const seenAt = clock.now();
    clock.advance(50_000);
    h.ingest.tick();
    expect(h.events).toEqual([]);
    h.ingest.snapshot();
    db.close();
    db = openDatabase(dir); // restart: the home detector's state comes back
    const k = make(db);
    clock.advance(15_000);
    k.ingest.tick();
    expect(k.events.map((e) => [e.type, e.device, e.data.lastSeen])).toEqual([['alarm.test_quiet', null, seenAt]]);
    k.ingest.tick();
    expect(k.events).toHaveLength(1);
  });

  it('holds an event whose commit fails and commits it, in order, once the store is back', () => {
    const h = start(db);
    db.exec(`CREATE TRIGGER full BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    h.run(30, 11);
    expect(h.events).toEqual([]);
    h.run(16, 3); // the clear is detected while the raise is still held
    expect(h.events).toEqual([]);
    db.exec('DROP TRIGGER full');
    h.ingest.snapshot();
    expect(h.events.map((e) => [e.seq, e.state])).toEqual([[1, 'raised'], [2, 'cleared']]);
  });

  it('never hands over a held event committed in a transaction that then fails: its seq would go to the next event (issue 12, finding 14)', () => {
    const h = start(db);
    db.exec(`CREATE TRIGGER full BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    h.run(30, 11); // the raise is held
    expect(h.events).toEqual([]);
    db.exec('DROP TRIGGER full');
    // Events commit again; detector state does not (a disk with room for one write and not the next).
    db.exec(`CREATE TRIGGER full_state BEFORE UPDATE ON detector_state BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
      CREATE TRIGGER full_state_i BEFORE INSERT ON detector_state BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    clock.advance(10_000); // the periodic snapshot is due in this flush
    h.run(30, 1);
    try { flushReadingsAndStates(db, h.readings, h.ingest); } catch { /* the daemon logs it and retries */ }
    db.exec('DROP TRIGGER full_state; DROP TRIGGER full_state_i');
    h.run(16, 3); // cleared
    flushReadingsAndStates(db, h.readings, h.ingest);
    const stored = db.prepare('SELECT seq, id FROM events ORDER BY seq').all() as Array<{ seq: number; id: string }>;
    // Every event handed over is the one the store has under that seq: no seq on two ids.
    for (const e of h.events) expect(stored.find((r) => r.seq === e.seq)?.id, `seq ${e.seq} (${e.state})`).toBe(e.id);
    expect(h.events.map((e) => e.state)).toEqual(['raised', 'cleared']);
    expect(new Set(h.events.map((e) => e.seq)).size).toBe(2);
  });
});
