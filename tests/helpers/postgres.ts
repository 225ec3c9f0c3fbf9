import pg from 'pg';
import { startPostgres } from '../../bench/postgres.js';

/** A real PostgreSQL (Debian's package) in a temp dir: bench/postgres.ts, shared with `npm run fleet`. */
export { startPostgres, type Postgres } from '../../bench/postgres.js';

/**
 * A PostgreSQL server with an `ingest` database, a small pool on it and `count(sql)` (the first
 * row's `n`): the set-up of the anju-ingest integration tests. Everything started is pushed onto
 * `cleanup` (run in reverse order by the test).
 */
export async function startIngestDatabase(cleanup: Array<() => unknown>): Promise<{ url: string; db: pg.Pool; count: (sql: string, args?: unknown[]) => Promise<number> }> {
  const postgres = await startPostgres();
  cleanup.push(() => postgres.stop());
  const url = await postgres.createDatabase('ingest');
  const db = new pg.Pool({ connectionString: url, max: 2 });
  cleanup.push(() => db.end());
  const count = async (sql: string, args: unknown[] = []) => Number((await db.query<{ n: string }>(sql, args)).rows[0]!.n);
  return { url, db, count };
}
