import type { Db } from './database.js';

/**
 * Keeps the database within `quotaBytes` (pages in use, not file size: freed pages are reused).
 * Over the quota it evicts, in this order and oldest first:
 *   1. readings (telemetry), whether uploaded or not: the telemetry uplink reports the gap;
 *   2. events the cloud already has (acknowledged, or PUBACKed in puback mode): history only;
 * and never an event still in the outbox. If what remains is still over the quota, the store is
 * "full": the daemon raises `hub.storage_full` (and clears it once back under), and keeps every
 * alarm anyway.
 */
export interface QuotaReport {
  usedBytes: number;
  quotaBytes: number;
  evictedReadings: number;
  evictedHistory: number;
  full: boolean;
  /** Set when `full` changed in this call (persisted, so a restart does not raise it twice). */
  change: 'became_full' | 'no_longer_full' | null;
}

export interface QuotaKeeper {
  enforce(): QuotaReport;
  usedBytes(): number;
}

const CHUNK = 2000;

export function createQuotaKeeper(db: Db, o: { quotaBytes: number; doneColumn: 'acked_ts' | 'delivered_ts' }): QuotaKeeper {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const used = (): number => ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * pageSize;
  const evictReadings = db.prepare<[number]>('DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?)');
  const evictHistory = db.prepare<[number]>(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ${o.doneColumn} IS NOT NULL ORDER BY seq LIMIT ?)`);
  const getFull = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'storage_full'");
  const setFull = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('storage_full', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

  return {
    usedBytes: used,
    enforce() {
      let evictedReadings = 0;
      let evictedHistory = 0;
      while (used() > o.quotaBytes) {
        const n = evictReadings.run(CHUNK).changes;
        if (n === 0) break;
        evictedReadings += n;
      }
      while (used() > o.quotaBytes) {
        const n = evictHistory.run(CHUNK).changes;
        if (n === 0) break;
        evictedHistory += n;
      }
      const usedBytes = used();
      const full = usedBytes > o.quotaBytes;
      const wasFull = getFull.get()?.value === '1';
      let change: QuotaReport['change'] = null;
      if (full !== wasFull) {
        setFull.run(full ? '1' : '0');
        change = full ? 'became_full' : 'no_longer_full';
      }
      return { usedBytes, quotaBytes: o.quotaBytes, evictedReadings, evictedHistory, full, change };
    },
  };
}
