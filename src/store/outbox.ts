import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { CLASS_PRIORITY, classOf, type EventClass, type EventDraft, type StoredEvent } from '../core/event.js';
import type { Db } from './database.js';
import { ROW_COLUMNS as COLUMNS, rowToEvent as toEvent, type DoneWhen, type EventRow as Row, type OutboxPosition } from './outbox-rows.js';
import { createReportOutbox, type ReportOutbox } from './report-outbox.js';

export type { DoneWhen, OutboxPosition } from './outbox-rows.js';

/**
 * The event log and its outbox: what the uplink drains. `append` returns only after the event is
 * committed (WAL, synchronous=FULL), so an event that was "raised" survives kill -9 and power cuts.
 *
 * When does a row leave the outbox? `doneWhen: 'cloud_ack'` (default): only when the cloud
 * acknowledged it (`ackUpTo`, from anju/v1/<hub>/ack), since a PUBACK only proves that the broker
 * has it. `doneWhen: 'puback'`: on the broker's PUBACK (`markPubacked`). Rows stay in the table
 * after that (history for `resync`), marked.
 *
 * Reports (`report.*`) are committed the same way but into their own table and sequence
 * (`reports`, src/store/report-outbox.ts); `append` routes them there. Everything else here
 * (`next`, `ackUpTo`, `lastSeq`, `since`) is about alarms and events and their gapless seq.
 */
export interface Outbox {
  /** Commits an alarm or event (gapless seq), or a report (report seq: see `reports`). */
  append(draft: EventDraft): StoredEvent;
  /** The report class's own queue. */
  readonly reports: ReportOutbox;
  /** Events still in the outbox after `after` in drain order (class priority, then seq). */
  next(after: OutboxPosition | null, limit: number): StoredEvent[];
  /** Records broker PUBACKs, in one transaction. In puback mode this takes the rows out of the outbox. */
  markPubacked(seqs: readonly number[]): void;
  /** The cloud stored every event up to `seq`: takes them out of the outbox. Returns how many left it. */
  ackUpTo(seq: number): number;
  /** Alarms, events and reports still in the outbox, per class. */
  depth(): Record<EventClass, number>;
  /** ts of the oldest alarm or event (of `cls`, report included) still in the outbox, or null. */
  oldestPendingTs(cls?: EventClass): number | null;
  /** Highest (event) seq ever assigned (0 when none). */
  lastSeq(): number;
  /** The last cloud acknowledgement, kept across restarts. */
  lastCloudAck(): { seq: number; ts: number } | null;
  /**
   * This database's identity: random, made when the database is first opened. seq restarts at 1
   * only with a new database, i.e. a new epoch; the cloud tracks seq per (hub, epoch), and an ack
   * naming another epoch is not applied (it would acknowledge events the cloud never stored).
   */
  epoch(): string;
  /** Every event with seq > `afterSeq`, done or not, oldest first: for the cloud's `resync`. */
  since(afterSeq: number, limit: number): StoredEvent[];
}

/**
 * The events table's prio column: alarm (0) or event (1). A `report.*` row there (committed before
 * reports had their own table) is an event: it keeps its place in the gapless seq.
 */
const eventPrio = (type: string): number => (classOf(type) === 'alarm' ? CLASS_PRIORITY.alarm : CLASS_PRIORITY.event);

/** Where an alarm or event sits in the events table's drain order. */
export const positionOf = (e: StoredEvent): OutboxPosition => ({ prio: eventPrio(e.type), seq: e.seq });

export function createOutbox(db: Db, clock: Clock, opts: { doneWhen?: DoneWhen; newId?: () => string; clockUnsynced?: () => boolean } = {}): Outbox {
  const doneWhen = opts.doneWhen ?? 'cloud_ack';
  const newId = opts.newId ?? randomUUID;
  const open = doneWhen === 'cloud_ack' ? 'acked_ts IS NULL' : 'delivered_ts IS NULL';
  const insert = db.prepare<[string, number, string, string, string | null, string, string, number, number]>(
    'INSERT INTO events (id, ts, type, severity, device, state, data, prio, ts_unsynced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const selectNext = db.prepare<[number, number, number], Row>(
    `SELECT ${COLUMNS} FROM events WHERE ${open} AND (prio, seq) > (?, ?) ORDER BY prio, seq LIMIT ?`,
  );
  const selectSince = db.prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`);
  const puback = db.prepare<[number, number]>('UPDATE events SET delivered_ts = ? WHERE seq = ? AND delivered_ts IS NULL');
  const pubackAll = db.transaction((seqs: readonly number[], now: number) => { for (const s of seqs) puback.run(now, s); });
  const ack = db.prepare<[number, number, number]>('UPDATE events SET acked_ts = ?, delivered_ts = coalesce(delivered_ts, ?) WHERE seq <= ? AND acked_ts IS NULL');
  const counts = db.prepare<[], { prio: number; n: number }>(`SELECT prio, count(*) AS n FROM events WHERE ${open} GROUP BY prio`);
  const oldest = db.prepare<[number], { ts: number }>(`SELECT ts FROM events WHERE ${open} AND prio = ? ORDER BY seq LIMIT 1`);
  const oldestAny = db.prepare<[], { ts: number }>(`SELECT min(ts) AS ts FROM events WHERE ${open}`);
  const maxSeq = db.prepare<[], { seq: number | null }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const ackTx = db.transaction((seq: number, now: number) => {
    const n = ack.run(now, now, seq).changes;
    setMeta.run('cloud_ack', JSON.stringify({ seq, ts: now }));
    return n;
  });

  let epoch = getMeta.get('epoch')?.value;
  if (epoch === undefined) {
    epoch = randomUUID().replace(/-/g, '').slice(0, 16);
    setMeta.run('epoch', epoch);
  }
  const dbEpoch = epoch;
  const reports = createReportOutbox(db, clock, doneWhen);

  const outbox: Outbox = {
    epoch: () => dbEpoch,
    reports,
    append(draft) {
      const id = newId();
      const ts = clock.now();
      const unsynced = opts.clockUnsynced?.() === true;
      if (classOf(draft.type) === 'report') return reports.append(draft, id, ts, unsynced);
      const info = insert.run(id, ts, draft.type, draft.severity, draft.device, draft.state, JSON.stringify(draft.data), eventPrio(draft.type), unsynced ? 1 : 0);
      return { ...draft, id, ts, seq: Number(info.lastInsertRowid), ...(unsynced ? { tsUnsynced: true } : {}) };
    },
    next: (after, limit) => selectNext.all(after?.prio ?? -1, after?.seq ?? 0, limit).map(toEvent),
    markPubacked(seqs) {
      if (seqs.length > 0) pubackAll(seqs, clock.now());
    },
    ackUpTo(seq) {
      const prev = outbox.lastCloudAck()?.seq ?? 0;
      // Never beyond what this hub has assigned: a larger number is someone else's (or a reset
      // database's) and must not silently swallow future events.
      const upTo = Math.min(seq, outbox.lastSeq());
      if (upTo <= prev) return 0;
      return ackTx(upTo, clock.now());
    },
    depth() {
      const d: Record<EventClass, number> = { alarm: 0, event: 0, report: reports.depth() };
      for (const r of counts.all()) d[r.prio === CLASS_PRIORITY.alarm ? 'alarm' : 'event'] += r.n;
      return d;
    },
    oldestPendingTs(cls) {
      if (cls === 'report') return reports.oldestPendingTs();
      const e = (cls ? oldest.get(CLASS_PRIORITY[cls])?.ts : oldestAny.get()?.ts) ?? null;
      if (cls) return e;
      const r = reports.oldestPendingTs();
      return e === null ? r : r === null ? e : Math.min(e, r);
    },
    lastSeq: () => maxSeq.get()?.seq ?? 0,
    lastCloudAck() {
      const row = getMeta.get('cloud_ack');
      return row ? (JSON.parse(row.value) as { seq: number; ts: number }) : null;
    },
    since: (afterSeq, limit) => selectSince.all(afterSeq, limit).map(toEvent),
  };
  return outbox;
}
