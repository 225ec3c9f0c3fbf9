import { correctedTs } from '../core/ts-correction.js';
import type { Db } from './database.js';

/**
 * The ts-correction columns the events and the reports tables share (src/store/database.ts):
 * `ts_unsynced` (stamped while the wall clock was known to be unsynchronised), `boot` and `mono_ms`
 * (the boot and the monotonic clock at the stamp), `ts_corrected` (the corrected time; `ts` keeps
 * what was stamped) and `sent_unsynced` (published with its uncorrected ts: never corrected after).
 * One implementation for both tables, so events and reports follow the same rule.
 */
export interface UnsyncedTs {
  /**
   * Rows of `boot` stamped unsynchronised, not yet corrected and never published marked get
   * `ts_corrected` from the monotonic clock (src/core/ts-correction.ts). Returns their seqs.
   * Run it inside the caller's transaction (one commit for everything corrected).
   */
  correct(boot: number, wallNowMs: number, monoNowMs: number): number[];
  /** The row is about to be published with its uncorrected ts: it is never corrected from now on. */
  markSent(seq: number): void;
}

export function unsyncedTs(db: Db, table: 'events' | 'reports'): UnsyncedTs {
  const uncorrected = db.prepare<[number], { seq: number; mono_ms: number | null }>(
    `SELECT seq, mono_ms FROM ${table} WHERE boot = ? AND ts_unsynced = 1 AND ts_corrected IS NULL AND sent_unsynced = 0 ORDER BY seq`,
  );
  const setCorrected = db.prepare<[number, number]>(`UPDATE ${table} SET ts_corrected = ? WHERE seq = ? AND ts_corrected IS NULL AND sent_unsynced = 0`);
  const sentUnsynced = db.prepare<[number]>(`UPDATE ${table} SET sent_unsynced = 1 WHERE seq = ? AND ts_corrected IS NULL AND sent_unsynced = 0`);
  return {
    correct(boot, wallNowMs, monoNowMs) {
      const done: number[] = [];
      for (const r of uncorrected.all(boot)) {
        const ts = r.mono_ms === null ? null : correctedTs({ wallNowMs, monoNowMs, monoEventMs: r.mono_ms });
        if (ts !== null && setCorrected.run(ts, r.seq).changes > 0) done.push(r.seq);
      }
      return done;
    },
    markSent(seq) {
      sentUnsynced.run(seq);
    },
  };
}
