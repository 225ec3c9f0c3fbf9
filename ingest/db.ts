/** The PostgreSQL pool from config (password from its file, never from the URL or the log). */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { IngestConfig } from './config.js';

export function createPool(cfg: IngestConfig['postgres'], applicationName: string): pg.Pool {
  const password = cfg.password_file !== undefined ? readFileSync(cfg.password_file, 'utf8').split(/\r?\n/)[0] : undefined;
  const pool = new pg.Pool({
    connectionString: cfg.url, max: cfg.pool_max, application_name: applicationName.slice(0, 63),
    ...(password !== undefined ? { password } : {}),
    connectionTimeoutMillis: 10_000,
  });
  // An idle client's connection error (the server restarted) is reported here; without a listener it would end the process.
  pool.on('error', () => undefined);
  return pool;
}
