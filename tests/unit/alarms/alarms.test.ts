/** The alarm lifecycle over a real SQLite file: one open alarm per condition, ack, reminders, restart. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlarms } from '../../../src/alarms/alarms.js';
import { createManualClock } from '../../../src/core/clock.js';
import type { EventDraft } from '../../../src/core/event.js';
import { createAlarmStore } from '../../../src/store/alarm-store.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { createOutbox, type Outbox } from '../../../src/store/outbox.js';

const raise = (device = 'radar'): EventDraft => ({ type: 'alarm.breathing_rate', severity: 'critical', device, state: 'raised', data: {} });
const clear = (device = 'radar'): EventDraft => ({ ...raise(device), state: 'cleared' });

describe('alarm lifecycle', () => {
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  const clock = createManualClock(1_000_000);
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-alarms-')); db = openDatabase(dir); outbox = createOutbox(db, clock); });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  /** What ingest does: admit, commit, tell the alarms. */
  const commitVia = (alarms: ReturnType<typeof createAlarms>, d: EventDraft) => {
    if (!alarms.admit(d)) return null;
    const e = outbox.append(d);
    alarms.committed(e);
    return e;
  };

  it('admits one raise per condition until it is cleared; other devices are other conditions', () => {
    const alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    expect(commitVia(alarms, raise())).not.toBeNull();
    expect(commitVia(alarms, raise())).toBeNull(); // duplicate: not committed
    expect(commitVia(alarms, raise('radar-2'))).not.toBeNull();
    expect(commitVia(alarms, clear())).not.toBeNull();
    expect(commitVia(alarms, raise())).not.toBeNull(); // a new episode
    expect(alarms.open().map((a) => a.device)).toEqual(['radar-2', 'radar']);
  });

  it('reminds while unacknowledged, stops once acknowledged, and reports who took it', () => {
    const alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    const e = commitVia(alarms, raise())!;
    clock.advance(299_000);
    expect(alarms.tick(clock.now())).toEqual([]);
    clock.advance(1_000);
    expect(alarms.tick(clock.now())).toEqual([{ type: 'hub.alarm_reminder', severity: 'critical', device: 'radar', state: 'info', data: { alarm_id: e.id, alarm_seq: e.seq, alarm_type: 'alarm.breathing_rate', reminder: 1, open_s: 300 } }]);
    clock.advance(60_000);
    const r = alarms.ack(e.id, 'dispatcher-7', clock.now());
    expect(r).toMatchObject({ ok: true, alreadyAcked: false, event: { type: 'hub.alarm_acknowledged', data: { alarm_id: e.id, by: 'dispatcher-7', open_s: 360 } } });
    expect(alarms.ack(e.id, 'someone-else', clock.now())).toMatchObject({ ok: true, alreadyAcked: true, event: null });
    clock.advance(3_600_000);
    expect(alarms.tick(clock.now())).toEqual([]);
    expect(alarms.ack('no-such-id', 'x', clock.now())).toEqual({ ok: false, reason: 'unknown' });
  });

  it('reminders count real time across wall-clock steps (issue 12): an hour back does not delay them, forward not advance them', () => {
    const alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    const e = commitVia(alarms, raise())!;
    clock.advance(100_000);
    clock.advance(-3_600_000); // NTP sets the clock back an hour; ingest tells the alarms
    alarms.rebase(-3_600_000);
    clock.advance(199_000);
    expect(alarms.tick(clock.now())).toEqual([]);
    clock.advance(1_000); // 300 s of real time since the raise
    expect(alarms.tick(clock.now())).toMatchObject([{ type: 'hub.alarm_reminder', data: { alarm_id: e.id, reminder: 1, open_s: 300 } }]);
    clock.advance(10_000);
    clock.advance(7_200_000); // and forward two hours
    alarms.rebase(7_200_000);
    expect(alarms.tick(clock.now())).toEqual([]);
    clock.advance(290_000); // 300 s of real time since the first reminder
    expect(alarms.tick(clock.now())).toMatchObject([{ type: 'hub.alarm_reminder', data: { reminder: 2, open_s: 600 } }]);
    clock.advance(20_000);
    expect(alarms.ack(e.id, 'dispatcher-7', clock.now())).toMatchObject({ event: { data: { open_s: 620 } } });
  });

  it('survives a restart: still open, still acknowledged, no second raise', () => {
    let alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    const e = commitVia(alarms, raise())!;
    alarms.ack(e.id, 'relative', clock.now());
    db.close();
    db = openDatabase(dir);
    outbox = createOutbox(db, clock);
    alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    expect(alarms.open()).toEqual([expect.objectContaining({ id: e.id, ackedBy: 'relative' })]);
    expect(commitVia(alarms, raise())).toBeNull();
    commitVia(alarms, clear());
    expect(alarms.open()).toEqual([]);
  });
});

describe('alarm conditions and escalation', () => {
  it('an escalation to a higher severity is committed as the same alarm; acknowledged by either id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-alarms2-'));
    const db = openDatabase(dir);
    const outbox = createOutbox(db, createManualClock(0));
    const alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    const hr = (severity: 'warning' | 'critical'): EventDraft => ({ type: 'alarm.heart_rate', severity, device: 'radar', state: 'raised', data: {} });
    const commit = (d: EventDraft) => { if (!alarms.admit(d)) return null; const e = outbox.append(d); alarms.committed(e); return e; };
    const first = commit(hr('warning'))!;
    expect(commit(hr('warning'))).toBeNull();
    const up = commit(hr('critical'))!;
    expect(commit(hr('critical'))).toBeNull();
    expect(commit(hr('warning'))).toBeNull(); // never back down
    expect(alarms.open()).toEqual([expect.objectContaining({ id: first.id, severity: 'critical', aliasIds: [up.id] })]);
    expect(alarms.ack(up.id, 'doctor', 5)).toMatchObject({ ok: true, alarm: { id: first.id } });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('data.condition keeps concurrent conditions of one type apart (activity windows)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-alarms3-'));
    const db = openDatabase(dir);
    const outbox = createOutbox(db, createManualClock(0));
    const alarms = createAlarms(createAlarmStore(db), { renotifyMs: 300_000 });
    const w = (condition: string, state: 'raised' | 'cleared'): EventDraft => ({ type: 'alarm.inactivity_window', severity: 'critical', device: null, state, data: { condition } });
    const commit = (d: EventDraft) => { if (!alarms.admit(d)) return null; const e = outbox.append(d); alarms.committed(e); return e; };
    expect(commit(w('morning', 'raised'))).not.toBeNull();
    expect(commit(w('evening', 'raised'))).not.toBeNull();
    commit(w('morning', 'cleared'));
    expect(alarms.open().map((a) => a.condition)).toEqual(['evening']);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
