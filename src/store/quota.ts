import { statSync } from 'node:fs';
import type { Db } from './database.js';

/**
 * Keeps the store within `quotaBytes`, counted as the database's pages in use plus the WAL and the
 * rollback journal as files: the WAL alone filled an 8 MB disk under a 3 MB quota (issue 12,
 * finding 2). Free pages inside the database file are not counted: SQLite reuses them before the
 * file grows, so they cost no more disk.
 *
 * It also keeps room on the file system itself. Given the free space and a low-water mark
 * (`enforce(disk)`), the limit is the smaller of the quota and what the store's files could take
 * while leaving the mark free (their sizes plus the free space, less the mark): a disk filling up
 * below the quota is met the same way as the quota, and evicting makes room inside the database
 * for what comes next, so the store stops growing.
 *
 * Over the limit it first checkpoints the WAL into the database and truncates it, then evicts, in
 * this order and oldest first:
 *   1. readings (telemetry), whether uploaded or not: the telemetry uplink reports the gap;
 *   2. reports the cloud already has (acknowledged, or PUBACKed in puback mode): history only;
 *   3. alarms and events the cloud already has: history only (resync can no longer send them);
 *   4. reports still in the outbox, one at a time: lost, so each evicted range is recorded in
 *      `report_gaps` and the next report tells the cloud (src/store/report-outbox.ts);
 * and never an alarm or event still in the outbox. History (2, 3) goes before undelivered reports
 * because the cloud already has it: evicting it loses nothing but the hub's copy, while an
 * undelivered report is a night nobody will see. The WAL is checkpointed and truncated again after
 * each batch evicted (the DELETEs went through it), so what they freed reaches the file system. If
 * what remains is still over the quota, the store is "full": the daemon raises `hub.storage_full`
 * (and clears it once back under), and keeps every alarm anyway.
 */
export interface QuotaReport {
  /** Pages in use + WAL + journal, bytes. */
  usedBytes: number;
  quotaBytes: number;
  /** The limit applied: the quota, or less when the file system is low on space. */
  limitBytes: number;
  evictedReadings: number;
  /** Alarms, events and reports the cloud already had. */
  evictedHistory: number;
  /** Reports evicted before the cloud had them (reported as a gap). */
  evictedReports: number;
  /** Over the quota after evicting all it may (hub.storage_full). The file system's state is hub.disk_full's. */
  full: boolean;
  /** Set when `full` changed in this call (persisted, so a restart does not raise it twice). */
  change: 'became_full' | 'no_longer_full' | null;
}

/** The file system's side, for `enforce`: free bytes now, and how many must stay free. */
export interface DiskRoom {
  freeBytes: number;
  lowWaterBytes: number;
}

export interface QuotaKeeper {
  enforce(disk?: DiskRoom | null): QuotaReport;
  /** Pages in use + WAL + journal, bytes. */
  usedBytes(): number;
  /** The database, WAL and journal files' sizes on disk, bytes. */
  fileBytes(): number;
}

const CHUNK = 2000;
/** Reports are few and large (a night each): evict the undelivered ones one by one, re-checking. */
const REPORT_CHUNK = 1;

const fileSize = (path: string): number => {
  try { return statSync(path).size; } catch { return 0; }
};

/**
 * PRAGMA wal_checkpoint(TRUNCATE) without waiting: with the connection's busy_timeout it would block
 * the daemon's thread while the drain reader reads; a reader in the way only means the WAL is
 * truncated at the next try.
 */
export function checkpointTruncate(db: Db): void {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

export function createQuotaKeeper(db: Db, o: { quotaBytes: number; doneColumn: 'acked_ts' | 'delivered_ts' }): QuotaKeeper {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const file = db.memory ? null : db.name;
  const journals = (): number => (file === null ? 0 : fileSize(`${file}-wal`) + fileSize(`${file}-journal`));
  const used = (): number => ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * pageSize + journals();
  const evictReadings = db.prepare<[number]>('DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?)');
  const evictHistory = db.prepare<[number]>(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ${o.doneColumn} IS NOT NULL ORDER BY seq LIMIT ?)`);
  const evictReportHistory = db.prepare<[number]>(`DELETE FROM reports WHERE seq IN (SELECT seq FROM reports WHERE ${o.doneColumn} IS NOT NULL ORDER BY seq LIMIT ?)`);
  const evictReports = db.prepare<[number], { seq: number }>(`DELETE FROM reports WHERE seq IN (SELECT seq FROM reports WHERE ${o.doneColumn} IS NULL ORDER BY seq LIMIT ?) RETURNING seq`);
  const extendGap = db.prepare<[number, number]>('UPDATE report_gaps SET to_seq = ? WHERE to_seq = ?');
  const addGap = db.prepare<[number, number]>('INSERT INTO report_gaps (from_seq, to_seq) VALUES (?, ?)');
  /** Deletes the oldest undelivered reports and records their seqs as lost, in one transaction. */
  const evictPendingReports = db.transaction((n: number): number => {
    const seqs = evictReports.all(n).map((r) => r.seq).sort((a, b) => a - b);
    for (const seq of seqs) if (extendGap.run(seq, seq - 1).changes === 0) addGap.run(seq, seq);
    return seqs.length;
  });
  /** The WAL back into the database and truncated, when there is one. */
  const checkpoint = (): void => {
    if (file !== null && fileSize(`${file}-wal`) > 0) checkpointTruncate(db);
  };
  /** Runs `evict` until under `limit` or it finds nothing more; returns how many rows went. */
  const evictWhileOver = (limit: number, evict: () => number): number => {
    let total = 0;
    while (used() > limit) {
      checkpoint(); // the WAL may be all that is over (and the DELETEs below wrote to it)
      if (used() <= limit) break;
      const n = evict();
      if (n === 0) break;
      total += n;
    }
    return total;
  };
  const getFull = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'storage_full'");
  const setFull = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('storage_full', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const fileBytes = (): number => (file === null ? used() : fileSize(file) + journals());

  return {
    usedBytes: used,
    fileBytes,
    enforce(disk) {
      // What the store's files could take on this file system, keeping the low-water mark free.
      const room = disk ? fileBytes() + disk.freeBytes - disk.lowWaterBytes : Number.POSITIVE_INFINITY;
      const limitBytes = Math.max(0, Math.min(o.quotaBytes, room));
      const evictedReadings = evictWhileOver(limitBytes, () => evictReadings.run(CHUNK).changes);
      const evictedHistory = evictWhileOver(limitBytes, () => evictReportHistory.run(CHUNK).changes) + evictWhileOver(limitBytes, () => evictHistory.run(CHUNK).changes);
      const evictedReports = evictWhileOver(limitBytes, () => evictPendingReports(REPORT_CHUNK));
      if (evictedReadings + evictedHistory + evictedReports > 0) checkpoint(); // give the last DELETEs' WAL back too
      const usedBytes = used();
      const full = usedBytes > o.quotaBytes;
      const wasFull = getFull.get()?.value === '1';
      let change: QuotaReport['change'] = null;
      if (full !== wasFull) {
        setFull.run(full ? '1' : '0');
        change = full ? 'became_full' : 'no_longer_full';
      }
      return { usedBytes, quotaBytes: o.quotaBytes, limitBytes, evictedReadings, evictedHistory, evictedReports, full, change };
    },
  };
}
