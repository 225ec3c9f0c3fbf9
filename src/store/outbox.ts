import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { EventDraft, EventState, Severity, StoredEvent } from '../core/event.js';
import type { Db } from './database.js';

/**
 * The event log and its outbox: what the uplink drains. `append` returns only after the event is
 * committed (WAL, synchronous=FULL), so an event that was "raised" survives kill -9 and power cuts.
 * A row leaves the outbox only when `markDelivered` is called for it, after the broker's PUBACK.
 */
export interface Outbox {
  append(draft: EventDraft): StoredEvent;
  /** Undelivered events with seq > afterSeq, oldest first. */
  pending(afterSeq: number, limit: number): StoredEvent[];
  /** Returns false when the row was already delivered (a duplicate acknowledgement). */
  markDelivered(seq: number): boolean;
  depth(): number;
  /** ts of the oldest undelivered event, or null when the outbox is empty. */
  oldestPendingTs(): number | null;
  /** Highest seq ever assigned (0 when none). */
  lastSeq(): number;
}

interface Row {
  seq: number;
  id: string;
  ts: number;
  type: string;
  severity: Severity;
  device: string | null;
  state: EventState;
  data: string;
}

const toEvent = (r: Row): StoredEvent => ({
  id: r.id, seq: r.seq, ts: r.ts, type: r.type, severity: r.severity, device: r.device, state: r.state,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

export function createOutbox(db: Db, clock: Clock, newId: () => string = randomUUID): Outbox {
  const insert = db.prepare<[string, number, string, string, string | null, string, string]>(
    'INSERT INTO events (id, ts, type, severity, device, state, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectPending = db.prepare<[number, number], Row>(
    'SELECT seq, id, ts, type, severity, device, state, data FROM events WHERE delivered_ts IS NULL AND seq > ? ORDER BY seq LIMIT ?',
  );
  const deliver = db.prepare<[number, number]>('UPDATE events SET delivered_ts = ? WHERE seq = ? AND delivered_ts IS NULL');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events WHERE delivered_ts IS NULL');
  const oldest = db.prepare<[], { ts: number }>('SELECT ts FROM events WHERE delivered_ts IS NULL ORDER BY seq LIMIT 1');
  const maxSeq = db.prepare<[], { seq: number | null }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");

  return {
    append(draft) {
      const id = newId();
      const ts = clock.now();
      const info = insert.run(id, ts, draft.type, draft.severity, draft.device, draft.state, JSON.stringify(draft.data));
      return { ...draft, id, ts, seq: Number(info.lastInsertRowid) };
    },
    pending: (afterSeq, limit) => selectPending.all(afterSeq, limit).map(toEvent),
    markDelivered: (seq) => deliver.run(clock.now(), seq).changes > 0,
    depth: () => count.get()!.n,
    oldestPendingTs: () => oldest.get()?.ts ?? null,
    lastSeq: () => maxSeq.get()?.seq ?? 0,
  };
}
