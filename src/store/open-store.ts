import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { AnjuError, ErrorCodes } from '../core/errors.js';
import { connect, DB_FILE, migrate, type Db, type SchemaState } from './database.js';
import type { DoneWhen } from './outbox-types.js';
import type { SpaceReserve } from './space-reserve.js';
import { classifyStoreError, storeErrorCode, type StoreErrorKind } from './store-errors.js';
import { walImage } from './wal-image.js';

/**
 * Opens the daemon's store, refusing to go on silently with a damaged one (issue 12, finding 12):
 * - a read-only state directory (EROFS, EACCES) is reported as exactly that, in ANJU_ERR_STORE_OPEN;
 * - a database file that is empty (0 bytes) or missing next to a WAL, or that fails
 *   `PRAGMA quick_check` (or cannot be read as a database at all), is quarantined: renamed, with its
 *   -wal and -shm, to `anju.db.<reason>-<UTC time>` (+ `-wal`, `-shm`), never deleted, and a new
 *   store starts (a new epoch). SQLite itself would delete the WAL of an empty database file on open,
 *   and a corrupt page would pass the open and fail at the first query that reads it, seconds later;
 * - what the quarantined copy held is counted where it can be read (the undelivered alarms and
 *   events, the undelivered reports, its epoch), from a WAL alone if the database file is empty
 *   (src/store/wal-image.ts); `null` where it cannot. The daemon commits this as `hub.storage_reset`.
 * A disk too full to open on gets the space reserve released and one more try. Anything else that
 * stops the store from opening throws ANJU_ERR_STORE_OPEN: anjud exits 1 and systemd starts it again.
 *
 * quick_check reads every page once (no index cross-check, which integrity_check adds): on a 50 MB
 * database 0.36-0.66 s with the file in the page cache and 3.8 s from a cold cache on this project's
 * 2-core dev VM (docs/operations.md, "Full disk and corrupt stores"): a start-up cost, paid before
 * READY=1, that buys finding the damage at open instead of at the first query that reads it.
 */
export interface StoreReset {
  reason: 'empty' | 'missing' | 'corrupt';
  /** The quarantined files, names in the state directory. */
  quarantined: string[];
  /** Alarms and events still undelivered in the quarantined copy; null when it cannot be read. */
  undelivered: number | null;
  /** Reports still undelivered there; null when unknown. */
  undeliveredReports: number | null;
  /** The quarantined database's epoch (the cloud's events of it will not come back); null when unknown. */
  previousEpoch: string | null;
  /** What was wrong: quick_check's first findings, or why it could not be opened. */
  detail: string;
}

export interface OpenedStore {
  db: Db;
  reset: StoreReset | null;
  /** How long quick_check took, ms (0 for a new database). */
  quickCheckMs: number;
  /** The schema before and after this open, and its compatibility (src/store/database.ts). */
  schema: SchemaState;
}

export interface OpenStoreOptions {
  now: () => number;
  doneWhen: DoneWhen;
  /** Released (once) when the disk is too full to open the store. */
  reserve?: SpaceReserve;
  /** This anjud's version, recorded with a migration (the message an older release prints names it). */
  version?: string;
}

/** A WAL larger than this is not read into memory to count what a quarantined empty database held. */
const MAX_WAL_READ = 64 * 1024 * 1024;

const HINTS: Partial<Record<StoreErrorKind, string>> = {
  read_only: 'it is read-only',
  full: 'the file system is full: free space on it',
  io: 'an I/O error: the storage medium may be failing',
  busy: 'another process holds the database locked',
};

function openError(stateDir: string, err: unknown): AnjuError {
  const kind = classifyStoreError(err);
  const hint = HINTS[kind];
  return new AnjuError(ErrorCodes.STORE_OPEN, `cannot open the database in ${stateDir}${hint ? ` (${hint})` : ''}: ${(err as Error).message}`, { cause: err });
}

/** Fails with a message that says "read-only" when the directory cannot be written. */
function assertWritable(stateDir: string): void {
  const probe = join(stateDir, `.anju-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (err) {
    const code = storeErrorCode(err);
    if (classifyStoreError(err) !== 'read_only') return; // a full disk, say: the store's own handling copes
    const fix = code === 'EROFS'
      ? 'its file system is mounted read-only: remount it read-write (a kernel remounts a failing card read-only: check it)'
      : 'give the daemon\'s user write access to it (systemd: StateDirectory=anju)';
    throw new AnjuError(ErrorCodes.STORE_OPEN, `the state directory ${stateDir} is read-only (${code}): anjud keeps its database there and must write to it; ${fix}`, { cause: err });
  }
}

const sizeOf = (path: string): number | null => {
  try { return statSync(path).size; } catch { return null; }
};

/** Runs `fn`; when the disk is full, releases the space reserve and runs it once more. */
function withRoom<T>(reserve: SpaceReserve | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (classifyStoreError(err) !== 'full' || !reserve || reserve.release() === 0) throw err;
    return fn();
  }
}

export function openStore(stateDir: string, o: OpenStoreOptions): OpenedStore {
  const file = join(stateDir, DB_FILE);
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (err) {
    throw openError(stateDir, err);
  }
  assertWritable(stateDir);

  let reset: StoreReset | null = null;
  let quickCheckMs = 0;
  let db: Db | null = null;
  const size = sizeOf(file);
  const walSize = sizeOf(`${file}-wal`) ?? 0;
  if (size === 0) {
    reset = quarantine(stateDir, 'empty', `${DB_FILE} is empty (0 bytes)${walSize > 0 ? `, its WAL holds ${walSize} bytes` : ''}`, o);
  } else if (size === null && walSize > 0) {
    reset = quarantine(stateDir, 'missing', `${DB_FILE} is missing, its WAL holds ${walSize} bytes`, o);
  } else if (size !== null) {
    let problems: string | null = null;
    try {
      db = withRoom(o.reserve, () => connect(file));
      const t0 = performance.now();
      const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
      quickCheckMs = Math.round(performance.now() - t0);
      const found = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (found.length > 0) problems = found.join('; ');
    } catch (err) {
      if (classifyStoreError(err) !== 'corrupt') {
        db?.close();
        throw openError(stateDir, err);
      }
      problems = (err as Error).message;
    }
    if (problems !== null) {
      db?.close();
      db = null;
      reset = quarantine(stateDir, 'corrupt', problems, o);
    }
  }
  try {
    db ??= withRoom(o.reserve, () => connect(file));
    const opened = db;
    const schema = withRoom(o.reserve, () => migrate(opened, o.version ? { writer: o.version } : {}));
    return { db: opened, reset, quickCheckMs, schema };
  } catch (err) {
    db?.close();
    // A newer database this code must not touch: its own code and message (what to run instead).
    if (err instanceof AnjuError && err.code === ErrorCodes.STORE_SCHEMA) throw err;
    throw openError(stateDir, err);
  }
}

/** Renames the database and its -wal and -shm aside (the WAL first: a database created next to a stray WAL would delete it). */
function quarantine(stateDir: string, reason: StoreReset['reason'], detail: string, o: OpenStoreOptions): StoreReset {
  const stamp = new Date(o.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let base = `${DB_FILE}.${reason}-${stamp}`;
  for (let n = 2; ['', '-wal', '-shm'].some((s) => sizeOf(join(stateDir, base + s)) !== null); n++) base = `${DB_FILE}.${reason}-${stamp}-${n}`;
  const quarantined: string[] = [];
  try {
    for (const suffix of ['-wal', '-shm', '']) {
      const from = join(stateDir, DB_FILE + suffix);
      if (sizeOf(from) === null) continue;
      renameSync(from, join(stateDir, base + suffix));
      quarantined.push(base + suffix);
    }
    const dirFd = openSync(stateDir, 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  } catch (err) {
    throw new AnjuError(ErrorCodes.STORE_OPEN, `the database in ${stateDir} is damaged (${detail}) and cannot be moved aside: ${(err as Error).message}`, { cause: err });
  }
  quarantined.sort((a, b) => a.length - b.length);
  return { reason, quarantined, detail, ...readQuarantined(join(stateDir, base), o.doneWhen) };
}

/** What a quarantined copy held, as far as it can be read; never throws. */
function readQuarantined(path: string, doneWhen: DoneWhen): Pick<StoreReset, 'undelivered' | 'undeliveredReports' | 'previousEpoch'> {
  const open = doneWhen === 'cloud_ack' ? 'acked_ts IS NULL' : 'delivered_ts IS NULL';
  const ask = <T>(db: Db, sql: string, pick: (row: Record<string, unknown>) => T): T | null => {
    try {
      const row = db.prepare(sql).get() as Record<string, unknown> | undefined;
      return row ? pick(row) : null;
    } catch {
      return null;
    }
  };
  let db: Db | null = null;
  try {
    if ((sizeOf(path) ?? 0) > 0) {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } else {
      const walBytes = sizeOf(`${path}-wal`) ?? 0;
      const image = walBytes > 0 && walBytes <= MAX_WAL_READ ? walImage(readFileSync(`${path}-wal`)) : null;
      if (!image) return { undelivered: null, undeliveredReports: null, previousEpoch: null };
      db = new Database(image.image);
    }
    const d = db;
    return {
      undelivered: ask(d, `SELECT count(*) AS n FROM events WHERE ${open}`, (r) => Number(r.n)),
      undeliveredReports: ask(d, `SELECT count(*) AS n FROM reports WHERE ${open}`, (r) => Number(r.n)),
      previousEpoch: ask(d, "SELECT value FROM meta WHERE key = 'epoch'", (r) => String(r.value)),
    };
  } catch {
    return { undelivered: null, undeliveredReports: null, previousEpoch: null };
  } finally {
    db?.close();
  }
}
