import type { Clock } from '../core/clock.js';
import type { Reading } from '../core/reading.js';
import type { Db } from './database.js';
import { afterCommit } from './transaction.js';

/**
 * Readings are buffered in memory and committed in one transaction per flush (the daemon flushes
 * every `store.readings_flush_ms`): one fsync a second instead of one per reading spares the SD
 * card. What a crash can lose is at most one flush interval of raw readings, never an event.
 */
export interface ReadingStore {
  add(reading: Reading): void;
  /** Commits buffered readings; returns how many. */
  flush(): number;
  /** Deletes readings older than `retentionMs`; returns how many. */
  prune(retentionMs: number): number;
  buffered(): number;
  /** Readings dropped because commits kept failing. */
  dropped(): number;
}

const BATCH_LIMIT = 5000;
/** While commits fail (disk full), keep at most this many readings in memory, dropping the oldest. */
const MAX_BUFFERED = 100_000;

export function createReadingStore(db: Db, clock: Clock): ReadingStore {
  const insert = db.prepare<[number, string, string, number | string]>('INSERT INTO readings (ts, device, metric, value) VALUES (?, ?, ?, ?)');
  let buffer: Reading[] = [];
  let dropped = 0;
  const insertAll = db.transaction((rows: readonly Reading[]) => {
    for (const r of rows) insert.run(r.ts, r.device, r.metric, typeof r.value === 'boolean' ? Number(r.value) : r.value);
  });
  // Rows arrive in time order, so the cutoff is found by walking ids from the start; no index
  // on ts is needed on the insert path.
  const firstKept = db.prepare<[number], { id: number }>('SELECT id FROM readings WHERE ts >= ? ORDER BY id LIMIT 1');
  const deleteBelow = db.prepare<[number]>('DELETE FROM readings WHERE id < ?');
  const deleteAll = db.prepare('DELETE FROM readings');

  const store: ReadingStore = {
    add(reading) {
      buffer.push(reading);
      if (buffer.length % BATCH_LIMIT !== 0) return;
      try {
        store.flush();
      } catch {
        // The periodic flush reports the error; on the hot path we only bound the memory.
        if (buffer.length >= MAX_BUFFERED) {
          const n = buffer.length - MAX_BUFFERED + BATCH_LIMIT;
          buffer.splice(0, n);
          dropped += n;
        }
      }
    },
    flush() {
      if (buffer.length === 0) return 0;
      const n = buffer.length;
      insertAll(buffer); // throws on failure, keeping the buffer for the next try
      // Inside the daemon's flush transaction (src/daemon/ingest.ts) the rows are stored only once
      // it commits: until then they stay buffered, so a failed COMMIT (a full disk) loses none.
      afterCommit(db, () => {
        if (n === buffer.length) buffer = [];
        else buffer.splice(0, n);
      });
      return n;
    },
    prune(retentionMs) {
      const cutoff = clock.now() - retentionMs;
      const kept = firstKept.get(cutoff);
      return (kept ? deleteBelow.run(kept.id) : deleteAll.run()).changes;
    },
    buffered: () => buffer.length,
    dropped: () => dropped,
  };
  return store;
}
