/** An ack for another database of the hub (a stale epoch) never takes events out of the outbox. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('epochs', () => {
  let hub: Hub;
  afterAll(() => hub?.stop());

  it('ignores an ack naming another epoch and applies one naming its own', async () => {
    hub = await startHub({ name: 'ep', radars: ['r'], sustainS: 2, delivery: 'cloud_ack' });
    const d = hub.daemon;
    const isAlarm = (m: { body: Record<string, unknown> }) => m.body.type === 'alarm.breathing_rate';
    await feedUntil(hub.pty, () => [presence(true), breath(30)], 'alarm', () => hub.on('events').some(isAlarm));
    const raised = hub.on('events').find(isAlarm)!;
    const epoch = String(raised.body.epoch);
    expect(epoch).toMatch(/^[0-9a-f]{16}$/);

    const cloud = connect(hub.broker.url, { protocolVersion: 5 });
    try {
      await waitFor('cloud', () => cloud.connected);
      const unacked = () => {
        const db = new Database(join(hub.stateDir, 'anju.db'), { readonly: true });
        try { return (db.prepare('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL').get() as { n: number }).n; } finally { db.close(); }
      };
      cloud.publish(`anju/v1/${hub.hubId}/ack`, JSON.stringify({ seq: 1, epoch: 'deadbeefdeadbeef' }), { qos: 1 });
      await d.waitForLog('stale ack ignored', (l) => l.msg === 'ignoring a cloud ack for another epoch');
      expect(unacked()).toBe(1);
      cloud.publish(`anju/v1/${hub.hubId}/ack`, JSON.stringify({ seq: 1, epoch }), { qos: 1 });
      await waitFor('acked', () => unacked() === 0);
    } finally {
      await cloud.endAsync(true);
    }
  });
});
