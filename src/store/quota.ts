import type { Db } from './database.js';

/**
 * Keeps the database within `quotaBytes` (pages in use, not file size: freed pages are reused).
 * Over the quota it evicts, in this order and oldest first:
 *   1. readings (telemetry), whether uploaded or not: the telemetry uplink reports the gap;
 *   2. reports the cloud already has (acknowledged, or PUBACKed in puback mode): history only;
 *   3. alarms and events the cloud already has: history only (resync can no longer send them);
 *   4. reports still in the outbox, one at a time: lost, so each evicted range is recorded in
 *      `report_gaps` and the next report tells the cloud (src/store/report-outbox.ts);
 * and never an alarm or event still in the outbox. History (2, 3) goes before undelivered reports
 * because the cloud already has it: evicting it loses nothing but the hub's copy, while an
 * undelivered report is a night nobody will see. If what remains is still over the quota, the store
 * is "full": the daemon raises `hub.storage_full` (and clears it once back under), and keeps every
 * alarm anyway.
 */
export interface QuotaReport {
  usedBytes: number;
  quotaBytes: number;
  evictedReadings: number;
  /** Alarms, events and reports the cloud already had. */
  evictedHistory: number;
  /** Reports evicted before the cloud had them (reported as a gap). */
  evictedReports: number;
  full: boolean;
  /** Set when `full` changed in this call (persisted, so a restart does not raise it twice). */
  change: 'became_full' | 'no_longer_full' | null;
}

export interface QuotaKeeper {
  enforce(): QuotaReport;
  usedBytes(): number;
}

const CHUNK = 2000;
/** Reports are few and large (a night each): evict the undelivered ones one by one, re-checking. */
const REPORT_CHUNK = 1;

export function createQuotaKeeper(db: Db, o: { quotaBytes: number; doneColumn: 'acked_ts' | 'delivered_ts' }): QuotaKeeper {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const used = (): number => ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * pageSize;
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
  /** Runs `evict` until under the quota or it finds nothing more; returns how many rows went. */
  const evictWhileOver = (evict: () => number): number => {
    let total = 0;
    while (used() > o.quotaBytes) {
      const n = evict();
      if (n === 0) break;
      total += n;
    }
    return total;
  };
  const getFull = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'storage_full'");
  const setFull = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('storage_full', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

  return {
    usedBytes: used,
    enforce() {
      const evictedReadings = evictWhileOver(() => evictReadings.run(CHUNK).changes);
      const evictedHistory = evictWhileOver(() => evictReportHistory.run(CHUNK).changes) + evictWhileOver(() => evictHistory.run(CHUNK).changes);
      const evictedReports = evictWhileOver(() => evictPendingReports(REPORT_CHUNK));
      const usedBytes = used();
      const full = usedBytes > o.quotaBytes;
      const wasFull = getFull.get()?.value === '1';
      let change: QuotaReport['change'] = null;
      if (full !== wasFull) {
        setFull.run(full ? '1' : '0');
        change = full ? 'became_full' : 'no_longer_full';
      }
      return { usedBytes, quotaBytes: o.quotaBytes, evictedReadings, evictedHistory, evictedReports, full, change };
    },
  };
}
