/**
 * The report class in the store (real SQLite files): its own sequence, separate from the gapless
 * event seq; drain order; acks by report_seq; gaps left by quota eviction and reported with the
 * next report; reports committed before the class existed stay events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualBootClock, createManualClock } from '../../../src/core/clock.js';
import type { EventDraft } from '../../../src/core/event.js';
import { DB_FILE, openDatabase, type Db } from '../../../src/store/database.js';
import { createOutbox, type Outbox } from '../../../src/store/outbox.js';
import { checkpointTruncate, createQuotaKeeper, type QuotaKeeper } from '../../../src/store/quota.js';
import { createReadingStore } from '../../../src/store/readings.js';
import { wireFormat } from '../../../src/uplink/contract.js';
import type { OutboxRow } from '../../../src/store/outbox-types.js';

const reportMessage = (hub: string, epoch: string, r: OutboxRow, gap: { from: number; to: number } | null) => JSON.parse(wireFormat(hub, epoch).report(r, gap)) as Record<string, unknown>;

const report = (night: number, padBytes = 0): EventDraft => ({
  type: 'report.sleep', severity: 'info', device: 'radar', state: 'info', data: { night, ...(padBytes ? { pad: 'r'.repeat(padBytes) } : {}) },
});
const alarm = (n: number, padBytes = 0): EventDraft => ({
  type: 'alarm.apnea', severity: 'critical', device: 'radar', state: n % 2 ? 'raised' : 'cleared', data: { n, ...(padBytes ? { pad: 'a'.repeat(padBytes) } : {}) },
});
const event = (n: number): EventDraft => ({ type: 'device.offline', severity: 'warning', device: 'radar', state: 'raised', data: { n } });

describe('report class in the store', () => {
  /** Pages in use with the WAL checkpointed away: quotas below are set relative to what the tables hold. */
  const usedAfterCheckpoint = (k: QuotaKeeper): number => { checkpointTruncate(db); return k.usedBytes(); };
  let dir: string;
  let db: Db;
  let ob: Outbox;
  const clock = createManualClock(1_000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anju-reports-'));
    db = openDatabase(dir);
    ob = createOutbox(db, clock);
  });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  it('has its own sequence: reports do not spend event seqs, and event seqs stay gapless around them', () => {
    const out = [ob.append(alarm(1)), ob.append(report(1)), ob.append(event(2)), ob.append(report(2)), ob.append(alarm(3))];
    expect(out.map((e) => `${e.type}#${e.seq}`)).toEqual(['alarm.apnea#1', 'report.sleep#1', 'device.offline#2', 'report.sleep#2', 'alarm.apnea#3']);
    expect(ob.lastSeq()).toBe(3);
    expect(ob.reports.lastSeq()).toBe(2);
    expect(ob.depth()).toEqual({ alarm: 2, event: 1, report: 2 });
    // The events table has exactly the alarms and events, seq 1..3; the reports their own table.
    expect(db.prepare('SELECT seq, type FROM events ORDER BY seq').all()).toEqual([
      { seq: 1, type: 'alarm.apnea' }, { seq: 2, type: 'device.offline' }, { seq: 3, type: 'alarm.apnea' },
    ]);
    expect(db.prepare('SELECT seq, type FROM reports ORDER BY seq').all()).toEqual([{ seq: 1, type: 'report.sleep' }, { seq: 2, type: 'report.sleep' }]);
    // The events drain never sees a report; the reports drain only reports, oldest first.
    expect(ob.next(null, 10).map((e) => e.type)).not.toContain('report.sleep');
    expect(ob.reports.next(null, 10).map((e) => e.seq)).toEqual([1, 2]);
    expect(ob.reports.next({ prio: 2, seq: 1 }, 10).map((e) => e.seq)).toEqual([2]);
  });

  it('a report is committed when appended (another connection sees it), and its seq never repeats across reopen and deletion', () => {
    const r = ob.append(report(1));
    const other = new Database(join(dir, DB_FILE), { readonly: true });
    expect(other.prepare('SELECT seq, id FROM reports').all()).toEqual([{ seq: 1, id: r.id }]);
    other.close();
    ob.append(report(2));
    db.exec('DELETE FROM reports');
    db.close();
    db = openDatabase(dir);
    ob = createOutbox(db, clock);
    expect(ob.append(report(3)).seq).toBe(3);
  });

  it('cloud_ack: only a report_seq ack takes reports out; the events ack leaves them', () => {
    ob.append(alarm(1));
    ob.append(report(1));
    ob.append(report(2));
    ob.reports.markPubacked([1, 2]);
    expect(ob.depth().report).toBe(2); // a PUBACK is not enough in cloud_ack mode
    expect(ob.ackUpTo(1)).toBe(1);
    expect(ob.depth()).toEqual({ alarm: 0, event: 0, report: 2 });
    expect(ob.reports.ackUpTo(1)).toBe(1);
    expect(ob.reports.ackUpTo(1)).toBe(0); // not again
    expect(ob.reports.ackUpTo(99)).toBe(1); // clamped to what the hub assigned
    expect(ob.reports.lastCloudAck()?.seq).toBe(2);
    expect(ob.lastCloudAck()?.seq).toBe(1);
    expect(ob.depth().report).toBe(0);
  });

  it('puback mode: the PUBACK takes a report out', () => {
    const p = createOutbox(db, clock, { doneWhen: 'puback' });
    p.append(report(1));
    p.append(report(2));
    p.reports.markPubacked([2]);
    expect(p.reports.next(null, 10).map((e) => e.seq)).toEqual([1]);
    expect(p.depth().report).toBe(1);
  });

  it('oldest pending: per class, and overall the oldest of alarms, events and reports', () => {
    clock.set(10);
    ob.append(report(1));
    clock.set(20);
    ob.append(alarm(1));
    expect(ob.oldestPendingTs('report')).toBe(10);
    expect(ob.oldestPendingTs('alarm')).toBe(20);
    expect(ob.oldestPendingTs()).toBe(10);
  });

  it('a report.sleep committed before the class existed stays an event in the gapless seq, and does not derail the events drain', () => {
    ob.append(alarm(1));
    // As migration 7 leaves it: a report row in events, prio 1 (event).
    db.prepare("INSERT INTO events (id, ts, type, severity, device, state, data, prio) VALUES ('legacy', 5, 'report.sleep', 'info', 'radar', 'info', '{}', 1)").run();
    ob.append(event(3));
    const all = ob.next(null, 10);
    expect(all.map((e) => `${e.type}#${e.seq}`)).toEqual(['alarm.apnea#1', 'report.sleep#2', 'device.offline#3']);
    // Resuming after the legacy row must still find the event behind it.
    expect(ob.next(all[1]!, 10).map((e) => e.seq)).toEqual([3]);
    expect(ob.depth()).toEqual({ alarm: 1, event: 2, report: 0 });
  });

  it('gaps: undelivered reports evicted by the quota are named by the next report, until the cloud acks past them', () => {
    for (let n = 1; n <= 4; n++) ob.append(report(n, 20_000));
    ob.reports.markPubacked([1]);
    ob.reports.ackUpTo(1); // the cloud has report 1
    const keeper = createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' });
    // Over a quota that has room for about one report: history (report 1) goes first, then 2 and 3.
    const quotaBytes = usedAfterCheckpoint(keeper) - 55_000;
    const q = createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce();
    expect(q).toMatchObject({ evictedHistory: 1, evictedReports: 2, full: false });
    expect(db.prepare('SELECT seq FROM reports').all()).toEqual([{ seq: 4 }]);
    expect(ob.reports.gapBefore(4)).toEqual({ from: 2, to: 3 });
    const r5 = ob.append(report(5));
    expect(ob.reports.gapBefore(r5.seq)).toBeNull(); // report 4 is still there: the gap belongs to it
    // The cloud settles 1..4 (2 and 3 as lost): nothing left to tell.
    ob.reports.ackUpTo(4);
    expect(ob.reports.gapBefore(4)).toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM report_gaps').get()).toEqual({ n: 0 });
  });

  it('gaps: reports evicted in separate runs, with nothing left between them, are named together by the next report', () => {
    for (let n = 1; n <= 3; n++) ob.append(report(n, 20_000));
    createQuotaKeeper(db, { quotaBytes: 1, doneColumn: 'acked_ts' }).enforce(); // every report goes
    expect(ob.depth().report).toBe(0);
    const r4 = ob.append(report(4, 20_000));
    expect(ob.reports.gapBefore(r4.seq)).toEqual({ from: 1, to: 3 });
    createQuotaKeeper(db, { quotaBytes: 1, doneColumn: 'acked_ts' }).enforce(); // and the 4th
    const r5 = ob.append(report(5));
    expect(db.prepare('SELECT from_seq, to_seq FROM report_gaps').all()).toEqual([{ from_seq: 1, to_seq: 4 }]);
    expect(ob.reports.gapBefore(r5.seq)).toEqual({ from: 1, to: 4 });
  });

  it('quota order among what the cloud already has: reports before alarm and event history, and both before an undelivered report', () => {
    for (let n = 1; n <= 200; n++) ob.append(alarm(n, 300));
    for (let n = 1; n <= 4; n++) ob.append(report(n, 10_000));
    ob.ackUpTo(200);
    ob.reports.ackUpTo(3); // report 4 is not delivered yet
    const used = usedAfterCheckpoint(createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' }));
    const q = createQuotaKeeper(db, { quotaBytes: used - 25_000, doneColumn: 'acked_ts' }).enforce();
    expect(q).toMatchObject({ evictedReports: 0, full: false });
    expect(q.evictedHistory).toBeGreaterThanOrEqual(2);
    expect(q.evictedHistory).toBeLessThanOrEqual(3);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 200 });
    // Far over: all history, and only then the undelivered report.
    const q2 = createQuotaKeeper(db, { quotaBytes: 1, doneColumn: 'acked_ts' }).enforce();
    expect(q2).toMatchObject({ evictedReports: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
    expect(ob.reports.gapBefore(5)).toEqual({ from: 4, to: 4 });
  });

  it('quota order: telemetry first, then reports; alarms and events still in the outbox survive', () => {
    for (let n = 1; n <= 300; n++) ob.append(n % 3 ? alarm(n, 300) : event(n));
    for (let n = 1; n <= 5; n++) ob.append(report(n, 10_000));
    const rs = createReadingStore(db, clock);
    for (let i = 0; i < 20_000; i++) rs.add({ device: 'radar', ts: i, metric: 'breathRatePerMin', value: 16 });
    rs.flush();
    const used = usedAfterCheckpoint(createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' }));

    // A little over: only readings go.
    let q = createQuotaKeeper(db, { quotaBytes: used - 50_000, doneColumn: 'acked_ts' }).enforce();
    expect(q.evictedReadings).toBeGreaterThan(0);
    expect(q).toMatchObject({ evictedReports: 0, evictedHistory: 0, full: false });
    expect(ob.depth().report).toBe(5);

    // Far over: every reading, then the reports oldest first; every alarm and event stays.
    q = createQuotaKeeper(db, { quotaBytes: 1, doneColumn: 'acked_ts' }).enforce();
    expect(q).toMatchObject({ evictedReports: 5, full: true, change: 'became_full' });
    expect(db.prepare('SELECT count(*) AS n FROM readings').get()).toEqual({ n: 0 });
    expect(ob.depth()).toEqual({ alarm: 200, event: 100, report: 0 });
    expect(db.prepare('SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM events').get()).toEqual({ lo: 1, hi: 300, n: 300 });
  });
});

describe('reports: history for resync, and ts correction after the clock is synchronised', () => {
  const BOOT1 = '11111111-1111-4111-8111-111111111111';
  const BOOT2 = '22222222-2222-4222-8222-222222222222';
  const SYNCED = Date.UTC(2026, 10, 29, 8, 0, 0);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-reports-ts-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('since: every report after a report_seq, done or not, oldest first, at most limit; holes left by eviction stay holes', () => {
    const clock = createManualClock(1_000);
    const db = openDatabase(dir);
    const ob = createOutbox(db, clock);
    for (let n = 1; n <= 5; n++) ob.append(report(n));
    ob.append(alarm(1)); // events do not show up in the reports' history
    ob.reports.ackUpTo(2);
    db.prepare('DELETE FROM reports WHERE seq = 3').run(); // as the quota would
    expect(ob.reports.since(0, 10).map((r) => r.seq)).toEqual([1, 2, 4, 5]);
    expect(ob.reports.since(0, 2).map((r) => r.seq)).toEqual([1, 2]);
    expect(ob.reports.since(2, 10).map((r) => [r.seq, (JSON.parse(r.dataJson) as { night: number }).night])).toEqual([[4, 4], [5, 5]]);
    expect(ob.reports.since(5, 10)).toEqual([]);
    // The same rows the drain reads: same id, type and data.
    expect(ob.reports.since(3, 10)).toEqual(ob.reports.next(null, 10).filter((r) => r.seq > 3));
    db.close();
  });

  it('corrects unsynced reports of this boot not yet published, with the events, in one call; keeps marked those sent marked and those of an earlier boot', () => {
    const wall = createManualClock(Date.UTC(1970, 0, 1, 0, 1)); // no RTC, before NTP
    let unsynced = true;
    // Boot 1: a report, then the hub reboots before NTP ever synced.
    let db = openDatabase(dir);
    let ob = createOutbox(db, wall, { clockUnsynced: () => unsynced, bootClock: createManualBootClock(BOOT1, 30_000) });
    const old = ob.append(report(1));
    db.close();
    // Boot 2: reports and an alarm stamped before NTP, 20 s apart on the monotonic clock.
    wall.set(Date.UTC(1970, 0, 1, 0, 0, 40));
    const boot2 = createManualBootClock(BOOT2, 40_000);
    db = openDatabase(dir);
    ob = createOutbox(db, wall, { clockUnsynced: () => unsynced, bootClock: boot2 });
    const a = ob.append(report(2));
    const al = ob.append(alarm(1));
    boot2.advance(20_000); wall.advance(20_000);
    const sentMarked = ob.append(report(3));
    ob.reports.markSentUnsynced(sentMarked.seq); // published with ts_unsynced before the sync
    boot2.advance(20_000); wall.advance(20_000);
    const b = ob.append(report(4));
    expect(db.prepare('SELECT r.seq, b.boot_id, r.mono_ms, r.ts_unsynced FROM reports r JOIN boots b ON b.id = r.boot WHERE r.seq = ?').get(b.seq))
      .toEqual({ seq: b.seq, boot_id: BOOT2, mono_ms: 80_000, ts_unsynced: 1 });
    // The daemon restarts in the same boot (the monotonic clock goes on): still correctable.
    db.close();
    db = openDatabase(dir);
    ob = createOutbox(db, wall, { clockUnsynced: () => unsynced, bootClock: boot2 });
    // The sent-marked record was committed (it survives the restart).
    expect(db.prepare('SELECT sent_unsynced FROM reports WHERE seq = ?').get(sentMarked.seq)).toEqual({ sent_unsynced: 1 });
    boot2.advance(100_000);
    wall.set(SYNCED);
    unsynced = false;
    const synced = ob.append(report(5));
    expect(ob.correctUnsyncedTs()).toEqual({ events: [al.seq], reports: [a.seq, b.seq] });
    expect(ob.correctUnsyncedTs()).toEqual({ events: [], reports: [] });

    const bySeq = new Map(ob.reports.next(null, 10).map((r) => [r.seq, r]));
    expect(bySeq.get(a.seq)).toMatchObject({ id: a.id, ts: SYNCED - 140_000, tsDevice: a.ts });
    expect(bySeq.get(b.seq)).toMatchObject({ id: b.id, ts: SYNCED - 100_000, tsDevice: b.ts });
    expect(bySeq.get(b.seq)!.tsUnsynced).toBe(false);
    expect(bySeq.get(sentMarked.seq)).toMatchObject({ ts: sentMarked.ts, tsUnsynced: true });
    expect(bySeq.get(sentMarked.seq)!.tsDevice).toBeNull();
    expect(bySeq.get(old.seq)).toMatchObject({ ts: old.ts, tsUnsynced: true }); // another boot
    expect(Object.keys(reportMessage('h', ob.epoch(), bySeq.get(synced.seq)!, null)).filter((k) => k.startsWith('ts'))).toEqual(['ts']);
    // The wire form: corrected with ts_corrected and ts_device, never with ts_unsynced.
    const wire = reportMessage('h', ob.epoch(), bySeq.get(b.seq)!, null);
    expect(wire).toMatchObject({ id: b.id, report_seq: b.seq, ts: SYNCED - 100_000, ts_corrected: true, ts_device: b.ts });
    expect('ts_unsynced' in wire).toBe(false);
    const marked = reportMessage('h', ob.epoch(), bySeq.get(sentMarked.seq)!, null);
    expect(marked).toMatchObject({ ts: sentMarked.ts, ts_unsynced: true });
    expect('ts_corrected' in marked).toBe(false);
    // The history (resync) says the same. The oldest pending report is boot 1's (still 1970); once
    // that is done, the oldest by corrected ts.
    expect(ob.reports.since(0, 10)).toEqual(ob.reports.next(null, 10));
    expect(ob.reports.oldestPendingTs()).toBe(old.ts);
    ob.reports.ackUpTo(old.seq);
    expect(ob.reports.oldestPendingTs()).toBe(SYNCED - 140_000);
    // A corrected report cannot be recorded as sent marked afterwards.
    ob.reports.markSentUnsynced(a.seq);
    expect(ob.reports.since(a.seq - 1, 1)[0]).toMatchObject({ ts: SYNCED - 140_000, tsDevice: a.ts });
    db.close();
  });

  it('a report row from before the correction columns (no boot) stays marked', () => {
    const wall = createManualClock(Date.UTC(1970, 0, 1, 0, 1));
    const db = openDatabase(dir);
    const ob = createOutbox(db, wall, { clockUnsynced: () => true, bootClock: createManualBootClock(BOOT2, 10_000) });
    db.prepare("INSERT INTO reports (id, ts, type, severity, device, state, data, ts_unsynced) VALUES ('legacy', 60000, 'report.sleep', 'info', 'radar', 'info', '{}', 1)").run();
    ob.append(alarm(1)); // an unsynced append: the outbox will look for rows to correct
    wall.set(SYNCED);
    expect(ob.correctUnsyncedTs()).toEqual({ events: [1], reports: [] });
    expect(ob.reports.next(null, 10)).toEqual([expect.objectContaining({ id: 'legacy', ts: 60_000, tsUnsynced: true })]);
    db.close();
  });
});
