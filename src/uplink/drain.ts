import type { Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/event.js';
import { positionOf as eventPosition, type DoneWhen, type Outbox, type OutboxPosition, type OutboxRow } from '../store/outbox.js';

/** What a drainer needs of a queue: the events outbox, or the reports' (src/store/report-outbox.ts). */
export type DrainQueue = Pick<Outbox, 'next' | 'markPubacked' | 'ackUpTo'>;

/**
 * Reads pages and records PUBACKs on another thread (drain-reader.ts): the events drainer's, for a
 * backlog. Pages come as T (rows already written as messages); records are done when `done` runs.
 */
export interface OffThreadReader<T> {
  page(after: OutboxPosition, limit: number, cb: (rows: T[]) => void): void;
  /** `done` once recorded, with the error when they could not be (then they are recorded again later). */
  markPubacked(seqs: readonly number[], done: (err?: unknown) => void): void;
}

/**
 * Drains the outbox in class order (alarms first), oldest first within a class, with at most
 * `window` publishes awaiting a PUBACK. No MQTT in here: `publish` is injected, so the delivery
 * rules are tested without a broker.
 *
 * - A publish refused by the broker, or unacknowledged after `retryMs`, is sent again.
 * - cloud_ack mode: a PUBACKed event stays outstanding until the cloud acknowledges its seq; after
 *   `ackTimeoutMs` without that it is sent again (the broker may have lost it).
 * - puback mode: PUBACKs are written to the store in batches (one transaction, without fsync, for
 *   up to PUBACK_BATCH events); a crash before the batch is written only means duplicates after
 *   restart.
 * Resends carry the same id: the cloud deduplicates.
 * The uplink runs one drainer for alarms and events and one for reports, each with its own
 * sequence (`seq` of what it drains), window and marks.
 */
export interface Drainer {
  drain(): void;
  onPuback(seq: number, err?: Error): void;
  onCloudAck(seq: number): number;
  /** A new event was committed: rewinds the cursor if it sorts before it (an alarm jumps the queue). */
  onNewEvent(e: StoredEvent): void;
  /** Forgets stale outstanding publishes so they are sent again, and rewinds. Call every few seconds. */
  sweep(): void;
  /** Writes batched PUBACKs (puback mode). */
  flush(): void;
  /** Rows changed in the store (ts corrected): forget what was read ahead and read it again. */
  reread(): void;
  /** Publishes awaiting their PUBACK (stats().inFlight, without building the stats). */
  inFlight(): number;
  stats(): DrainStats;
}

export interface DrainStats {
  inFlight: number;
  awaitingCloudAck: number;
  published: number;
  resent: number;
  pubacked: number;
  refused: number;
}

export interface DrainerDeps<T extends OutboxPosition = OutboxRow> {
  outbox: DrainQueue;
  /** Optional: pages of a backlog read, and PUBACKs recorded, on another thread. */
  reader?: OffThreadReader<T> | null;
  /** Drain-order position of a new event of this queue (onNewEvent); default: the events table's (class, then seq). */
  position?: (e: StoredEvent) => OutboxPosition;
  /** Measures how long a publish has waited (retryMs, ackTimeoutMs): the uplink gives it the monotonic clock. */
  clock: Clock;
  /** A row from the outbox (OutboxRow) or from the reader (T). */
  publish: (e: OutboxRow | T, done: (err?: Error) => void) => void;
  canPublish: () => boolean;
  window: number;
  doneWhen: DoneWhen;
  retryMs: number;
  ackTimeoutMs: number;
}

interface Outstanding { sentAt: number; pubacked: boolean }

const before = (a: OutboxPosition, b: OutboxPosition) => a.prio < b.prio || (a.prio === b.prio && a.seq < b.seq);
/**
 * PUBACKs recorded per transaction at most (the uplink's 250 ms timer writes smaller batches). A
 * record rewrites the row's page and its index page in the WAL: in batches of 64 a 100k backlog
 * wrote ~4x the pages of batches of 1024 (every rewritten page again at the next checkpoint, with
 * its fsyncs). Cost in puback mode: after kill -9, up to this many (or 250 ms of) PUBACKed events
 * are published again, with the same id and seq. In cloud_ack mode a PUBACK decides nothing.
 */
const PUBACK_BATCH = 1024;
/** Rows per page read here. */
const PREFETCH = 256;
/**
 * Rows per page the reader reads on its thread: larger, because every message to and from that
 * thread costs the daemon's thread ~0.1 ms in a drain (waking a thread on a busy CPU), and a page
 * ahead is thrown away only when something rewinds the drain (an alarm, an ack, a sweep).
 */
const READER_PAGE = 1024;

export function createDrainer<T extends OutboxPosition = OutboxRow>(d: DrainerDeps<T>): Drainer {
  const positionOf = d.position ?? eventPosition;
  const outstanding = new Map<number, Outstanding>();
  // Highest seq published per class by this process, to count resends: within a class the cursor
  // only moves forward between rewinds, so a seq at or below the mark was published before (a Set
  // of every seq ever sent grew by one number per event, forever).
  const sentUpTo: number[] = [];
  let inFlight = 0;
  let cursor: OutboxPosition | null = null;
  /** Rows read after `cursor`'s page start, and how far into them we are. */
  let ahead: (OutboxRow | T)[] = [];
  let aheadAt = 0;
  /**
   * The page after `ahead`, asked of the reader when `ahead` was read (`rows` once it came). Used
   * only if the cursor is still where it was asked for (a rewind or a new event drops it);
   * otherwise the page is read here, as without a reader.
   */
  let prefetch: { after: OutboxPosition; rows: T[] | null } | null = null;
  const rewind = (to: OutboxPosition | null): void => {
    cursor = to;
    ahead = [];
    aheadAt = 0;
    prefetch = null;
  };
  const readPage = (): void => {
    const p = prefetch;
    prefetch = null;
    const fromReader = p?.rows && cursor && p.after.prio === cursor.prio && p.after.seq === cursor.seq;
    ahead = fromReader ? p.rows! : d.outbox.next(cursor, PREFETCH);
    aheadAt = 0;
    // A full page: a backlog, more behind it. The reader reads the next while this one is published.
    if (d.reader && ahead.length === (fromReader ? READER_PAGE : PREFETCH)) {
      const last = ahead[ahead.length - 1]!;
      const req: { after: OutboxPosition; rows: T[] | null } = { after: { prio: last.prio, seq: last.seq }, rows: null };
      prefetch = req;
      d.reader.page(req.after, READER_PAGE, (rows) => { req.rows = rows; });
    }
  };
  let pubackBatch: number[] = [];
  let flushQueued = false;
  const st = { published: 0, resent: 0, pubacked: 0, refused: 0 };

  /**
   * Recorded: in puback mode the rows are done, so they need not be kept from a second publish any
   * more. Not recorded (a full disk): the batch goes back in line for the next flush, and the rows
   * stay outstanding meanwhile, so they are not published again for nothing.
   */
  const recorded = (batch: number[], err?: unknown): void => {
    if (err !== undefined) {
      pubackBatch = batch.concat(pubackBatch);
      return;
    }
    if (d.doneWhen === 'puback') for (const seq of batch) outstanding.delete(seq);
  };
  const flush = (): void => {
    if (pubackBatch.length === 0) return;
    const batch = pubackBatch;
    pubackBatch = [];
    if (d.reader) {
      d.reader.markPubacked(batch, (err) => recorded(batch, err));
      return;
    }
    try {
      d.outbox.markPubacked(batch);
    } catch (err) {
      recorded(batch, err); // the store records the failure (src/store/guarded.ts)
      return;
    }
    recorded(batch);
  };

  const fill = (): void => {
    while (d.canPublish() && inFlight < d.window) {
      if (aheadAt >= ahead.length) {
        // Read ahead in pages: one query per page, not one per acknowledgement. A read that fails
        // (an I/O error) ends this round; the next drain or sweep reads again.
        try {
          readPage();
        } catch {
          rewind(cursor);
          return;
        }
        if (ahead.length === 0) return;
      }
      const e = ahead[aheadAt++]!;
      cursor = e; // a row is its own position
      if (outstanding.has(e.seq)) continue;
      outstanding.set(e.seq, { sentAt: d.clock.now(), pubacked: false });
      inFlight++;
      st.published++;
      if (e.seq <= (sentUpTo[e.prio] ?? 0)) st.resent++;
      else sentUpTo[e.prio] = e.seq;
      d.publish(e, (err) => drainer.onPuback(e.seq, err));
    }
  };

  const drainer: Drainer = {
    drain() {
      fill();
      // Written once this turn's publishes are on the wire (they go out on the next tick): the
      // broker works on a full window while the batch is written.
      if (pubackBatch.length >= PUBACK_BATCH && !flushQueued) {
        flushQueued = true;
        setImmediate(() => {
          flushQueued = false;
          flush();
        });
      }
    },

    onPuback(seq, err) {
      const o = outstanding.get(seq);
      if (!o || o.pubacked) return; // a late PUBACK of a publish we already gave up on
      inFlight--;
      if (err) {
        st.refused++;
        outstanding.delete(seq); // the next sweep sends it again
        return;
      }
      st.pubacked++;
      o.pubacked = true;
      pubackBatch.push(seq);
      drainer.drain();
    },

    onCloudAck(seq) {
      const n = d.outbox.ackUpTo(seq);
      if (n > 0) rewind(cursor); // rows read ahead may be done now: read again
      for (const [s, o] of outstanding) if (s <= seq && o.pubacked) outstanding.delete(s);
      return n;
    },

    onNewEvent(e) {
      const p = positionOf(e);
      // The page the reader reads may already be past it (its end is not known here): read here.
      prefetch = null;
      if (cursor && before(p, cursor)) rewind({ prio: p.prio, seq: p.seq - 1 });
      // The page read ahead does not have it: it ran dry, or it goes on past the new row (an alarm
      // committed while the page's events wait behind the alarms already sent). Read again from here.
      else if (aheadAt >= ahead.length || before(p, ahead[ahead.length - 1]!)) rewind(cursor);
      drainer.drain();
    },

    sweep() {
      flush();
      const now = d.clock.now();
      for (const [seq, o] of outstanding) {
        const stale = o.pubacked ? d.doneWhen === 'cloud_ack' && now - o.sentAt > d.ackTimeoutMs : now - o.sentAt > d.retryMs;
        if (!stale) continue;
        if (!o.pubacked) inFlight--;
        outstanding.delete(seq);
      }
      rewind(null);
      drainer.drain();
    },

    flush,

    reread: () => rewind(cursor),

    inFlight: () => inFlight,

    stats: () => ({ inFlight, awaitingCloudAck: outstanding.size - inFlight, ...st }),
  };
  return drainer;
}
