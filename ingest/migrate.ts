/**
 * SQL migrations: numbered files in ingest/migrations (NNN_name.sql), each applied in its own
 * transaction and recorded in schema_migrations. An advisory lock makes instances that start at the
 * same time apply them once. A file changed after it was applied is refused (its checksum is kept):
 * add a new file instead.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';

/** The repository's ingest/migrations, from dist/ingest/ (built) or ingest/ (sources under vitest). */
export const MIGRATIONS_DIR = join(import.meta.dirname, import.meta.dirname.includes('/dist/') ? '../../ingest/migrations' : 'migrations');

/** pg_advisory_lock key: 'anju' in ASCII. */
const LOCK_KEY = 0x616e6a75;

export interface Migration { version: number; name: string; sql: string; checksum: string }

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return files.map((f, i) => {
    const version = Number(f.slice(0, 3));
    if (version !== i + 1) throw new Error(`${join(dir, f)}: expected migration number ${String(i + 1).padStart(3, '0')} (numbers are consecutive from 001)`);
    const sql = readFileSync(join(dir, f), 'utf8');
    return { version, name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Applies what is missing; returns the names applied now. Throws (start-up error) on a changed file. */
export async function migrate(pool: Pool, migrations = readMigrations()): Promise<string[]> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map((await c.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations')).rows.map((r) => [r.version, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const had = done.get(m.version);
      if (had) {
        if (had.checksum !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied as ${had.name} (checksum differs): add a new migration instead`);
        continue;
      }
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed, nothing of it applied: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
    }
    const newest = Math.max(0, ...done.keys());
    if (newest > migrations.length) throw new Error(`the database has migration ${newest}, this anju-ingest knows ${migrations.length}: run the newer release`);
    return applied;
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    c.release();
  }
}
