import type { Clock } from '../core/clock.js';
import { CLASS_PRIORITY, type EventDraft, type StoredEvent } from '../core/event.js';
import type { Db } from './database.js';
import type { EventState, Severity } from '../core/event.js';
import type { DoneWhen, OutboxPosition, OutboxRow } from './outbox-types.js';
import { unsyncedTs } from './unsynced-ts.js';

/** A reports row. */
interface ReportRow {
  seq: number;
  id: string;
  ts: number;
  type: string;
  severity: Severity;
  device: string | null;
  state: EventState;
  data: string;
  ts_unsynced: number;
  ts_corrected: number | null;
}

const COLUMNS = 'seq, id, ts, type, severity, device, state, data, ts_unsynced, ts_corrected';

/** A corrected report carries the corrected ts and the stamped one as tsDevice, as events do (outbox.ts). */
const toRow = (r: ReportRow): OutboxRow => ({
  seq: r.seq, prio: CLASS_PRIORITY.report, id: r.id, ts: r.ts_corrected ?? r.ts, type: r.type, severity: r.severity, device: r.device, state: r.state,
  dataJson: r.data, tsUnsynced: r.ts_corrected === null && r.ts_unsynced === 1, tsDevice: r.ts_corrected !== null ? r.ts : null,
});

/**
 * The report class (issue 3): nightly reports such as `report.sleep`, in their own table with their
 * own sequence (the `reports.seq` AUTOINCREMENT: consecutive at creation, never reused), separate
 * from the gapless event `seq`. Committed at once, like an alarm: a report sums up a whole night and
 * cannot be made again. Drained after alarms and events (the uplink's second drainer), done on the
 * cloud's `report_seq` ack (or the PUBACK in puback mode), kept as history afterwards.
 *
 * Under the disk quota reports go after readings (src/store/quota.ts). A report evicted before the
 * cloud had it leaves a hole in the report sequence: the hole is recorded in `report_gaps` and sent
 * with the next report (`gapBefore`), the way telemetry reports its gaps, so a hole without a `gap`
 * still means the broker lost something.
 */
export interface ReportOutbox {
  /**
   * Commits a report; `seq` of the result is the report sequence. `boot` (the boots table's id) and
   * `monoMs` (the monotonic clock at `ts`) let a ts stamped `unsynced` be corrected later.
   */
  append(draft: EventDraft, id: string, ts: number, unsynced: boolean, boot?: number | null, monoMs?: number | null): StoredEvent;
  /** Reports still in the outbox after `after`, by report seq (`prio` is always the report class's). */
  next(after: OutboxPosition | null, limit: number): OutboxRow[];
  markPubacked(seqs: readonly number[]): void;
  /** The cloud stored every report up to `seq` (or knows it lost, see `gapBefore`). Returns how many left. */
  ackUpTo(seq: number): number;
  depth(): number;
  oldestPendingTs(): number | null;
  /** Highest report seq ever assigned (0 when none). */
  lastSeq(): number;
  lastCloudAck(): { seq: number; ts: number } | null;
  /**
   * Report seqs below `seq`, after the previous report the hub still has, that were evicted before
   * the cloud acknowledged them: lost for good. null when there are none.
   */
  gapBefore(seq: number): { from: number; to: number } | null;
  /**
   * Every report with report seq > `afterSeq` the hub still has, done or not, oldest first, at most
   * `limit`: for the cloud's `resync` (`since_report_seq`). Eviction under the quota may have left holes.
   */
  since(afterSeq: number, limit: number): OutboxRow[];
  /**
   * The most recent reports of `type` the hub still has (of `device` when given), newest first, at
   * most `limit`: for `anjuctl report night` (the night and its 30-night trend). Delivered ones too.
   */
  latest(type: string, device: string | null, limit: number): OutboxRow[];
  /**
   * Reports of `boot` stamped while the clock was unsynchronised, never published that way, get
   * their ts corrected (src/store/unsynced-ts.ts). Returns the report seqs corrected. Called by
   * `Outbox.correctUnsyncedTs`, inside its transaction.
   */
  correctUnsyncedTs(boot: number, wallNowMs: number, monoNowMs: number): number[];
  /**
   * The report is about to be published with its uncorrected ts (ts_unsynced): it is never
   * corrected from now on, so every copy the cloud gets is the same. Call only for `tsUnsynced` rows.
   * Committed with fsync: reports are few, so unlike events this record survives a power cut too.
   */
  markSentUnsynced(seq: number): void;
}


export function createReportOutbox(db: Db, clock: Clock, doneWhen: DoneWhen): ReportOutbox {
  const open = doneWhen === 'cloud_ack' ? 'acked_ts IS NULL' : 'delivered_ts IS NULL';
  const insert = db.prepare<[string, number, string, string, string | null, string, string, number, number | null, number | null]>(
    'INSERT INTO reports (id, ts, type, severity, device, state, data, ts_unsynced, boot, mono_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const selectSince = db.prepare<[number, number], ReportRow>(`SELECT ${COLUMNS} FROM reports WHERE seq > ? ORDER BY seq LIMIT ?`);
  const selectLatest = db.prepare<[string, string | null, string | null, number], ReportRow>(
    `SELECT ${COLUMNS} FROM reports WHERE type = ? AND (? IS NULL OR device = ?) ORDER BY seq DESC LIMIT ?`,
  );
  const stamps = unsyncedTs(db, 'reports');
  const selectNext = db.prepare<[number, number], ReportRow>(`SELECT ${COLUMNS} FROM reports WHERE ${open} AND seq > ? ORDER BY seq LIMIT ?`);
  const puback = db.prepare<[number, number]>('UPDATE reports SET delivered_ts = ? WHERE seq = ? AND delivered_ts IS NULL');
  const pubackAll = db.transaction((seqs: readonly number[], now: number) => { for (const s of seqs) puback.run(now, s); });
  const ack = db.prepare<[number, number, number]>('UPDATE reports SET acked_ts = ?, delivered_ts = coalesce(delivered_ts, ?) WHERE seq <= ? AND acked_ts IS NULL');
  const dropGaps = db.prepare<[number]>('DELETE FROM report_gaps WHERE to_seq <= ?');
  const count = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM reports WHERE ${open}`);
  const oldest = db.prepare<[], { ts: number }>(`SELECT coalesce(ts_corrected, ts) AS ts FROM reports WHERE ${open} ORDER BY seq LIMIT 1`);
  const maxSeq = db.prepare<[], { seq: number | null }>("SELECT seq FROM sqlite_sequence WHERE name = 'reports'");
  const prevRow = db.prepare<[number], { seq: number | null }>('SELECT max(seq) AS seq FROM reports WHERE seq < ?');
  const gapsBetween = db.prepare<[number, number], { from: number | null; to: number | null }>(
    'SELECT min(from_seq) AS "from", max(to_seq) AS "to" FROM report_gaps WHERE from_seq > ? AND to_seq < ?',
  );
  const getMeta = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'report_cloud_ack'");
  const setMeta = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('report_cloud_ack', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const ackTx = db.transaction((seq: number, now: number) => {
    const n = ack.run(now, now, seq).changes;
    dropGaps.run(seq); // the cloud counted them: nothing left to tell
    setMeta.run(JSON.stringify({ seq, ts: now }));
    return n;
  });
  // Kept in memory too, as the events' is: status() and the heartbeat read it often, and a read of
  // the meta table in the middle of a drain costs a WAL lookup each time. Only ackUpTo writes it.
  let cloudAck: { seq: number; ts: number } | null | undefined;

  const reports: ReportOutbox = {
    append(draft, id, ts, unsynced, boot = null, monoMs = null) {
      const info = insert.run(id, ts, draft.type, draft.severity, draft.device, draft.state, JSON.stringify(draft.data), unsynced ? 1 : 0, boot, monoMs);
      return { ...draft, id, ts, seq: Number(info.lastInsertRowid), ...(unsynced ? { tsUnsynced: true } : {}) };
    },
    next: (after, limit) => selectNext.all(after?.seq ?? 0, limit).map(toRow),
    markPubacked(seqs) {
      if (seqs.length > 0) pubackAll(seqs, clock.now());
    },
    ackUpTo(seq) {
      const prev = reports.lastCloudAck()?.seq ?? 0;
      const upTo = Math.min(seq, reports.lastSeq()); // never beyond what this hub assigned
      if (upTo <= prev) return 0;
      const now = clock.now();
      const n = ackTx(upTo, now);
      cloudAck = { seq: upTo, ts: now };
      return n;
    },
    depth: () => count.get()!.n,
    oldestPendingTs: () => oldest.get()?.ts ?? null,
    lastSeq: () => maxSeq.get()?.seq ?? 0,
    lastCloudAck() {
      if (cloudAck === undefined) {
        const row = getMeta.get();
        cloudAck = row ? (JSON.parse(row.value) as { seq: number; ts: number }) : null;
      }
      return cloudAck === null ? null : { ...cloudAck };
    },
    gapBefore(seq) {
      const g = gapsBetween.get(prevRow.get(seq)?.seq ?? 0, seq);
      return g && g.from !== null && g.to !== null ? { from: g.from, to: g.to } : null;
    },
    since: (afterSeq, limit) => selectSince.all(afterSeq, limit).map(toRow),
    latest: (type, device, limit) => selectLatest.all(type, device, device, limit).map(toRow),
    correctUnsyncedTs: (boot, wallNowMs, monoNowMs) => stamps.correct(boot, wallNowMs, monoNowMs),
    markSentUnsynced: (seq) => stamps.markSent(seq),
  };
  return reports;
}
