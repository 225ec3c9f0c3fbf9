import { existsSync, readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { AnjuError, ErrorCodes } from '../core/errors.js';
import { connect, DB_FILE, migrate, type Migration, type SchemaState } from './database.js';

/**
 * Would this release open the hub's database? Asked by the release manager before it switches
 * releases (issue 13, point 3; packaging/README.md), while the running release keeps using the
 * database: on a COPY, so nothing the running release relies on changes.
 *
 * The copy is made with SQLite's backup API in one step: one read transaction, so it is a
 * consistent snapshot even while the daemon commits (WAL readers do not block the writer), unlike a
 * file copy of a live WAL database. Then this release's own code runs on it what it would run at
 * start: quick_check, the migrations, quick_check again; and the schema compatibility is compared
 * with the release the manager would roll back to. The copy is deleted afterwards, whatever happens.
 *
 * The copy lives next to the database (`anju.db.preflight-<pid>`): the same file system, written by
 * the daemon's own user (the manager runs the preflight as user anju). It needs room: a copy that
 * would leave less than `keepFreeBytes` free is not made, so a preflight never fills the disk under
 * the running daemon (which would release its space reserve).
 */
export type PreflightResult =
  | { ok: true; database: 'absent' }
  | { ok: true; database: 'ok'; schema: SchemaState; copyBytes: number; ms: number }
  | { ok: false; kind: 'database' | 'schema'; message: string };

export interface PreflightOptions {
  /** This release's version, recorded by the migrations on the copy (as the real start would). */
  version: string;
  /** The schema version of the release a rollback would return to: refused when it could not read the migrated database. */
  rollbackSchema?: number;
  /** Free space the copy must leave on the file system, bytes. */
  keepFreeBytes: number;
  /** Tests only: migrations other than this release's. */
  migrations?: readonly Migration[];
}

const COPY_PREFIX = `${DB_FILE}.preflight-`;
const sizeOf = (p: string): number => (existsSync(p) ? statSync(p).size : 0);

export async function preflightDatabase(stateDir: string, o: PreflightOptions): Promise<PreflightResult> {
  const file = join(stateDir, DB_FILE);
  if (!existsSync(file) && !existsSync(`${file}-wal`)) return { ok: true, database: 'absent' };
  // Copies left by a preflight that was killed: they would only take room.
  for (const f of safeList(stateDir)) if (f.startsWith(COPY_PREFIX)) rmSync(join(stateDir, f), { force: true });
  const need = sizeOf(file) + sizeOf(`${file}-wal`);
  const s = statfsSync(stateDir);
  const free = s.bavail * s.bsize;
  if (free - need < o.keepFreeBytes) {
    const mb = (n: number) => `${Math.ceil(n / 2 ** 20)} MB`;
    return { ok: false, kind: 'database', message: `not enough free space in ${stateDir} for a copy of the database: ${mb(need)} needed plus ${mb(o.keepFreeBytes)} kept free for the running daemon, ${mb(free)} free` };
  }
  const copy = join(stateDir, `${COPY_PREFIX}${process.pid}`);
  const t0 = performance.now();
  try {
    const src = new Database(file, { fileMustExist: true, timeout: 5000 });
    try {
      // The first step copies nothing (better-sqlite3), the second every page at once.
      await src.backup(copy, { progress: () => 0x7fffffff });
    } finally {
      src.close();
    }
  } catch (err) {
    removeCopy(copy);
    return { ok: false, kind: 'database', message: `cannot copy the database ${file}: ${(err as Error).message}` };
  }
  const copyBytes = sizeOf(copy);
  let db: Database.Database | null = null;
  try {
    db = connect(copy);
    checkPages(db, 'before the migrations');
    const schema = migrate(db, { writer: o.version, ...(o.migrations ? { migrations: o.migrations } : {}) });
    checkPages(db, 'after the migrations');
    if (o.rollbackSchema !== undefined && schema.compat > o.rollbackSchema) {
      return {
        ok: false, kind: 'schema',
        message: `this release's migrations (schema ${schema.from} -> ${schema.to}) leave a database that only code knowing schema ${schema.compat} can use, `
          + `and the release to roll back to knows schema ${o.rollbackSchema}: a failed upgrade could not be undone. Refused: ship the change in two releases (packaging/README.md, "Schema changes")`,
      };
    }
    return { ok: true, database: 'ok', schema, copyBytes, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    const schemaRefused = err instanceof AnjuError && err.code === ErrorCodes.STORE_SCHEMA;
    return { ok: false, kind: schemaRefused ? 'schema' : 'database', message: `${schemaRefused ? '' : 'a copy of the database fails: '}${(err as Error).message}` };
  } finally {
    db?.close();
    removeCopy(copy);
  }
}

function checkPages(db: Database.Database, when: string): void {
  const found = (db.pragma('quick_check(5)') as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (found.length > 0) throw new Error(`quick_check ${when}: ${found.join('; ')}`);
}

function removeCopy(copy: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${copy}${suffix}`, { force: true });
}

function safeList(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}
