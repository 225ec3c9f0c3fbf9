/** The daemon keeps undelivered alarms over the quota and says so: hub.storage_full reaches the cloud. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';

describe('store quota in the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-quota-it-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises hub.storage_full when undelivered alarms alone exceed the quota, keeping them all', async () => {
    const stateDir = join(dir, 'state');
    const db = openDatabase(stateDir);
    const outbox = createOutbox(db, systemClock);
    for (let i = 0; i < 1500; i++) outbox.append({ type: 'alarm.test', severity: 'critical', device: 'r', state: 'raised', data: { pad: 'x'.repeat(200), i } });
    db.close();

    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const sub = await mqttSub(broker.url, 'anju/v1/hub-quota/events');
    cleanup.push(() => sub.close());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const cfg = join(dir, 'anju.yaml');
    // cloud_ack mode and nobody acknowledging: all 1500 alarms stay in the outbox.
    writeFileSync(cfg, `${testConfig({ hubId: 'hub-quota', stateDir, brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }], delivery: 'cloud_ack' })}store: { quota_mb: 0.1, quota_check_s: 1 }\n`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));

    const full = await sub.waitFor('hub.storage_full raised', (m) => m.body.type === 'hub.storage_full');
    expect(full.body).toMatchObject({ severity: 'critical', state: 'raised', device: null, seq: 1501, data: { quotaBytes: 104858 } }); // 0.1 MB, rounded
    await sub.waitFor('every alarm delivered as well', () => new Set(sub.messages.filter((m) => m.body.type === 'alarm.test').map((m) => m.body.id)).size === 1500, 30_000);
    expect(sub.messages.filter((m) => m.body.type === 'hub.storage_full')).toHaveLength(1);
  });
});
