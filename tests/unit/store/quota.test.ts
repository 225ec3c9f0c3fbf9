/** Disk quota on a real SQLite file: telemetry goes first, delivered history next, undelivered never. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/core/clock.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { createOutbox, type Outbox } from '../../../src/store/outbox.js';
import { checkpointTruncate, createQuotaKeeper, type QuotaKeeper } from '../../../src/store/quota.js';
import { createReadingStore } from '../../../src/store/readings.js';

const count = (db: Db, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe('store quota', () => {
  /** Pages in use with the WAL checkpointed away: quotas below are set relative to what the tables hold. */
  const usedAfterCheckpoint = (k: QuotaKeeper): number => { checkpointTruncate(db); return k.usedBytes(); };
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  const clock = createManualClock(1_000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anju-quota-'));
    db = openDatabase(dir);
    outbox = createOutbox(db, clock);
  });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  const addReadings = (n: number) => {
    const rs = createReadingStore(db, clock);
    for (let i = 0; i < n; i++) rs.add({ device: 'radar', ts: i, metric: 'breathRatePerMin', value: 10 + (i % 20) });
    rs.flush();
  };
  const addAlarms = (n: number) => {
    for (let i = 0; i < n; i++) outbox.append({ type: 'alarm.test', severity: 'critical', device: 'radar', state: 'raised', data: { pad: 'x'.repeat(200), i } });
  };

  it('under the quota, nothing is evicted', () => {
    addReadings(1000);
    const q = createQuotaKeeper(db, { quotaBytes: 50 * 1024 * 1024, doneColumn: 'acked_ts' }).enforce();
    expect(q).toMatchObject({ evictedReadings: 0, evictedHistory: 0, full: false, change: null });
  });

  it('over it, the oldest readings are evicted first and every alarm survives', () => {
    addAlarms(200);
    addReadings(60_000);
    const keeper = createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' });
    const quotaBytes = Math.floor(usedAfterCheckpoint(keeper) * 0.6);
    const q = createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce();
    expect(q.evictedReadings).toBeGreaterThan(0);
    expect(q.full).toBe(false);
    expect(q.usedBytes).toBeLessThanOrEqual(quotaBytes);
    expect(count(db, 'SELECT count(*) AS n FROM events')).toBe(200);
    // Oldest first: what is left is the newest readings, contiguous to the end.
    const left = db.prepare('SELECT min(ts) AS lo, max(ts) AS hi, count(*) AS n FROM readings').get() as { lo: number; hi: number; n: number };
    expect(left.hi).toBe(59_999);
    expect(left.hi - left.lo + 1).toBe(left.n);
  });

  it('then history the cloud already has, never an event still in the outbox', () => {
    addAlarms(3000);
    outbox.ackUpTo(2000); // the cloud has 1..2000
    const quotaBytes = Math.floor(usedAfterCheckpoint(createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' })) * 0.5);
    const q = createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce();
    expect(q.evictedHistory).toBeGreaterThan(0);
    expect(count(db, 'SELECT count(*) AS n FROM events WHERE acked_ts IS NULL')).toBe(1000);
    expect(count(db, 'SELECT min(seq) AS n FROM events WHERE acked_ts IS NULL')).toBe(2001);
  });

  it('when undelivered alarms alone exceed it: keeps them all and reports full once, then not full', () => {
    // 64 KB above what the empty schema takes (its tables and indexes alone are several pages).
    const quotaBytes = usedAfterCheckpoint(createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' })) + 64 * 1024;
    addAlarms(2000);
    const keeper = createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' });
    const first = keeper.enforce();
    expect(first).toMatchObject({ full: true, change: 'became_full' });
    expect(count(db, 'SELECT count(*) AS n FROM events')).toBe(2000);
    expect(keeper.enforce()).toMatchObject({ full: true, change: null }); // no second raise
    // Remembered across a restart.
    db.close();
    db = openDatabase(dir);
    outbox = createOutbox(db, clock);
    expect(createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce()).toMatchObject({ full: true, change: null });
    // The cloud catches up: history can go, and the store is no longer full.
    outbox.ackUpTo(2000);
    expect(createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce()).toMatchObject({ full: false, change: 'no_longer_full' });
  });

  describe('counts the WAL and journal, and keeps room on the file system (issue 12, finding 2)', () => {
    const walBytes = () => { try { return statSync(join(dir, 'anju.db-wal')).size; } catch { return 0; } };

    it('used = pages in use + the WAL file; a WAL that is all the excess is checkpointed away, nothing evicted', () => {
      db.pragma('wal_autocheckpoint = 0'); // as between two checkpoints: the WAL holds every write
      addReadings(20_000);
      const keeper = createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' });
      const pages = () => ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * 4096;
      expect(walBytes()).toBeGreaterThan(100_000);
      expect(keeper.usedBytes()).toBe(pages() + walBytes());
      const quotaBytes = pages() + 4096; // room for the tables, not for the WAL too
      const q = createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce();
      expect(q).toMatchObject({ evictedReadings: 0, full: false });
      expect(walBytes()).toBe(0);
      expect(count(db, 'SELECT count(*) AS n FROM readings')).toBe(20_000);
    });

    it('evicting truncates the WAL its DELETEs wrote, so the space reaches the file system', () => {
      addReadings(60_000);
      const quotaBytes = Math.floor(usedAfterCheckpoint(createQuotaKeeper(db, { quotaBytes: 0, doneColumn: 'acked_ts' })) * 0.5);
      const q = createQuotaKeeper(db, { quotaBytes, doneColumn: 'acked_ts' }).enforce();
      expect(q.evictedReadings).toBeGreaterThan(0);
      expect(walBytes()).toBe(0);
      expect(q.usedBytes).toBeLessThanOrEqual(quotaBytes);
    });

    it('with the file system low on space it evicts below the quota, until the database has the low-water mark free inside it', () => {
      addAlarms(100);
      addReadings(60_000);
      const keeper = createQuotaKeeper(db, { quotaBytes: 1024 * 1024 * 1024, doneColumn: 'acked_ts' });
      checkpointTruncate(db);
      const lowWaterBytes = 512 * 1024;
      const q = keeper.enforce({ freeBytes: 100 * 1024, lowWaterBytes }); // 100 KB left on the disk
      expect(q.limitBytes).toBeLessThan(q.quotaBytes);
      expect(q.evictedReadings).toBeGreaterThan(0);
      expect(q.full).toBe(false); // the quota's flag (hub.storage_full) is about the quota only
      const free = (db.pragma('freelist_count', { simple: true }) as number) * 4096;
      expect(free + 100 * 1024).toBeGreaterThanOrEqual(lowWaterBytes);
      expect(count(db, 'SELECT count(*) AS n FROM events')).toBe(100); // never an undelivered alarm
      // Plenty of room: the quota alone applies, nothing more goes.
      expect(keeper.enforce({ freeBytes: 10 * 1024 * 1024 * 1024, lowWaterBytes })).toMatchObject({ evictedReadings: 0, limitBytes: 1024 * 1024 * 1024 });
    });
  });
});
