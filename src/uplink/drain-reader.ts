import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { seqRanges } from '../store/outbox.js';
import type { OutboxPosition } from '../store/outbox-types.js';
import type { ReaderSetup } from './drain-reader-worker.js';

/**
 * A row the drain reader read and wrote as its message on its own thread: all the daemon's thread
 * still does with it is publish `payload` (and record `tsUnsynced` rows as sent marked first).
 */
export interface WrittenRow extends OutboxPosition {
  readonly payload: string;
  readonly tsUnsynced: boolean;
}

/**
 * The drain of a backlog, half of it on a second thread. Publishing is bound to the daemon's
 * thread (the MQTT client); reading the next page of rows, writing them as messages and recording
 * PUBACKs are not (~3.5 us of the ~24 us per event a drain costs the daemon's thread in issue 3's
 * drain bench). The drainer (drain.ts) asks for the page after the one it publishes, and hands PUBACK
 * records over; it falls back to the outbox on its own thread whenever a page is not there in
 * time, so the reader only ever makes a drain faster.
 *
 * The thread starts with the first page asked for (a full page: a backlog) and ends after
 * `idleMs` (10 s) without requests, so a home with no backlog never runs it: the thread costs ~21 MB
 * of RSS while it runs (a Node isolate, its SQLite connection), and a few MB stay with glibc after.
 * If it fails, the records it held are written on the daemon's thread and it starts again with
 * the next backlog.
 */
export interface DrainReader {
  /** Asks for the open rows after `after`. `cb` gets them if the thread could read them; maybe never. */
  page(after: OutboxPosition, limit: number, cb: (rows: WrittenRow[]) => void): void;
  /** Records PUBACKs; `done` once they are committed (on the thread, or here if it is not running), with the error if they could not be. */
  markPubacked(seqs: readonly number[], done: (err?: unknown) => void): void;
  /** Whether the thread is running (for status and tests). */
  running(): boolean;
  /** Ends the thread once it has committed the records it holds (within `timeoutMs`, else here). */
  close(timeoutMs?: number): Promise<void>;
}

export type ReaderRequest =
  | { op: 'page'; id: number; after: OutboxPosition; limit: number }
  | { op: 'mark'; id: number; ranges: [number, number][]; now: number }
  | { op: 'close'; id: number };

export type ReaderReply =
  | { op: 'page'; id: number; seqs: number[]; prios: number[]; payloads: string[]; unsynced: number[] }
  | { op: 'marked'; id: number }
  | { op: 'failed'; id: number; message: string };

export interface DrainReaderDeps extends ReaderSetup {
  /** Records PUBACKs on the daemon's thread: Outbox.markPubacked. */
  markHere: (seqs: readonly number[]) => void;
  now: () => number;
  log: Logger;
  idleMs?: number;
}

const WORKER_URL = new URL('./drain-reader-worker.js', import.meta.url);

/** null where the worker's build is not there (running from the TypeScript sources, in tests): the drain then runs on one thread. */
export function createDrainReader(d: DrainReaderDeps): DrainReader | null {
  if (!existsSync(fileURLToPath(WORKER_URL))) return null;
  const setup: ReaderSetup = { file: d.file, hubId: d.hubId, epoch: d.epoch, doneWhen: d.doneWhen };
  const idleMs = d.idleMs ?? 10_000;
  let worker: Worker | null = null;
  let nextId = 1;
  const pages = new Map<number, (rows: WrittenRow[]) => void>();
  const marks = new Map<number, { seqs: readonly number[]; done: (err?: unknown) => void }>();
  let idleTimer: NodeJS.Timeout | null = null;

  /** The thread is gone: what it held is recorded here; pages asked for are simply not coming. */
  const lost = (w: Worker): void => {
    if (worker !== w) return;
    worker = null;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    pages.clear();
    const held = [...marks.values()];
    marks.clear();
    for (const m of held) markHereAndDone(m);
  };
  const markHereAndDone = (m: { seqs: readonly number[]; done: (err?: unknown) => void }): void => {
    try {
      d.markHere(m.seqs);
    } catch (err) {
      // A full disk (the drainer keeps them for its next flush), or the database is closed (the
      // thread ended after the daemon's shutdown): the rows are published again after the restart,
      // with the same ids.
      d.log.warn({ err: (err as Error).message, records: m.seqs.length }, 'PUBACK records not written; kept for the next try (after a restart: those events are sent again)');
      m.done(err);
      return;
    }
    m.done();
  };

  const onReply = (w: Worker, r: ReaderReply): void => {
    if (r.op === 'page') {
      const cb = pages.get(r.id);
      pages.delete(r.id);
      if (!cb) return;
      const rows: WrittenRow[] = new Array<WrittenRow>(r.seqs.length);
      let u = 0;
      for (let i = 0; i < rows.length; i++) {
        const tsUnsynced = r.unsynced[u] === i;
        if (tsUnsynced) u++;
        rows[i] = { seq: r.seqs[i]!, prio: r.prios[i]!, payload: r.payloads[i]!, tsUnsynced };
      }
      cb(rows);
    } else if (r.op === 'marked') {
      const m = marks.get(r.id);
      marks.delete(r.id);
      m?.done();
    } else {
      d.log.warn({ err: r.message }, 'the drain reader failed a request; the drain goes on on the main thread');
      pages.delete(r.id);
      const m = marks.get(r.id);
      marks.delete(r.id);
      if (m) markHereAndDone(m);
      void w.terminate();
    }
  };

  const touch = (w: Worker): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (worker === w && pages.size === 0 && marks.size === 0) void reader.close();
      else if (worker === w) touch(w);
    }, idleMs);
    idleTimer.unref();
  };

  const start = (): Worker => {
    const w = new Worker(WORKER_URL, { workerData: setup });
    w.unref(); // never what keeps the daemon alive
    w.on('message', (r: ReaderReply) => onReply(w, r));
    w.on('error', (err) => {
      d.log.warn({ err: err.message }, 'the drain reader thread failed; the drain goes on on the main thread');
      lost(w);
    });
    w.on('exit', () => lost(w));
    worker = w;
    return w;
  };

  const send = (w: Worker, m: ReaderRequest): void => {
    touch(w);
    w.postMessage(m);
  };

  const reader: DrainReader = {
    page(after, limit, cb) {
      const w = worker ?? start();
      const id = nextId++;
      pages.set(id, cb);
      send(w, { op: 'page', id, after: { prio: after.prio, seq: after.seq }, limit });
    },
    markPubacked(seqs, done) {
      if (seqs.length === 0) {
        done();
        return;
      }
      const w = worker;
      if (!w) {
        markHereAndDone({ seqs, done });
        return;
      }
      const id = nextId++;
      marks.set(id, { seqs, done });
      send(w, { op: 'mark', id, ranges: seqRanges(seqs), now: d.now() });
    },
    running: () => worker !== null,
    async close(timeoutMs = 2000) {
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.postMessage({ op: 'close', id: nextId++ } satisfies ReaderRequest); // after the records it holds
      const timer = setTimeout(() => void w.terminate(), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return reader;
}
