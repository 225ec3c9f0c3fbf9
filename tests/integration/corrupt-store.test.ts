/**
 * Corrupt stores fail loudly and early, never silently (issue 12, finding 12), through the real daemon:
 * - a 0-byte anju.db next to a WAL holding undelivered events is quarantined with its WAL (SQLite
 *   itself would delete that WAL on open), and hub.storage_reset names the files and how many
 *   undelivered events they held;
 * - a corrupt page in the middle of the database is found at open (quick_check), not seconds later;
 * - a read-only state directory is reported as read-only.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, mkdtempSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { createReadingStore } from '../../src/store/readings.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { mountTmpfs, remount } from '../helpers/tmpfs.js';
import { prng } from '../helpers/prng.js';
import { problems } from './uplink-contract.schemas.js';

describe('corrupt and unusable stores', () => {
  const root = mkdtempSync(join(tmpdir(), 'anju-corrupt-'));
  const cleanup: Array<() => unknown> = [];
  let broker: Mosquitto;
  afterAll(async () => {
    for (const c of cleanup.reverse()) {
      try { await c(); } catch (err) { console.error('cleanup failed', err); }
    }
    rmSync(root, { recursive: true, force: true });
  });

  const start = (cfg: string): DaemonProcess => {
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => { if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL'); });
    return d;
  };
  const alive = (d: DaemonProcess) => d.proc.exitCode === null && d.proc.signalCode === null;

  /** A store with `n` undelivered events (and `readings` readings), closed; returns its epoch. */
  function seed(stateDir: string, n: number, readings = 0, keepWal = false): { epoch: string; wal: Buffer | null } {
    const db = openDatabase(stateDir);
    db.pragma('wal_autocheckpoint = 0'); // everything stays in the WAL, as between two checkpoints
    const outbox = createOutbox(db, systemClock);
    const rs = createReadingStore(db, systemClock);
    for (let i = 0; i < n; i++) outbox.append({ type: i % 10 === 0 ? 'alarm.test' : 'device.test', severity: 'warning', device: 'r', state: 'raised', data: { i } });
    for (let i = 0; i < readings; i++) rs.add({ device: 'r', ts: Date.now(), metric: 'breathRatePerMin', value: 10 + (i % 20) });
    rs.flush();
    const epoch = outbox.epoch();
    const wal = keepWal ? readFileSync(join(stateDir, 'anju.db-wal')) : null;
    db.close(); // checkpoints and deletes the WAL
    return { epoch, wal };
  }

  async function daemonWith(hub: string, stateDir: string): Promise<{ d: DaemonProcess; sub: Subscriber }> {
    broker ??= await startMosquitto();
    const sub = await mqttSub(broker.url, `anju/v1/${hub}/#`);
    cleanup.push(() => sub.close());
    const pty = await createPtyPair(root, hub);
    cleanup.push(() => pty.unplug());
    const cfg = join(root, `${hub}.yaml`);
    writeFileSync(cfg, testConfig({ hubId: hub, stateDir, brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }], delivery: 'cloud_ack', uplinkExtra: 'heartbeat_s: 1, telemetry: { interval_s: 1 }' }));
    return { d: start(cfg), sub };
  }

  it('a 0-byte anju.db with a WAL of 300 undelivered events: quarantined with its WAL, and hub.storage_reset says so', async () => {
    const stateDir = join(root, 'empty');
    const { epoch, wal } = seed(stateDir, 300, 0, true);
    writeFileSync(join(stateDir, 'anju.db'), ''); // the database file lost its content; the WAL did not
    writeFileSync(join(stateDir, 'anju.db-wal'), wal!);

    const { d, sub } = await daemonWith('hub-empty', stateDir);
    const reset = await sub.waitFor('hub.storage_reset', (m) => m.topic.endsWith('/events') && m.body.type === 'hub.storage_reset', 20_000);
    expect(reset.body).toMatchObject({ seq: 1, severity: 'critical', state: 'info', device: null, data: { reason: 'empty', undelivered: 300, previousEpoch: epoch } });
    expect(reset.body.epoch).not.toBe(epoch);
    expect(problems('event.v1.json', reset.body)).toEqual([]);
    const quarantined = (reset.body.data as { quarantined: string[] }).quarantined;
    expect(quarantined).toHaveLength(2); // the database and its WAL (there was no -shm)
    for (const f of quarantined) expect(existsSync(join(stateDir, f)), f).toBe(true);
    // Never deleted, never changed: the WAL with the 300 events is there, byte for byte.
    const walCopy = quarantined.find((f) => f.endsWith('-wal'))!;
    expect(readFileSync(join(stateDir, walCopy)).equals(wal!)).toBe(true);
    expect(alive(d)).toBe(true);
  });

  it('a corrupt page in the middle of the database: found at open, quarantined, and the daemon runs on a new store', async () => {
    const stateDir = join(root, 'corrupt');
    const { epoch } = seed(stateDir, 300, 30_000);
    const file = join(stateDir, 'anju.db');
    const pages = readFileSync(file).length / 4096;
    const fd = openSync(file, 'r+');
    const rnd = prng(12);
    const garbage = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256)));
    writeSync(fd, garbage, 0, 4096, Math.floor(pages * 0.7) * 4096); // a readings page, after the events'
    closeSync(fd);

    const { d, sub } = await daemonWith('hub-corrupt', stateDir);
    const reset = await sub.waitFor('hub.storage_reset', (m) => m.topic.endsWith('/events') && m.body.type === 'hub.storage_reset', 20_000);
    expect(reset.body).toMatchObject({ seq: 1, data: { reason: 'corrupt', undelivered: 300, previousEpoch: epoch } });
    expect(String((reset.body.data as { detail: string }).detail)).not.toBe('');
    expect(readdirSync(stateDir).filter((f) => f.startsWith('anju.db.corrupt-'))).not.toEqual([]);
    // It keeps running on the new store (the old daemon opened the corrupt file and died seconds later).
    const from = sub.messages.length;
    await waitFor('3 heartbeats on the new store', () => sub.messages.slice(from).filter((m) => m.topic.endsWith('/heartbeat')).length >= 3 || !alive(d), 20_000);
    expect(alive(d), `anjud exited ${JSON.stringify(d.proc.exitCode)}:\n${d.stderr()}`).toBe(true);
  });

  it('a read-only state directory: the daemon exits non-zero saying the directory is read-only', async () => {
    const disk = mountTmpfs(8);
    cleanup.push(() => disk.unmount());
    const stateDir = join(disk.dir, 'state');
    seed(stateDir, 3);
    remount(disk.dir, 'ro');
    cleanup.push(() => remount(disk.dir, 'rw'));
    const { d } = await daemonWith('hub-ro', stateDir);
    const { code } = await Promise.race([d.exited, sleep(20_000).then(() => ({ code: 'still running' }))]);
    expect(code).toBe(1);
    const fatal = d.logs.find((l) => l.msg === 'anjud could not start');
    const message = JSON.stringify(fatal?.err ?? d.stderr());
    expect(message).toMatch(/ANJU_ERR_STORE_OPEN/);
    expect(message).toMatch(/read-only/);
    expect(message).toContain(stateDir);
  });
});
