import { randomUUID } from 'node:crypto';
import type { BootClock, Clock } from '../core/clock.js';
import { CLASS_PRIORITY, classOf, type EventClass, type EventDraft, type EventState, type PendingEvent, type Severity, type StoredEvent } from '../core/event.js';
import { bootRowId } from './boots.js';
import type { Db } from './database.js';
import type { DoneWhen, OutboxPosition, OutboxRow } from './outbox-types.js';
import { createReportOutbox, type ReportOutbox } from './report-outbox.js';
import { unsyncedTs } from './unsynced-ts.js';

export type { DoneWhen, OutboxPosition, OutboxRow } from './outbox-types.js';

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
  /** Commits an alarm or event (gapless seq), or a report (report seq: see `reports`): `commit(prepare(draft))`. */
  append(draft: EventDraft): StoredEvent;
  /**
   * Stamps a draft as the event it will be (id, ts, the clock's state) without committing it: an
   * event whose commit fails is held with these (src/daemon/ingest.ts), published at once without a
   * seq, and committed later under the same id and ts.
   */
  prepare(draft: EventDraft): PreparedEvent;
  /** Commits a prepared event: only now does it get its seq. */
  commit(event: PreparedEvent): StoredEvent;
  /** The report class's own queue. */
  readonly reports: ReportOutbox;
  /** Events still in the outbox after `after` in drain order (class priority, then seq). */
  next(after: OutboxPosition | null, limit: number): OutboxRow[];
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
  /** The state of the last committed event of `type` (hub.disk_full: raised or cleared), or null when there is none. */
  lastStateOf(type: string): EventState | null;
  /** The last cloud acknowledgement, kept across restarts. */
  lastCloudAck(): { seq: number; ts: number } | null;
  /**
   * This database's identity: random, made when the database is first opened. seq restarts at 1
   * only with a new database, i.e. a new epoch; the cloud tracks seq per (hub, epoch), and an ack
   * naming another epoch is not applied (it would acknowledge events the cloud never stored).
   */
  epoch(): string;
  /** Whether a transaction is open on the connection: an event is never committed inside another's (issue 12, finding 14). */
  inTransaction(): boolean;
  /** The database file, for another connection to it (the drain reader's); null for an in-memory database. */
  readonly file: string | null;
  /** Every event with seq > `afterSeq`, done or not, oldest first: for the cloud's `resync`. */
  since(afterSeq: number, limit: number): OutboxRow[];
  /**
   * Call when the wall clock is known to be synchronised: events and reports of this boot stamped
   * while it was not, and never published that way, get their ts corrected from the monotonic clock
   * (src/core/ts-correction.ts), in one transaction. Returns the event seqs and the report seqs
   * corrected (usually none: then it costs nothing).
   */
  correctUnsyncedTs(): CorrectedTs;
  /**
   * The event is about to be published with its uncorrected ts (ts_unsynced): from now on it is
   * never corrected, so every copy the cloud gets is the same. Call only for `tsUnsynced` events.
   */
  markSentUnsynced(seq: number): void;
}

/** An event stamped but not yet committed (Outbox.prepare): no seq. */
export interface PreparedEvent extends PendingEvent {
  /** The monotonic clock at `ts`, for a later ts correction; null without a boot clock. */
  readonly monoMs: number | null;
}

/** What `correctUnsyncedTs` corrected: event seqs and report seqs (report_seq), each ascending. */
export interface CorrectedTs {
  readonly events: readonly number[];
  readonly reports: readonly number[];
}

const NOTHING_CORRECTED: CorrectedTs = Object.freeze({ events: Object.freeze([]), reports: Object.freeze([]) });

/**
 * The events table's prio column: alarm (0) or event (1). A `report.*` row there (committed before
 * reports had their own table) is an event: it keeps its place in the gapless seq.
 */
const eventPrio = (type: string): number => (classOf(type) === 'alarm' ? CLASS_PRIORITY.alarm : CLASS_PRIORITY.event);

/**
 * A row as better-sqlite3 returns it in raw mode (an array in COLUMNS order): half the cost of a
 * row object, which matters when the uplink drains a backlog of 100k events.
 */
type Row = [
  seq: number, id: string, ts: number, type: string, severity: Severity, device: string | null, state: EventState, data: string, prio: number,
  tsUnsynced: number, tsCorrected: number | null,
];

const COLUMNS = 'seq, id, ts, type, severity, device, state, data, prio, ts_unsynced, ts_corrected';

const toRow = (r: Row): OutboxRow => ({
  seq: r[0], prio: r[8], id: r[1], ts: r[10] ?? r[2], type: r[3], severity: r[4], device: r[5], state: r[6], dataJson: r[7],
  tsUnsynced: r[10] === null && r[9] === 1, tsDevice: r[10] !== null ? r[2] : null,
});

/** Sorted, de-duplicated seqs as inclusive runs of consecutive numbers: [[1,3],[7,7]] for 3,1,2,7. */
export function seqRanges(seqs: readonly number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], s);
    else out.push([s, s]);
  }
  return out;
}

/** Where an alarm or event sits in the events table's drain order. */
export const positionOf = (e: StoredEvent): OutboxPosition => ({ prio: eventPrio(e.type), seq: e.seq });

/** The drain's side of the events table, on one connection (see drainStatements). */
export interface DrainStatements {
  /** Open rows after `after` in drain order (class priority, then seq): Outbox.next. */
  next(after: OutboxPosition | null, limit: number): OutboxRow[];
  /** Records broker PUBACKs of these seq ranges, in one transaction, with the connection's own synchronous setting. */
  markPubacked(ranges: readonly (readonly [number, number])[], now: number): void;
}

/** A page row with its message written by SQLite: [seq, prio, ts_unsynced and not corrected (0/1), message]. */
export type WireRowTuple = [seq: number, prio: number, tsUnsynced: number, message: string];

/**
 * `next` of drainStatements, but each row as its message, written by SQLite from `messageSql` (an
 * SQL expression over the events table's columns: src/uplink/contract.ts wireSql).
 */
export function drainWireStatement(db: Db, doneWhen: DoneWhen, messageSql: string): (after: OutboxPosition | null, limit: number) => WireRowTuple[] {
  return openPages<WireRowTuple>(db, doneWhen, `seq, prio, (ts_corrected IS NULL AND ts_unsynced = 1), ${messageSql}`);
}

/** The open rows after a position in drain order (class priority, then seq), as raw arrays of `columns`. */
function openPages<R extends unknown[]>(db: Db, doneWhen: DoneWhen, columns: string): (after: OutboxPosition | null, limit: number) => R[] {
  const open = doneWhen === 'cloud_ack' ? 'acked_ts IS NULL' : 'delivered_ts IS NULL';
  // Two queries, not one `(prio, seq) > (?, ?)`: SQLite searches that row value by prio only and
  // steps over every open row of the class before `seq` (in cloud_ack mode, every event published
  // but not yet acknowledged: a drain quadratic in the backlog). `prio = ? AND seq > ?` seeks.
  const inClass = db.prepare<[number, number, number], R>(`SELECT ${columns} FROM events WHERE ${open} AND prio = ? AND seq > ? ORDER BY seq LIMIT ?`).raw(true);
  const afterClass = db.prepare<[number, number], R>(`SELECT ${columns} FROM events WHERE ${open} AND prio > ? ORDER BY prio, seq LIMIT ?`).raw(true);
  return (after, limit) => {
    const rows = after ? inClass.all(after.prio, after.seq, limit) : [];
    if (rows.length < limit) rows.push(...afterClass.all(after?.prio ?? -1, limit - rows.length));
    return rows;
  };
}

/**
 * The statements a drain runs, prepared on `db`: the outbox's, on the daemon's connection, and the
 * drain reader's, on its own connection in a worker thread (src/uplink/drain-reader-worker.ts), so
 * both read and record exactly the same way.
 */
export function drainStatements(db: Db, doneWhen: DoneWhen): DrainStatements {
  const page = openPages<Row>(db, doneWhen, COLUMNS);
  const puback = db.prepare<[number, number, number]>('UPDATE events SET delivered_ts = ? WHERE seq BETWEEN ? AND ? AND delivered_ts IS NULL');
  const pubackAll = db.transaction((ranges: readonly (readonly [number, number])[], now: number) => { for (const [a, b] of ranges) puback.run(now, a, b); });
  return {
    next: (after, limit) => page(after, limit).map(toRow),
    markPubacked: (ranges, now) => pubackAll(ranges, now),
  };
}

export interface OutboxOptions {
  doneWhen?: DoneWhen;
  newId?: () => string;
  /** Whether the wall clock is known to be unsynchronised now (src/transports/clock/clock-sync.ts). */
  clockUnsynced?: () => boolean;
  /** Monotonic clock and boot id stored with each event (src/transports/clock/boot-clock.ts); without it no ts can be corrected. */
  bootClock?: BootClock;
}

export function createOutbox(db: Db, clock: Clock, opts: OutboxOptions = {}): Outbox {
  const doneWhen = opts.doneWhen ?? 'cloud_ack';
  const newId = opts.newId ?? randomUUID;
  const open = doneWhen === 'cloud_ack' ? 'acked_ts IS NULL' : 'delivered_ts IS NULL';
  const insert = db.prepare<[string, number, string, string, string | null, string, string, number, number, number | null, number | null]>(
    'INSERT INTO events (id, ts, type, severity, device, state, data, prio, ts_unsynced, boot, mono_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const bootClock = opts.bootClock;
  const boot = bootRowId(db, bootClock?.bootId ?? null);
  const eventsTs = unsyncedTs(db, 'events');
  /** Whether rows of this boot may wait for a correction: checked once at start, then set by append. */
  let mayCorrect = boot !== null;
  const drain = drainStatements(db, doneWhen);
  const selectSince = db.prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true);
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');
  /**
   * Commits `write` without waiting for the disk: only for records whose loss costs a duplicate,
   * never an event. It survives kill -9 (the OS has it), and the next FULL commit (any append)
   * syncs it too. Inside a caller's transaction it is simply part of that transaction.
   */
  const withoutFsync = (write: () => void): void => {
    if (db.inTransaction) {
      write();
      return;
    }
    syncNormal.run();
    try {
      write();
    } finally {
      syncFull.run();
    }
  };
  const ack = db.prepare<[number, number, number]>('UPDATE events SET acked_ts = ?, delivered_ts = coalesce(delivered_ts, ?) WHERE seq <= ? AND acked_ts IS NULL');
  const counts = db.prepare<[], { prio: number; n: number }>(`SELECT prio, count(*) AS n FROM events WHERE ${open} GROUP BY prio`);
  const oldest = db.prepare<[number], { ts: number }>(`SELECT coalesce(ts_corrected, ts) AS ts FROM events WHERE ${open} AND prio = ? ORDER BY seq LIMIT 1`);
  const oldestAny = db.prepare<[], { ts: number }>(`SELECT min(coalesce(ts_corrected, ts)) AS ts FROM events WHERE ${open}`);
  const maxSeq = db.prepare<[], { seq: number | null }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  // Kept in memory too: status() and the heartbeat read it often; only ackUpTo writes it.
  let cloudAck: { seq: number; ts: number } | null | undefined;
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
    file: db.memory ? null : db.name,
    inTransaction: () => db.inTransaction,
    append: (draft) => outbox.commit(outbox.prepare(draft)),
    prepare(draft) {
      const unsynced = opts.clockUnsynced?.() === true;
      return { ...draft, id: newId(), ts: clock.now(), monoMs: bootClock ? bootClock.monoNowMs() : null, ...(unsynced ? { tsUnsynced: true } : {}) };
    },
    commit(p) {
      const { monoMs, ...event } = p;
      const unsynced = p.tsUnsynced === true;
      if (unsynced && boot !== null) mayCorrect = true;
      if (classOf(p.type) === 'report') return reports.append(event, p.id, p.ts, unsynced, boot, monoMs);
      const info = insert.run(p.id, p.ts, p.type, p.severity, p.device, p.state, JSON.stringify(p.data), eventPrio(p.type), unsynced ? 1 : 0, boot, monoMs);
      return { ...event, seq: Number(info.lastInsertRowid) };
    },
    next: drain.next,
    markPubacked(seqs) {
      if (seqs.length === 0) return;
      const ranges = seqRanges(seqs);
      // A PUBACK record lost to a power cut means the event is published again with the same id,
      // never that one is lost.
      withoutFsync(() => drain.markPubacked(ranges, clock.now()));
    },
    ackUpTo(seq) {
      const prev = outbox.lastCloudAck()?.seq ?? 0;
      // Never beyond what this hub has assigned: a larger number is someone else's (or a reset
      // database's) and must not silently swallow future events.
      const upTo = Math.min(seq, outbox.lastSeq());
      if (upTo <= prev) return 0;
      const now = clock.now();
      const n = ackTx(upTo, now);
      cloudAck = { seq: upTo, ts: now };
      return n;
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
    // No index on type: a walk back from the newest row, done once at start.
    lastStateOf: (type) => db.prepare<[string], { state: EventState }>('SELECT state FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1').get(type)?.state ?? null,
    lastCloudAck() {
      if (cloudAck === undefined) {
        const row = getMeta.get('cloud_ack');
        cloudAck = row ? (JSON.parse(row.value) as { seq: number; ts: number }) : null;
      }
      return cloudAck === null ? null : { ...cloudAck };
    },
    since: (afterSeq, limit) => selectSince.all(afterSeq, limit).map(toRow),
    correctUnsyncedTs() {
      if (!mayCorrect || boot === null || !bootClock) return NOTHING_CORRECTED;
      const wallNowMs = clock.now();
      const monoNowMs = bootClock.monoNowMs();
      const done = db.transaction((b: number): CorrectedTs => ({
        events: eventsTs.correct(b, wallNowMs, monoNowMs),
        reports: reports.correctUnsyncedTs(b, wallNowMs, monoNowMs),
      }))(boot);
      mayCorrect = false; // what is left cannot be corrected; a new unsynced append sets it again
      return done;
    },
    markSentUnsynced(seq) {
      // Lost to a power cut, the record only allows a corrected copy after a marked one: both honest.
      withoutFsync(() => eventsTs.markSent(seq));
    },
  };
  return outbox;
}
