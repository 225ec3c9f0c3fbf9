import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './peers.js';
import { waitFor } from './wait.js';

/** A real PostgreSQL (Debian's package) in a temp dir on 127.0.0.1, started by the test like Mosquitto. */
export interface Postgres {
  readonly port: number;
  /** URL of a database created for the caller (`createDatabase`). */
  url(db: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<v>/bin; a missing server fails loudly with the package to install. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres), and this test needs the real one. Install it: sudo apt-get install -y postgresql');
  return join(root, versions[0]!, 'bin');
}

/** PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, and there is no postgres user to run PostgreSQL as (the postgresql package creates it)');
  return { uid, gid };
}

export async function startPostgres(): Promise<Postgres> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'anju-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', ...user });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}`);
  const port = await freePort();
  let stderr = '';
  // fsync off: the tests kill ingest instances, never PostgreSQL, and a 2-core CI has better uses for its disk.
  const proc: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=60'], { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  proc.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  await waitFor(`postgres on ${port}`, async () => {
    if (proc.exitCode !== null) throw new Error(`postgres exited ${proc.exitCode}: ${stderr}`);
    const c = new pg.Client({ connectionString: url('postgres') });
    try { await c.connect(); await c.query('SELECT 1'); return true; } catch { return false; } finally { await c.end().catch(() => undefined); }
  }, 30_000, () => stderr);
  return {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try { await c.query(`CREATE DATABASE "${name}"`); } finally { await c.end(); }
      return url(name);
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGQUIT'); // immediate shutdown: nothing to keep
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
