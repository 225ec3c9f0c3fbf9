import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AnjuError, ErrorCodes } from '../core/errors.js';

export type Db = Database.Database;

export const DB_FILE = 'anju.db';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append only: a released migration is never edited, so upgrades in the field are repeatable.
 */
const MIGRATIONS: readonly string[] = [
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

/** Applies the migrations this database has not had yet. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
