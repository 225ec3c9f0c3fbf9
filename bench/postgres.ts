import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './mosquitto.js';

/**
 * A real PostgreSQL (Debian's package) in a temp dir on 127.0.0.1, started like Mosquitto: by the
 * anju-ingest tests (tests/helpers/postgres.ts re-exports it) and by `npm run fleet`, which runs
 * from dist/ and so cannot import tests/.
 */
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
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres), and this run needs the real one. Install it: sudo apt-get install -y postgresql');
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

/** `maxConnections`: the server's max_connections (each anju-ingest instance holds `postgres.pool_max`). */
export async function startPostgres(o: { maxConnections?: number } = {}): Promise<Postgres> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'anju-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', ...user });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}`);
  const port = await freePort();
  let stderr = '';
  // fsync off: ingest instances are killed, never PostgreSQL, and a 2-core CI has better uses for its disk.
  const proc: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', `max_connections=${o.maxConnections ?? 60}`], { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  proc.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const ready = async (): Promise<boolean> => {
    const c = new pg.Client({ connectionString: url('postgres') });
    try { await c.connect(); await c.query('SELECT 1'); return true; } catch { return false; } finally { await c.end().catch(() => undefined); }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`postgres exited ${proc.exitCode}: ${stderr}`);
    if (await ready()) break;
    if (Date.now() > deadline) {
      proc.kill('SIGQUIT');
      throw new Error(`timed out after 30000 ms waiting for postgres on ${port}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
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
