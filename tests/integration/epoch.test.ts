/** An ack for another database of the hub (a stale epoch) never takes events out of the outbox. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('epochs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-epoch-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ignores an ack naming another epoch and applies one naming its own', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const events = await mqttSub(broker.url, 'anju/v1/hub-ep/events');
    cleanup.push(() => events.close());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, testConfig({ hubId: 'hub-ep', stateDir: join(dir, 'state'), brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }], sustainS: 2, delivery: 'cloud_ack' }));
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('serial open', (l) => l.msg === 'serial port open');
    pty.write(presence(true));
    for (let i = 0; i < 5; i++) { pty.write(breath(30)); await sleep(600); }
    const raised = await events.waitFor('alarm', (m) => m.body.type === 'alarm.breathing_rate');
    const epoch = String(raised.body.epoch);
    expect(epoch).toMatch(/^[0-9a-f]{16}$/);

    const cloud = connect(broker.url, { protocolVersion: 5 });
    cleanup.push(() => cloud.endAsync(true));
    await waitFor('cloud', () => cloud.connected);
    const unacked = () => {
      const db = new Database(join(dir, 'state', 'anju.db'), { readonly: true });
      try { return (db.prepare('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL').get() as { n: number }).n; } finally { db.close(); }
    };
    cloud.publish('anju/v1/hub-ep/ack', JSON.stringify({ seq: 1, epoch: 'deadbeefdeadbeef' }), { qos: 1 });
    await d.waitForLog('stale ack ignored', (l) => l.msg === 'ignoring a cloud ack for another epoch');
    expect(unacked()).toBe(1);
    cloud.publish('anju/v1/hub-ep/ack', JSON.stringify({ seq: 1, epoch }), { qos: 1 });
    await waitFor('acked', () => unacked() === 0);
  });
});
