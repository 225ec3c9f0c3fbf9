import { statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { ErrorCodes } from '../core/errors.js';
import type { SpaceReserve } from './space-reserve.js';
import { classifyStoreError, STORE_ERROR_KINDS, storeErrorCode, type StoreErrorKind } from './store-errors.js';

/**
 * The store's health, owned by the daemon (issue 12): one place that runs store writes made from
 * timers and event handlers, classifies their failures (src/store/store-errors.ts), releases the
 * space reserve on SQLITE_FULL and tries once more, and keeps one state for status(), the heartbeat,
 * get-status and `anjuctl status`:
 * - `disk_full`: the state directory's file system is (nearly) full: a write failed with
 *   SQLITE_FULL and none succeeded since, or free space is below the low-water mark (the reserve's
 *   size, at least 1 MiB; back above twice that to clear), or the reserve is gone (released, or no
 *   room to make it). The daemon raises and clears `hub.disk_full` on it.
 * - `store_error`: the last write failed otherwise (I/O error, read-only, corrupt, locked) and none
 *   succeeded since.
 * - `ok`.
 * A failing write never throws at a timer or handler through `attempt`; `run` rethrows after
 * recording, for callers that keep the work (the held events in src/daemon/ingest.ts).
 */
export type StorageState = 'ok' | 'disk_full' | 'store_error';

export interface StorageStatus {
  state: StorageState;
  /** When the current state began (ms), null while `ok` since start. */
  since: number | null;
  /** Free bytes on the state directory's file system at the last check (f_bavail), null before one. */
  freeBytes: number | null;
  totalBytes: number | null;
  /** Below this free space the disk counts as full (hysteresis: clear at twice it). */
  lowWaterBytes: number;
  reserve: { bytes: number; present: boolean; releases: number };
  /** Failed store writes since start, by kind. */
  failures: Record<StoreErrorKind, number>;
  lastError: { code: string | null; kind: StoreErrorKind; where: string; ts: number; message: string } | null;
  /** When a store write last succeeded (ms), null before one: the health gate's "store committing" (issue 13). */
  lastCommitTs: number | null;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; kind: StoreErrorKind; err: unknown };

export interface StorageHealth {
  /** Runs a store write (a whole transaction, never inside another); on SQLITE_FULL releases the reserve and runs it once more. Records the outcome; rethrows the last error. */
  run<T>(where: string, fn: () => T): T;
  /** The same, never throwing: the error comes back as a value. */
  attempt<T>(where: string, fn: () => T): Attempt<T>;
  /** Records a store failure seen elsewhere (the drain reader's thread). */
  failed(where: string, err: unknown): StoreErrorKind;
  /** Looks at the file system: free space, the reserve (re-created when there is room). Every few seconds. */
  checkDisk(): void;
  state(): StorageState;
  diskFull(): boolean;
  status(): StorageStatus;
}

export interface DiskSpace { freeBytes: number; totalBytes: number }

/** Free and total bytes of the file system holding `dir` (statfs: f_bavail, f_blocks, f_bsize). */
export function diskSpace(dir: string): DiskSpace {
  const s = statfsSync(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

const MIN_LOW_WATER = 1024 * 1024;

export interface StorageHealthDeps {
  dir: string;
  reserve: SpaceReserve;
  clock: Clock;
  log: Logger;
  /** The file system's space: statfs by default; unit tests pass their own. */
  space?: (dir: string) => DiskSpace;
  /** Whether a transaction is open: a write inside one is never retried alone. */
  inTransaction?: () => boolean;
  /** The state or the disk-full flag changed. */
  onChange?: (status: StorageStatus) => void;
  /** The reserve was just released for a write: time to make room (evict, checkpoint). */
  onReleased?: () => void;
}

export function createStorageHealth(d: StorageHealthDeps): StorageHealth {
  const space = d.space ?? diskSpace;
  const lowWaterBytes = Math.max(d.reserve.bytes, MIN_LOW_WATER);
  const failures = Object.fromEntries(STORE_ERROR_KINDS.map((k) => [k, 0])) as Record<StoreErrorKind, number>;
  let lastError: StorageStatus['lastError'] = null;
  /** Kind of the last failure, while no write succeeded after it. */
  let failing: StoreErrorKind | null = null;
  let sample: DiskSpace | null = null;
  let low = false;
  let state: StorageState = 'ok';
  let full = false;
  let since: number | null = null;
  /** Places that already logged an error in this episode (later failures there: debug only). */
  const logged = new Set<string>();

  const evaluate = (): void => {
    const nextFull = failing === 'full' || low || !d.reserve.present();
    const next: StorageState = nextFull ? 'disk_full' : failing !== null ? 'store_error' : 'ok';
    if (next === state && nextFull === full) return;
    const prev = state;
    state = next;
    full = nextFull;
    if (next !== prev) since = d.clock.now();
    if (next === 'ok') {
      logged.clear();
      d.log.info({ storage: health.status() }, 'store writable again');
    } else {
      d.log.warn({ storage: health.status() }, `storage state: ${next}`);
    }
    d.onChange?.(health.status());
  };

  const record = (where: string, err: unknown): StoreErrorKind => {
    const kind = classifyStoreError(err);
    failures[kind]++;
    const message = err instanceof Error ? err.message : String(err);
    lastError = { code: storeErrorCode(err), kind, where, ts: d.clock.now(), message };
    failing = kind;
    if (!logged.has(where)) {
      logged.add(where);
      d.log.error({ code: ErrorCodes.STORE_WRITE, kind, where, err }, `store write failed (${where}, ${kind})`);
    } else {
      d.log.debug({ code: ErrorCodes.STORE_WRITE, kind, where, err: message }, 'store write failed again');
    }
    return kind;
  };

  let lastCommitTs: number | null = null;
  const succeeded = (): void => {
    lastCommitTs = d.clock.now();
    if (failing === null) return;
    failing = null;
    evaluate();
  };

  const health: StorageHealth = {
    run(where, fn) {
      try {
        const v = fn();
        succeeded();
        return v;
      } catch (err) {
        const kind = record(where, err);
        if (kind !== 'full' || d.inTransaction?.() === true) {
          evaluate();
          throw err;
        }
        const freed = d.reserve.release();
        if (freed === 0) {
          evaluate();
          throw err;
        }
        d.log.warn({ where, freedBytes: freed, file: d.reserve.file }, 'disk full: released the space reserve; writing again');
        d.onReleased?.();
        try {
          const v = fn();
          lastCommitTs = d.clock.now();
          failing = null;
          evaluate(); // the reserve is gone: still disk_full, until there is room to make it again
          return v;
        } catch (again) {
          record(where, again);
          evaluate();
          throw again;
        }
      }
    },
    attempt(where, fn) {
      try {
        return { ok: true, value: health.run(where, fn) };
      } catch (err) {
        return { ok: false, kind: classifyStoreError(err), err };
      }
    },
    failed(where, err) {
      const kind = record(where, err);
      evaluate();
      return kind;
    },
    checkDisk() {
      try {
        sample = space(d.dir);
      } catch (err) {
        record('statfs', err);
        evaluate();
        return;
      }
      if (!d.reserve.present() && d.reserve.ensure(sample.freeBytes)) {
        // Made just now: the file system has that much less.
        try { sample = space(d.dir); } catch { /* keep the first sample */ }
      }
      if (sample.freeBytes < lowWaterBytes) low = true;
      else if (sample.freeBytes >= 2 * lowWaterBytes) low = false;
      evaluate();
    },
    state: () => state,
    diskFull: () => full,
    status: () => ({
      state, since, freeBytes: sample?.freeBytes ?? null, totalBytes: sample?.totalBytes ?? null, lowWaterBytes,
      reserve: { bytes: d.reserve.bytes, present: d.reserve.present(), releases: d.reserve.releases() },
      failures: { ...failures }, lastError: lastError && { ...lastError }, lastCommitTs,
    }),
  };
  return health;
}
