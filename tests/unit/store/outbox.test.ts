import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualBootClock, createManualClock } from '../../../src/core/clock.js';
import type { EventDraft } from '../../../src/core/event.js';
import { DB_FILE, openDatabase } from '../../../src/store/database.js';
import { createOutbox, seqRanges } from '../../../src/store/outbox.js';
import { createReadingStore } from '../../../src/store/readings.js';

const draft = (n: number): EventDraft => ({ type: 'alarm.breathing_rate', severity: 'critical', device: 'radar', state: n % 2 ? 'raised' : 'cleared', data: { n } });

describe('SQLite outbox (real files)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-outbox-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is WAL with synchronous=FULL', () => {
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('assigns a unique id and a seq that only grows, also across reopen and after delivery', () => {
    const clock = createManualClock(1000);
    let db = openDatabase(dir);
    let ob = createOutbox(db, clock);
    const a = [ob.append(draft(1)), ob.append(draft(2))];
    ob.ackUpTo(2);
    db.exec('DELETE FROM events'); // even if rows are purged, numbers are never reused
    db.close();
    db = openDatabase(dir);
    ob = createOutbox(db, clock);
    const b = ob.append(draft(3));
    expect(a.map((e) => e.seq)).toEqual([1, 2]);
    expect(b.seq).toBe(3);
    expect(ob.lastSeq()).toBe(3);
    expect(new Set([...a, b].map((e) => e.id)).size).toBe(3);
    db.close();
  });

  it('an appended event is visible to another connection at once (committed, not buffered)', () => {
    const db = openDatabase(dir);
    const ob = createOutbox(db, createManualClock(5));
    const e = ob.append(draft(1));
    const other = new Database(join(dir, DB_FILE), { readonly: true });
    expect(other.prepare('SELECT id, seq, data FROM events').all()).toEqual([{ id: e.id, seq: 1, data: '{"n":1}' }]);
    other.close();
    db.close();
  });

  it('drains alarms first, then events, oldest first within a class, after a position', () => {
    const clock = createManualClock(0);
    const db = openDatabase(dir);
    const ob = createOutbox(db, clock);
    const ev = (type: string) => { clock.advance(10); return ob.append({ ...draft(1), type }); };
    ev('device.offline'); ev('alarm.breathing_rate'); ev('device.online'); ev('alarm.apnea');
    expect(ob.next(null, 10).map((e) => [e.seq, e.type])).toEqual([[2, 'alarm.breathing_rate'], [4, 'alarm.apnea'], [1, 'device.offline'], [3, 'device.online']]);
    expect(ob.next({ prio: 0, seq: 4 }, 10).map((e) => e.seq)).toEqual([1, 3]);
    expect(ob.next(null, 1)[0]).toMatchObject({ type: 'alarm.breathing_rate', severity: 'critical', device: 'radar', state: 'raised', dataJson: '{"n":1}', ts: 20 });
    expect(ob.depth()).toEqual({ alarm: 2, event: 2, report: 0 });
    expect(ob.oldestPendingTs('alarm')).toBe(20);
    expect(ob.oldestPendingTs()).toBe(10);
    db.close();
  });

  it('cloud_ack mode: a PUBACK does not take an event out; the cloud ack does, and is remembered', () => {
    const clock = createManualClock(100);
    let db = openDatabase(dir);
    let ob = createOutbox(db, clock);
    for (let i = 1; i <= 5; i++) ob.append(draft(i));
    ob.markPubacked([1, 2, 3, 4, 5]);
    expect(ob.depth().alarm + ob.depth().event).toBe(5);
    expect(ob.ackUpTo(3)).toBe(3);
    expect(ob.ackUpTo(2)).toBe(0); // an older ack changes nothing
    expect(ob.next(null, 10).map((e) => e.seq)).toEqual([4, 5]);
    expect(ob.ackUpTo(99)).toBe(2); // never beyond what this hub assigned
    expect(ob.lastCloudAck()).toEqual({ seq: 5, ts: 100 });
    ob.append(draft(6));
    db.close();
    db = openDatabase(dir);
    ob = createOutbox(db, clock);
    expect(ob.lastCloudAck()).toEqual({ seq: 5, ts: 100 });
    expect(ob.next(null, 10).map((e) => e.seq)).toEqual([6]);
    expect(ob.since(4, 10).map((e) => e.seq)).toEqual([5, 6]); // history for resync, done or not
    db.close();
  });

  it('has an epoch: random per database, the same across reopen', () => {
    let db = openDatabase(dir);
    const e1 = createOutbox(db, createManualClock(0)).epoch();
    db.close();
    db = openDatabase(dir);
    expect(createOutbox(db, createManualClock(0)).epoch()).toBe(e1);
    db.close();
    const other = mkdtempSync(join(tmpdir(), 'anju-epoch-'));
    const db2 = openDatabase(other);
    expect(createOutbox(db2, createManualClock(0)).epoch()).not.toBe(e1);
    expect(e1).toMatch(/^[0-9a-f]{16}$/);
    db2.close();
    rmSync(other, { recursive: true, force: true });
  });

  it('puback mode: a PUBACK takes the event out', () => {
    const db = openDatabase(dir);
    const ob = createOutbox(db, createManualClock(0), { doneWhen: 'puback' });
    for (let i = 1; i <= 3; i++) ob.append(draft(i));
    ob.markPubacked([1, 3]);
    ob.markPubacked([1]);
    expect(ob.next(null, 10).map((e) => e.seq)).toEqual([2]);
    db.close();
  });

  it('records PUBACKs as runs of seqs, only the ones given, and leaves the connection at synchronous=FULL', () => {
    const clock = createManualClock(7);
    const db = openDatabase(dir);
    const ob = createOutbox(db, clock, { doneWhen: 'puback' });
    for (let i = 1; i <= 12; i++) ob.append(draft(i));
    ob.markPubacked([5, 3, 4, 9, 1, 11, 10, 4]);
    expect(ob.next(null, 20).map((e) => e.seq)).toEqual([2, 6, 7, 8, 12]);
    expect(db.prepare('SELECT seq FROM events WHERE delivered_ts = 7 ORDER BY seq').all().map((r) => (r as { seq: number }).seq)).toEqual([1, 3, 4, 5, 9, 10, 11]);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // appends still wait for the disk
    db.transaction(() => ob.markPubacked([2]))(); // inside a caller's transaction: no pragma switch
    expect(ob.next(null, 20).map((e) => e.seq)).toEqual([6, 7, 8, 12]);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('pages through a class whose earlier rows are still open (cloud_ack: published, not yet acknowledged)', () => {
    const db = openDatabase(dir);
    const ob = createOutbox(db, createManualClock(0));
    db.transaction(() => {
      for (let i = 1; i <= 600; i++) ob.append({ ...draft(i), type: i % 100 === 0 ? 'alarm.apnea' : 'device.offline' });
    })();
    const seen: number[] = [];
    let at: { prio: number; seq: number } | null = null;
    for (let page = ob.next(at, 64); page.length > 0; page = ob.next(at, 64)) {
      seen.push(...page.map((e) => e.seq));
      const last = page.at(-1)!;
      at = { prio: last.type.startsWith('alarm.') ? 0 : 1, seq: last.seq };
    }
    const alarms = [100, 200, 300, 400, 500, 600];
    expect(seen).toEqual([...alarms, ...Array.from({ length: 600 }, (_, i) => i + 1).filter((s) => !alarms.includes(s))]);
    // A page that ends inside the alarm class continues with the events, oldest first.
    expect(ob.next({ prio: 0, seq: 500 }, 3).map((e) => e.seq)).toEqual([600, 1, 2]);
    db.close();
  });

  it('keeps the last cloud ack in memory and on disk', () => {
    let db = openDatabase(dir);
    let ob = createOutbox(db, createManualClock(50));
    expect(ob.lastCloudAck()).toBeNull();
    for (let i = 1; i <= 3; i++) ob.append(draft(i));
    ob.ackUpTo(2);
    const got = ob.lastCloudAck()!;
    got.seq = 99; // a copy: the caller cannot change the outbox's view
    expect(ob.lastCloudAck()).toEqual({ seq: 2, ts: 50 });
    db.close();
    db = openDatabase(dir);
    ob = createOutbox(db, createManualClock(60));
    expect(ob.lastCloudAck()).toEqual({ seq: 2, ts: 50 });
    db.close();
  });
});

describe('seqRanges', () => {
  it('turns seqs into sorted runs of consecutive numbers', () => {
    expect(seqRanges([])).toEqual([]);
    expect(seqRanges([7])).toEqual([[7, 7]]);
    expect(seqRanges([3, 1, 2, 7, 7, 9, 8, 12])).toEqual([[1, 3], [7, 9], [12, 12]]);
  });
});

describe('reading store', () => {
  it('commits in batches and prunes by age', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-readings-'));
    const clock = createManualClock(0);
    const db = openDatabase(dir);
    const rs = createReadingStore(db, clock);
    const count = () => (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
    for (let t = 0; t < 10; t++) rs.add({ device: 'r', ts: t * 1000, metric: 'presence', value: t % 2 === 0 });
    expect(count()).toBe(0);
    expect(rs.flush()).toBe(10);
    expect(count()).toBe(10);
    clock.set(9500);
    expect(rs.prune(4000)).toBe(6); // keeps ts >= 5500
    expect(count()).toBe(4);
    clock.set(1e9);
    expect(rs.prune(1)).toBe(4);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('clock-sync marking', () => {
  it('marks events stamped while the clock was unsynchronised, on disk and on the wire', async () => {
    const { wireFormat } = await import('../../../src/uplink/contract.js');
    const { createClockSyncProbe } = await import('../../../src/transports/clock/clock-sync.js');
    const dir = mkdtempSync(join(tmpdir(), 'anju-clock-'));
    const clock = createManualClock(Date.UTC(1970, 0, 1, 0, 5)); // a Pi without RTC, before NTP
    const probe = createClockSyncProbe({ now: clock.now, notBeforeTs: Date.UTC(2026, 10, 1) });
    const db = openDatabase(dir);
    const ob = createOutbox(db, clock, { clockUnsynced: () => probe.state() === 'unsynced' });
    const early = ob.append(draft(1));
    clock.set(Date.UTC(2026, 10, 29)); // NTP synced: the clock jumped to the real time
    const later = ob.append(draft(2));
    expect([early.tsUnsynced, later.tsUnsynced]).toEqual([true, undefined]);
    const rows = ob.next(null, 10);
    expect(rows.map((e) => [e.seq, e.tsUnsynced])).toEqual([[early.seq, true], [later.seq, false]]);
    const wire = wireFormat('h', ob.epoch());
    expect(JSON.parse(wire.event(rows[0]!))).toMatchObject({ ts_unsynced: true });
    expect('ts_unsynced' in JSON.parse(wire.event(rows[1]!))).toBe(false);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('ts correction after the clock is synchronised', () => {
  const BOOT1 = '11111111-1111-4111-8111-111111111111';
  const BOOT2 = '22222222-2222-4222-8222-222222222222';
  const SYNCED = Date.UTC(2026, 10, 29, 8, 0, 0);

  it('corrects unsynced events of this boot not yet published; keeps marked the ones sent marked and those of an earlier boot', async () => {
    const { wireFormat } = await import('../../../src/uplink/contract.js');
    const eventMessage = (h: string, epoch: string, e: Parameters<ReturnType<typeof wireFormat>['event']>[0]) => JSON.parse(wireFormat(h, epoch).event(e)) as Record<string, unknown>;
    const dir = mkdtempSync(join(tmpdir(), 'anju-tscorr-'));
    const wall = createManualClock(Date.UTC(1970, 0, 1, 0, 1)); // no RTC, before NTP
    let unsynced = true;
    // Boot 1: one event, then the hub reboots before NTP ever synced.
    const boot1 = createManualBootClock(BOOT1, 30_000);
    let db = openDatabase(dir);
    let ob = createOutbox(db, wall, { clockUnsynced: () => unsynced, bootClock: boot1 });
    const old = ob.append(draft(1));
    db.close();
    // Boot 2: three events stamped before NTP, 20 s apart on the monotonic clock.
    wall.set(Date.UTC(1970, 0, 1, 0, 0, 40));
    const boot2 = createManualBootClock(BOOT2, 40_000);
    db = openDatabase(dir);
    ob = createOutbox(db, wall, { clockUnsynced: () => unsynced, bootClock: boot2 });
    const a = ob.append(draft(2));
    boot2.advance(20_000); wall.advance(20_000);
    const sentMarked = ob.append(draft(3));
    ob.markSentUnsynced(sentMarked.seq); // published with ts_unsynced before the sync
    boot2.advance(20_000); wall.advance(20_000);
    const b = ob.append(draft(4));
    // The daemon restarts in the same boot (the monotonic clock goes on): still correctable.
    db.close();
    db = openDatabase(dir);
    ob = createOutbox(db, wall, { clockUnsynced: () => unsynced, bootClock: boot2 });
    // NTP syncs 100 s (monotonic) after event b: the wall clock jumps.
    boot2.advance(100_000);
    wall.set(SYNCED);
    unsynced = false;
    const synced = ob.append(draft(5));
    expect(ob.correctUnsyncedTs()).toEqual({ events: [a.seq, b.seq], reports: [] });
    expect(ob.correctUnsyncedTs()).toEqual({ events: [], reports: [] });
    const bySeq = new Map(ob.next(null, 10).map((e) => [e.seq, e]));
    expect(bySeq.get(a.seq)).toMatchObject({ id: a.id, ts: SYNCED - 140_000, tsDevice: a.ts });
    expect(bySeq.get(b.seq)).toMatchObject({ id: b.id, ts: SYNCED - 100_000, tsDevice: b.ts });
    expect(bySeq.get(b.seq)!.tsUnsynced).toBe(false);
    expect(bySeq.get(sentMarked.seq)).toMatchObject({ ts: sentMarked.ts, tsUnsynced: true });
    expect(bySeq.get(sentMarked.seq)!.tsDevice).toBeNull();
    expect(bySeq.get(old.seq)).toMatchObject({ ts: old.ts, tsUnsynced: true }); // another boot: its monotonic time means nothing now
    expect(bySeq.get(synced.seq)).toMatchObject({ ts: SYNCED, tsUnsynced: false, tsDevice: null });
    expect(Object.keys(eventMessage('h', ob.epoch(), bySeq.get(synced.seq)!)).filter((k) => k.startsWith('ts'))).toEqual(['ts']);

    const wire = eventMessage('h', ob.epoch(), bySeq.get(b.seq)!);
    expect(wire).toMatchObject({ id: b.id, seq: b.seq, ts: SYNCED - 100_000, ts_corrected: true, ts_device: b.ts });
    expect('ts_unsynced' in wire).toBe(false);
    expect(eventMessage('h', ob.epoch(), bySeq.get(sentMarked.seq)!)).toMatchObject({ ts: sentMarked.ts, ts_unsynced: true });
    expect('ts_corrected' in eventMessage('h', ob.epoch(), bySeq.get(sentMarked.seq)!)).toBe(false);
    // The history (resync) says the same, and the heartbeat's oldest-alarm age uses the corrected ts.
    expect(ob.since(0, 10).find((e) => e.seq === a.seq)).toMatchObject({ ts: SYNCED - 140_000, tsDevice: a.ts });
    // A corrected event cannot be recorded as sent marked afterwards.
    ob.markSentUnsynced(a.seq);
    expect(ob.next(null, 10).find((e) => e.seq === a.seq)).toMatchObject({ tsDevice: a.ts });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stamps events with the boot and the monotonic clock, and corrects nothing without a boot id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-tscorr-'));
    const wall = createManualClock(0);
    const db = openDatabase(dir);
    const ob = createOutbox(db, wall, { clockUnsynced: () => true, bootClock: createManualBootClock(null, 5_000) });
    const e = ob.append(draft(1));
    expect(db.prepare('SELECT boot, mono_ms, ts_unsynced FROM events WHERE seq = ?').get(e.seq)).toEqual({ boot: null, mono_ms: 5_000, ts_unsynced: 1 });
    wall.set(SYNCED);
    expect(ob.correctUnsyncedTs()).toEqual({ events: [], reports: [] });
    const ob2 = createOutbox(db, wall, { clockUnsynced: () => true, bootClock: createManualBootClock(BOOT1, 7_000) });
    const f = ob2.append(draft(2));
    expect(db.prepare('SELECT b.boot_id, e.mono_ms FROM events e JOIN boots b ON b.id = e.boot WHERE e.seq = ?').get(f.seq)).toEqual({ boot_id: BOOT1, mono_ms: 7_000 });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
