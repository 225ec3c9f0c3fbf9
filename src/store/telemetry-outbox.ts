import type { Db } from './database.js';

/**
 * Readings waiting to be uploaded as telemetry. Their `id` (AUTOINCREMENT) is the telemetry
 * sequence; what has been sent is one pointer (the highest id the broker acknowledged), kept in
 * `meta`, because readings are uploaded strictly in id order, one message in flight. Eviction
 * (retention, quota) removes the oldest readings, so the remaining ids are contiguous and a gap
 * can only open right after the pointer: `nextBatch` reports it.
 */
export type TelemetryRow = [ts: number, device: string, metric: string, value: number | string];

export interface TelemetryBatch {
  /** Ids the hub committed but evicted before sending them, if any. */
  gap: { from: number; to: number } | null;
  firstId: number;
  lastId: number;
  rows: TelemetryRow[];
}

export interface TelemetryOutbox {
  /** The next readings after the pointer, oldest first; null when there is nothing to send. */
  nextBatch(limit: number): TelemetryBatch | null;
  /** The broker acknowledged everything up to `id`. */
  markSent(id: number): void;
  sentUpTo(): number;
  /** Readings not uploaded yet. */
  backlog(): number;
}

export function createTelemetryOutbox(db: Db): TelemetryOutbox {
  const select = db.prepare<[number, number], { id: number; ts: number; device: string; metric: string; value: number | string }>(
    'SELECT id, ts, device, metric, value FROM readings WHERE id > ? ORDER BY id LIMIT ?',
  );
  const getPtr = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'telemetry_sent'");
  const setPtr = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('telemetry_sent', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const countAfter = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM readings WHERE id > ?');
  let ptr = Number(getPtr.get()?.value ?? 0);

  return {
    nextBatch(limit) {
      const rows = select.all(ptr, limit);
      if (rows.length === 0) return null;
      const first = rows[0]!.id;
      return {
        gap: first > ptr + 1 ? { from: ptr + 1, to: first - 1 } : null,
        firstId: first,
        lastId: rows[rows.length - 1]!.id,
        rows: rows.map((r) => [r.ts, r.device, r.metric, r.value]),
      };
    },
    markSent(id) {
      if (id <= ptr) return;
      ptr = id;
      setPtr.run(String(id));
    },
    sentUpTo: () => ptr,
    backlog: () => countAfter.get(ptr)!.n,
  };
}
