/**
 * Releases side by side (issue 13, point 3): a database migrated by a newer release, opened by an
 * older one (a rollback, or a downgrade), through the real daemon.
 * - Additive changes only (the newer release's schema_compat is one this anjud knows): it opens the
 *   database and delivers what the newer release left in the outbox: a rollback loses nothing.
 * - An incompatible change (schema_compat above what this anjud knows): refused at start with
 *   ANJU_ERR_STORE_SCHEMA naming both versions, and the database is left exactly as it was: the
 *   downgrade is refused, never half-done.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';

describe('a database from a newer release', () => {
  const root = mkdtempSync(join(tmpdir(), 'anju-schema-'));
  const cleanup: Array<() => unknown> = [];
  let broker: Mosquitto | undefined;
  afterAll(async () => {
    for (const c of cleanup.reverse()) {
      try { await c(); } catch (err) { console.error('cleanup failed', err); }
    }
    rmSync(root, { recursive: true, force: true });
  });

  /** A store with `n` undelivered events, then "migrated by a newer release": `newer` runs on it. */
  function seed(stateDir: string, n: number, newer: (db: Database.Database) => void): void {
    const db = openDatabase(stateDir);
    const outbox = createOutbox(db, systemClock);
    for (let i = 0; i < n; i++) outbox.append({ type: i % 2 === 0 ? 'alarm.test' : 'device.test', severity: 'warning', device: 'r', state: 'raised', data: { i } });
    newer(db);
    db.close();
  }
  const writer = (db: Database.Database, version: string) =>
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_writer', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(version);
  const snapshot = (stateDir: string) => {
    const db = new Database(join(stateDir, 'anju.db'), { readonly: true });
    try {
      return {
        userVersion: db.pragma('user_version', { simple: true }),
        meta: db.prepare('SELECT key, value FROM meta ORDER BY key').all(),
        events: db.prepare('SELECT seq, id, delivered_ts, acked_ts FROM events ORDER BY seq').all(),
      };
    } finally {
      db.close();
    }
  };
  async function start(hub: string, stateDir: string): Promise<DaemonProcess> {
    broker ??= await startMosquitto();
    const pty = await createPtyPair(root, hub);
    cleanup.push(() => pty.unplug());
    const cfg = join(root, `${hub}.yaml`);
    writeFileSync(cfg, testConfig({ hubId: hub, stateDir, brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }] }));
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => { if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL'); });
    return d;
  }

  it('with additive changes only: opens it and delivers what the newer release left in the outbox', async () => {
    const stateDir = join(root, 'additive');
    seed(stateDir, 6, (db) => {
      // What a newer release's additive migration does: a new column with a default, schema + 1,
      // schema_compat unchanged (it is recorded by this code's migrations).
      db.exec('ALTER TABLE events ADD COLUMN from_the_future INTEGER NOT NULL DEFAULT 0');
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      writer(db, '9.9.9');
    });
    expect(snapshot(stateDir).meta).toContainEqual({ key: 'schema_compat', value: expect.stringMatching(/^\d+$/) });
    broker ??= await startMosquitto();
    const sub = await mqttSub(broker.url, 'anju/v1/hub-additive/events');
    cleanup.push(() => sub.close());
    const d = await start('hub-additive', stateDir);
    const open = await d.waitForLog('store open', (l) => l.msg === 'store open');
    expect(open.schema).toMatchObject({ from: SCHEMA_VERSION + 1, to: SCHEMA_VERSION + 1, writer: '9.9.9' });
    await waitFor('the 6 events of the newer release', () => new Set(sub.messages.map((m) => m.body.seq)).size >= 6, 20_000);
    expect([...new Set(sub.messages.map((m) => m.body.seq))].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    await waitFor('all marked delivered', () => (snapshot(stateDir).events as Array<{ delivered_ts: number | null }>).every((e) => e.delivered_ts !== null), 10_000);
    expect(snapshot(stateDir).userVersion).toBe(SCHEMA_VERSION + 1);
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });

  it('with a change this anjud cannot read: refused at start with ANJU_ERR_STORE_SCHEMA, nothing changed', async () => {
    const stateDir = join(root, 'incompatible');
    seed(stateDir, 4, (db) => {
      db.pragma(`user_version = ${SCHEMA_VERSION + 2}`);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_compat'").run(String(SCHEMA_VERSION + 2));
      writer(db, '9.9.9');
    });
    const before = snapshot(stateDir);
    const d = await start('hub-incompatible', stateDir);
    const { code } = await Promise.race([d.exited, sleep(20_000).then(() => ({ code: 'still running' }))]);
    expect(code, `anjud should refuse the database:\n${d.stderr()}`).toBe(1);
    const fatal = d.logs.find((l) => l.msg === 'anjud could not start');
    const message = JSON.stringify(fatal?.err ?? d.stderr());
    expect(message).toMatch(/ANJU_ERR_STORE_SCHEMA/);
    expect(message).toContain(`schema version ${SCHEMA_VERSION + 2}`);
    expect(message).toContain('9.9.9');
    expect(message).toContain(`knows schema ${SCHEMA_VERSION}`);
    expect(snapshot(stateDir)).toEqual(before);
  });
});
