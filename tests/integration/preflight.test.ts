/**
 * `anjud --preflight` (issue 13, point 3): before the release manager switches releases, the new
 * release checks the config in force and opens a COPY of the live database: migrations and
 * quick_check run on the copy, never on the database the running release uses. Through the built
 * anjud, next to a running daemon that keeps committing.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { preflightDatabase } from '../../src/store/preflight.js';
import { ANJUD, ROOT, spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { freePort } from '../helpers/peers.js';
import { createPtyPair } from '../helpers/pty.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const root = mkdtempSync(join(tmpdir(), 'anju-preflight-'));
const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) {
    try { await c(); } catch (err) { console.error('cleanup failed', err); }
  }
  rmSync(root, { recursive: true, force: true });
});

function preflight(cfg: string, ...extra: string[]): { code: number | null; vars: Record<string, string>; stderr: string } {
  const r = spawnSync(process.execPath, [ANJUD, '--preflight', '--config', cfg, ...extra], { encoding: 'utf8' });
  const vars = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { code: r.status, vars, stderr: r.stderr };
}
function seed(stateDir: string, n: number): void {
  const db = openDatabase(stateDir);
  const outbox = createOutbox(db, systemClock);
  for (let i = 0; i < n; i++) outbox.append({ type: 'device.test', severity: 'warning', device: 'r', state: 'raised', data: { i } });
  db.close();
}
const config = async (name: string, stateDir: string, extra = ''): Promise<string> => {
  const cfg = join(root, `${name}.yaml`);
  writeFileSync(cfg, `${testConfig({ hubId: name, stateDir, brokerUrl: `mqtt://127.0.0.1:${await freePort()}`, devices: [{ id: 'r', path: join(root, `${name}.tty`) }] })}${extra}`);
  return cfg;
};
const copies = (dir: string) => readdirSync(dir).filter((f) => f.includes('preflight'));

describe('anjud --preflight', () => {
  it('a hub without a database yet: the config is checked, nothing else', async () => {
    const r = preflight(await config('fresh', join(root, 'fresh')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.vars).toMatchObject({ version: VERSION, schema: String(SCHEMA_VERSION), config: 'ok', database: 'absent' });
  });

  it('an invalid config: exit 78 with every problem, the database is not touched', async () => {
    const stateDir = join(root, 'badcfg');
    seed(stateDir, 1);
    const cfg = await config('badcfg', stateDir, 'no_such_key: 1\n');
    const r = preflight(cfg);
    expect(r.code).toBe(78);
    expect(r.vars.config).toBe('invalid');
    expect(r.stderr).toMatch(/no_such_key/);
    expect(r.vars.database).toBeUndefined();
  });

  it('next to a running daemon that commits: a consistent copy migrates and checks; the live database is left alone and no copy stays', async () => {
    const stateDir = join(root, 'live');
    seed(stateDir, 50);
    const pty = await createPtyPair(root, 'live');
    cleanup.push(() => pty.unplug());
    const cfg = join(root, 'live.yaml');
    writeFileSync(cfg, `${testConfig({ hubId: 'hub-live', stateDir, brokerUrl: `mqtt://127.0.0.1:${await freePort()}`, devices: [{ id: 'r', path: pty.devicePath }] })}store: { readings_flush_ms: 100 }\n`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => { if (d.proc.exitCode === null) d.proc.kill('SIGKILL'); });
    await d.waitForLog('store open', (l) => l.msg === 'store open');
    pty.write(presence(true));
    const feeding = setInterval(() => pty.write(breath(16)), 20);
    cleanup.push(() => clearInterval(feeding));
    await d.waitForLog('readings committed', (l) => l.msg === 'anjud started');

    const r = preflight(cfg, '--rollback-schema', String(SCHEMA_VERSION));
    expect(r.code, r.stderr).toBe(0);
    expect(r.vars).toMatchObject({ config: 'ok', database: 'ok', state_dir: stateDir, schema_from: String(SCHEMA_VERSION), schema_to: String(SCHEMA_VERSION), schema_compat: '0' });
    expect(Number(r.vars.copy_bytes)).toBeGreaterThan(0);
    expect(copies(stateDir)).toEqual([]);
    clearInterval(feeding);
    // The daemon never noticed: it runs on and stops cleanly.
    expect(d.proc.exitCode).toBeNull();
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    const db = new Database(join(stateDir, 'anju.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 50 });
    db.close();
  });

  it('a database from a newer release this one cannot read (a downgrade): refused, exit 66, with the reason', async () => {
    const stateDir = join(root, 'newer');
    seed(stateDir, 3);
    const db = new Database(join(stateDir, 'anju.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_compat'").run(String(SCHEMA_VERSION + 1));
    db.close();
    const r = preflight(await config('newer', stateDir));
    expect(r.code, r.stderr).toBe(66);
    expect(r.vars.database).toBe('refused');
    expect(r.stderr).toMatch(new RegExp(`needs an anjud that knows schema ${SCHEMA_VERSION + 1} or later`));
    expect(copies(stateDir)).toEqual([]);
  });

  it('a damaged database: exit 65 naming quick_check; the live file is not changed', async () => {
    const stateDir = join(root, 'damaged');
    seed(stateDir, 2000);
    const file = join(stateDir, 'anju.db');
    const pages = readFileSync(file).length / 4096;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const before = readFileSync(file);
    const r = preflight(await config('damaged', stateDir));
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toMatch(/quick_check|malformed/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(copies(stateDir)).toEqual([]);
  });

  it('no room for the copy next to the running daemon: refused before copying', async () => {
    const disk = mountTmpfs(24);
    cleanup.push(() => disk.unmount());
    const stateDir = join(disk.dir, 'state');
    seed(stateDir, 20_000); // a few MB
    // Leave 12 MB free: room for the copy, but not for the copy and the 16 MB kept free.
    writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(disk.availBytes() - 12 * 2 ** 20, 0xa5));
    const r = preflight(await config('full', stateDir));
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toMatch(/not enough free space in .* for a copy of the database: \d+ MB needed plus \d+ MB kept free for the running daemon, \d+ MB free/);
    expect(copies(stateDir)).toEqual([]);
  });

  it('a migration the rollback release could not read (one-way): refused on the copy, the live database unchanged', async () => {
    const stateDir = join(root, 'oneway');
    seed(stateDir, 3);
    const breaking = [...Array.from({ length: SCHEMA_VERSION }, () => 'SELECT 1'), { sql: 'DROP TABLE report_gaps', compat: SCHEMA_VERSION + 1 }];
    const r = await preflightDatabase(stateDir, { version: '9.9.9', keepFreeBytes: 0, rollbackSchema: SCHEMA_VERSION, migrations: breaking });
    expect(r).toMatchObject({ ok: false, kind: 'schema' });
    expect(!r.ok && r.message).toMatch(new RegExp(`only code knowing schema ${SCHEMA_VERSION + 1} can use, and the release to roll back to knows schema ${SCHEMA_VERSION}`));
    const db = new Database(join(stateDir, 'anju.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    // Without a rollback release to protect (a first install), the same migration passes.
    expect(await preflightDatabase(stateDir, { version: '9.9.9', keepFreeBytes: 0, migrations: breaking })).toMatchObject({ ok: true, schema: { compat: SCHEMA_VERSION + 1 } });
  });
});
