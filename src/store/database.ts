import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AnjuError, ErrorCodes } from '../core/errors.js';

export type Db = Database.Database;

export const DB_FILE = 'anju.db';

/**
 * One schema migration. A string is an additive one: code that does not know it keeps reading and
 * writing the database correctly (new tables or columns with defaults that old code need not fill,
 * new indexes). A migration after which older code would misread or miswrite the database (a
 * column dropped or renamed, rows moved to a table older code does not drain, a meaning changed)
 * says from which schema version on code can use the result: `compat`, usually its own number.
 */
export type Migration = string | { sql: string; compat: number };

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran (the schema
 * version). Append only: a released migration is never edited, so upgrades in the field are repeatable.
 */
const MIGRATIONS: readonly Migration[] = [
  `
  -- Every event the hub raised. seq is AUTOINCREMENT so a number is never reused, even after rows
  -- are deleted: the cloud detects loss by gaps in seq. delivered_ts is set once the broker
  -- acknowledged the publish; rows with delivered_ts NULL are the outbox.
  CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    ts           INTEGER NOT NULL,
    type         TEXT    NOT NULL,
    severity     TEXT    NOT NULL,
    device       TEXT,
    state        TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    delivered_ts INTEGER
  );
  CREATE INDEX events_outbox ON events(seq) WHERE delivered_ts IS NULL;

  -- Raw readings, committed in batches; pruned by age.
  CREATE TABLE readings (
    ts     INTEGER NOT NULL,
    device TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    value
  );
  `,
  `
  -- Detector state snapshots (plain JSON), so a restart does not reset a sustain timer, forget an
  -- open alarm (and never clear it) or raise it a second time.
  CREATE TABLE detector_state (
    device     TEXT    NOT NULL,
    detector   TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    updated_ts INTEGER NOT NULL,
    PRIMARY KEY (device, detector)
  ) WITHOUT ROWID;
  `,
  `
  -- Delivery classes and cloud acknowledgement (issue 3). prio: 0 alarm, 1 event (drain order is
  -- prio, then seq). acked_ts: the cloud acknowledged it (anju/v1/<hub>/ack); in cloud_ack mode
  -- the outbox is acked_ts IS NULL, in puback mode delivered_ts IS NULL.
  ALTER TABLE events ADD COLUMN prio INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE events ADD COLUMN acked_ts INTEGER;
  UPDATE events SET prio = 0 WHERE type LIKE 'alarm.%';
  DROP INDEX events_outbox;
  CREATE INDEX events_unpubacked ON events(prio, seq) WHERE delivered_ts IS NULL;
  CREATE INDEX events_unacked ON events(prio, seq) WHERE acked_ts IS NULL;
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  `
  -- 1 when the event was stamped while the wall clock was known to be unsynchronised.
  ALTER TABLE events ADD COLUMN ts_unsynced INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Readings get a stable, never reused id: it is the telemetry sequence the cloud sees
  -- (a plain rowid restarts at 1 once the table has been emptied).
  CREATE TABLE readings_v2 (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    ts     INTEGER NOT NULL,
    device TEXT    NOT NULL,
    metric TEXT    NOT NULL,
    value
  );
  INSERT INTO readings_v2 (ts, device, metric, value) SELECT ts, device, metric, value FROM readings ORDER BY rowid;
  DROP TABLE readings;
  ALTER TABLE readings_v2 RENAME TO readings;
  `,
  `
  -- Open alarms (raised, not yet cleared), one per condition (type, device, data.condition):
  -- acknowledgement and reminders live here. A cleared alarm's row is deleted; its history is in
  -- events. alias_ids: ids of later raises of the same alarm (severity escalations).
  CREATE TABLE alarms (
    id          TEXT    PRIMARY KEY,  -- the id of the raising event
    seq         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    device      TEXT    NOT NULL,     -- '' for hub-level alarms
    condition   TEXT    NOT NULL DEFAULT '',
    alias_ids   TEXT    NOT NULL DEFAULT '[]',
    severity    TEXT    NOT NULL,
    raised_ts   INTEGER NOT NULL,
    acked_ts    INTEGER,
    acked_by    TEXT,
    reminders   INTEGER NOT NULL DEFAULT 0,
    reminded_ts INTEGER,
    UNIQUE (type, device, condition)
  ) WITHOUT ROWID;
  `,
  `
  -- The report class (issue 3): nightly reports (report.sleep, ...) with their own sequence, seq
  -- here, separate from the events' gapless seq. AUTOINCREMENT: consecutive at creation, never
  -- reused. Same marks as events (delivered_ts: PUBACK, acked_ts: the cloud's report_seq ack).
  -- Under the disk quota reports are evicted after readings; report_gaps keeps the ranges evicted
  -- before the cloud had them, so the next report tells the cloud (gap) instead of a silent hole.
  -- Reports committed before this migration stay in events (their seq is part of the gapless
  -- sequence) and go out there.
  CREATE TABLE reports (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    ts           INTEGER NOT NULL,
    type         TEXT    NOT NULL,
    severity     TEXT    NOT NULL,
    device       TEXT,
    state        TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    ts_unsynced  INTEGER NOT NULL DEFAULT 0,
    delivered_ts INTEGER,
    acked_ts     INTEGER
  );
  CREATE INDEX reports_unpubacked ON reports(seq) WHERE delivered_ts IS NULL;
  CREATE INDEX reports_unacked ON reports(seq) WHERE acked_ts IS NULL;
  CREATE TABLE report_gaps (from_seq INTEGER PRIMARY KEY, to_seq INTEGER NOT NULL) WITHOUT ROWID;
  `,
  `
  -- Correcting ts stamped before NTP (issue 3): each event keeps the monotonic clock (CLOCK_MONOTONIC,
  -- ms) and the boot it was stamped in; boots numbers the kernel boot ids so a row holds a small
  -- integer, not a 36-character UUID. Once the clock is synchronised, events of the same boot still
  -- marked ts_unsynced get ts_corrected (the corrected wall-clock time; ts keeps what was stamped).
  -- sent_unsynced: 1 once the event was published with its uncorrected ts (ts_unsynced on the
  -- wire); such an event is never corrected, so every copy the cloud gets of it is the same.
  CREATE TABLE boots (id INTEGER PRIMARY KEY, boot_id TEXT NOT NULL UNIQUE);
  ALTER TABLE events ADD COLUMN boot INTEGER;
  ALTER TABLE events ADD COLUMN mono_ms INTEGER;
  ALTER TABLE events ADD COLUMN ts_corrected INTEGER;
  ALTER TABLE events ADD COLUMN sent_unsynced INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX events_uncorrected ON events(boot, seq) WHERE ts_unsynced = 1 AND ts_corrected IS NULL AND sent_unsynced = 0;
  `,
  `
  -- The same correction for reports (a report.sleep made before NTP synced): the columns and their
  -- meaning mirror the events' (previous migration). Reports committed before this migration have
  -- no boot: they stay marked ts_unsynced if they were, never guessed.
  ALTER TABLE reports ADD COLUMN boot INTEGER;
  ALTER TABLE reports ADD COLUMN mono_ms INTEGER;
  ALTER TABLE reports ADD COLUMN ts_corrected INTEGER;
  ALTER TABLE reports ADD COLUMN sent_unsynced INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX reports_uncorrected ON reports(boot, seq) WHERE ts_unsynced = 1 AND ts_corrected IS NULL AND sent_unsynced = 0;
  `,
  `
  -- Detector state snapshots keep the boot and the monotonic clock (ms) of their save, next to the
  -- wall clock's updated_ts (issue 12): restored in the same boot, the change of the offset between
  -- the two clocks is the wall-clock step that happened meanwhile, and the state's timers are moved
  -- by it (src/daemon/ingest.ts). Rows saved before this migration have neither: wall time only.
  ALTER TABLE detector_state ADD COLUMN boot INTEGER;
  ALTER TABLE detector_state ADD COLUMN mono_ms INTEGER;
  `,
  `
  -- The local escalation ladder (issue 15, src/escalation/ladder.ts): its whole state, one JSON row,
  -- written in the same transaction as the hub.escalation_* event that records each change, so after
  -- kill -9 the ladder resumes at the rung it was at (docs/escalation.md, "Across a crash").
  CREATE TABLE escalation_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, updated_ts INTEGER NOT NULL);
  `,
];

/**
 * Opens (creating if needed) the hub database under `stateDir`, without the checks the daemon runs
 * first (src/store/open-store.ts: read-only directory, empty or corrupt file): for tools and tests.
 */
export function openDatabase(stateDir: string): Db {
  try {
    mkdirSync(stateDir, { recursive: true });
    const db = connect(join(stateDir, DB_FILE));
    migrate(db);
    return db;
  } catch (err) {
    throw new AnjuError(ErrorCodes.STORE_OPEN, `cannot open the database in ${stateDir}: ${(err as Error).message}`, { cause: err });
  }
}

/** Largest WAL file kept after a checkpoint reset it (journal_size_limit): one autocheckpoint's worth (1000 pages of 4 KiB). */
export const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * One connection to the database file with the daemon's settings.
 * WAL with synchronous=FULL: a committed transaction survives a power cut, which is what
 * "an alarm counts as raised only once committed" needs; readings are batched to keep SD-card
 * writes down.
 */
export function connect(file: string): Db {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache (SQLITE_DEFAULT_CACHE_SIZE=-16000); it
    // filled at ~1 MB/min in the memory bench as readings were appended, pages the daemon never
    // reads again. SQLite's own default, 2 MB, holds the pages appends and the outbox touch; the
    // kernel's file cache (not our RSS) keeps the rest.
    db.pragma('cache_size = -2000');
    // Without a limit a WAL stays as large as it ever grew (a big eviction, a long drain) and counts
    // against the quota and the disk for good; with it, each reset after a checkpoint truncates it
    // back (issue 12, finding 2). The quota keeper also truncates it after evicting.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The schema version this code writes: how many migrations it knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Schema compatibility (issue 13: releases side by side, rollback, downgrade). Like SQLite's own
 * read and write version bytes, the database records in `meta` the lowest schema version whose code
 * can still read and write it (`schema_compat`) and which anjud migrated it last (`schema_writer`).
 * Additive migrations keep `schema_compat`, so the previous release opens a newer database and works
 * on (a rollback loses nothing); a migration with `compat` raises it, and code older than that
 * refuses the database with ANJU_ERR_STORE_SCHEMA before it changes anything. The release manager
 * asks the same question on a copy before it switches (src/store/preflight.ts).
 */
export interface SchemaState {
  /** user_version before this open. */
  from: number;
  /** user_version after this open (equals `from` when the database is newer than this code). */
  to: number;
  /** The lowest schema version whose code can read and write the database now. */
  compat: number;
  /** The anjud version that migrated it last, when recorded. */
  writer: string | null;
}

const META_COMPAT = 'schema_compat';
const META_WRITER = 'schema_writer';
/** The meta table exists from this schema version on (migration 3). */
const META_FROM_SCHEMA = 3;

const sqlOf = (m: Migration): string => (typeof m === 'string' ? m : m.sql);
const compatOf = (m: Migration, before: number): number => (typeof m === 'string' ? before : Math.max(before, m.compat));

function readMeta(db: Db, key: string): string | null {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  const row = hasTable ? db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined : undefined;
  return row?.value ?? null;
}
function writeMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * Applies the migrations this database has not had yet, recording the schema compatibility. A
 * database from newer code is left as it is: opened when this code can read and write it, refused
 * with ANJU_ERR_STORE_SCHEMA otherwise (also when a newer database does not say, which is the safe
 * reading). `writer`: this anjud's version, for the message a later, older release would print.
 */
export function migrate(db: Db, o: { writer?: string; migrations?: readonly Migration[] } = {}): SchemaState {
  const migrations = o.migrations ?? MIGRATIONS;
  const known = migrations.length;
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > known) {
    const stored = readMeta(db, META_COMPAT);
    const compat = stored !== null && /^\d+$/.test(stored) ? Number(stored) : from;
    const writer = readMeta(db, META_WRITER);
    if (compat > known) {
      throw new AnjuError(
        ErrorCodes.STORE_SCHEMA,
        `the database is at schema version ${from}${writer ? ` (written by anjud ${writer})` : ''} and needs an anjud that knows schema ${compat} or later; `
        + `this anjud${o.writer ? ` ${o.writer}` : ''} knows schema ${known}. A downgrade across this schema change is refused and nothing was changed: `
        + `run ${writer ? `anjud ${writer}` : 'the newer anjud'} or later again (anju-release status shows the releases on this hub)`,
      );
    }
    return { from, to: from, compat, writer };
  }
  let compat = 0;
  // The compat a database at `from` already has: the same rule applied to the migrations it had.
  for (let v = 0; v < from; v++) compat = compatOf(migrations[v]!, compat);
  for (let v = from; v < known; v++) {
    const m = migrations[v]!;
    compat = compatOf(m, compat);
    db.transaction(() => {
      db.exec(sqlOf(m));
      db.pragma(`user_version = ${v + 1}`);
      if (v + 1 >= META_FROM_SCHEMA) {
        writeMeta(db, META_COMPAT, String(compat));
        if (o.writer) writeMeta(db, META_WRITER, o.writer);
      }
    })();
  }
  // A database made before compat was recorded says so from now on.
  const hasMeta = known >= META_FROM_SCHEMA;
  if (hasMeta && from === known && readMeta(db, META_COMPAT) === null) writeMeta(db, META_COMPAT, String(compat));
  return { from, to: known, compat, writer: hasMeta ? readMeta(db, META_WRITER) : null };
}
