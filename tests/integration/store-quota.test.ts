/**
 * The daemon keeps undelivered alarms over the quota and says so: hub.storage_full reaches the cloud.
 * Over the quota telemetry goes first, then reports, never an undelivered alarm; the next report names
 * the evicted ones (gap), and the reference consumer counts them as settled.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { createReadingStore } from '../../src/store/readings.js';
import { createCloudConsumer } from '../../examples/cloud-consumer/consumer.js';
import { problems } from './uplink-contract.schemas.js';
import { night, startHub, type Hub } from '../helpers/hub.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('store quota in the daemon', () => {
  // Each test's hub goes at its end: the first one's daemon would otherwise go on resending its
  // 1500 unacknowledged alarms through the second test.
  const undo: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const u of undo.splice(0).reverse()) await u();
  });
  /** A state dir seeded by `seed`, then a hub (not started) whose daemon will open it. */
  async function seededHub(name: string, seed: (stateDir: string) => void, extra: Parameters<typeof startHub>[0]): Promise<Hub> {
    const dir = mkdtempSync(join(tmpdir(), `anju-${name}-`));
    seed(join(dir, 'state'));
    const hub = await startHub({ ...extra, dir, start: false });
    undo.push(async () => { await hub.stop(); rmSync(dir, { recursive: true, force: true }); });
    return hub;
  }

  it('raises hub.storage_full when undelivered alarms alone exceed the quota, keeping them all', async () => {
    // cloud_ack mode and nobody acknowledging: all 1500 alarms stay in the outbox.
    const hub = await seededHub('quota', (stateDir) => {
      const db = openDatabase(stateDir);
      const outbox = createOutbox(db, systemClock);
      for (let i = 0; i < 1500; i++) outbox.append({ type: 'alarm.test', severity: 'critical', device: 'r', state: 'raised', data: { pad: 'x'.repeat(200), i } });
      db.close();
    }, { name: 'quota', radars: ['r'], delivery: 'cloud_ack', extra: 'store: { quota_mb: 0.1, quota_check_s: 1 }\n' });
    await hub.start({ ready: 'spawned' });
    const sub = hub.sub;

    const full = await sub.waitFor('hub.storage_full raised', (m) => m.body.type === 'hub.storage_full');
    expect(full.body).toMatchObject({ severity: 'critical', state: 'raised', device: null, seq: 1501, data: { quotaBytes: 104858 } }); // 0.1 MB, rounded
    await sub.waitFor('every alarm delivered as well', () => new Set(hub.on('events').filter((m) => m.body.type === 'alarm.test').map((m) => m.body.id)).size === 1500, 30_000);
    expect(hub.on('events').filter((m) => m.body.type === 'hub.storage_full')).toHaveLength(1);
  });

  it('telemetry first, then reports, alarms never: the next report names the lost ones and the cloud settles them', async () => {
    const hub = await seededHub('quota2', (stateDir) => {
      const db = openDatabase(stateDir);
      const outbox = createOutbox(db, systemClock);
      const readings = createReadingStore(db, systemClock);
      for (let i = 0; i < 5000; i++) readings.add({ device: 'r', ts: Date.now(), metric: 'breathRatePerMin', value: 16 });
      readings.flush();
      for (let n = 0; n < 5; n++) outbox.append({ type: 'report.sleep', severity: 'info', device: 'r', state: 'info', data: { night: n, pad: 'x'.repeat(2000) } });
      for (let i = 0; i < 1500; i++) outbox.append({ type: 'alarm.test', severity: 'critical', device: 'r', state: 'raised', data: { pad: 'x'.repeat(200), i } });
      expect(outbox.depth()).toEqual({ alarm: 1500, event: 0, report: 5 });
      db.close();
    }, {
      name: 'quota2', radars: ['r'], delivery: 'cloud_ack', uplinkExtra: 'heartbeat_s: 1, telemetry: { interval_s: 1 }',
      extra: '  sleep_report: { min_in_bed_s: 3, end_after_out_s: 2, min_out_of_bed_s: 1, report_by: null }\nstore: { quota_mb: 0.1, quota_check_s: 1 }\n',
    });
    const sub = hub.sub;
    const cloud = createCloudConsumer({ url: hub.broker.url, dbPath: ':memory:', ackDebounceMs: 100 });
    await cloud.start();
    undo.push(() => cloud.stop());
    const d = await hub.start({ ready: 'spawned' });
    // The first quota check (at start, before anything is sent): every reading, then every report; no alarm.
    const evicted = await d.waitForLog('reports evicted', (l) => l.msg.startsWith('store over quota: evicted undelivered reports'));
    expect(evicted).toMatchObject({ evictedReadings: 5000, evictedReports: 5, evictedHistory: 0, full: true });
    // After all 1,500 alarms (seq 1501): a deadline against a hang, not a speed check; a loaded CI
    // machine took more than the default 30 s to publish them.
    const full = await sub.waitFor('hub.storage_full raised', (m) => m.body.type === 'hub.storage_full' && m.body.state === 'raised', 120_000);
    expect(full.body).toMatchObject({ seq: 1501, data: { queue: { alarm: 1500, event: 0, report: 0 } } });
    // The cloud stores and acks all of them; then the history can go and the store is no longer full.
    await sub.waitFor('storage_full cleared', (m) => m.body.type === 'hub.storage_full' && m.body.state === 'cleared', 120_000);
    expect(new Set(cloud.events('hub-quota2').filter((e) => e.type === 'alarm.test').map((e) => e.id)).size).toBe(1500);
    expect(cloud.gaps('hub-quota2')).toEqual([]);
    // A night (min_in_bed_s 3): report_seq 6, naming 1..5 as lost.
    await night(hub, 5, 'the next report', () => hub.on('reports').length > 0);
    const rep = hub.on('reports')[0]!;
    expect(rep.body).toMatchObject({ type: 'report.sleep', report_seq: 6, gap: { from: 1, to: 5 } });
    expect(problems('report.v1.json', rep.body)).toEqual([]);
    // Telemetry lost everything it had not sent: its first message (the night's readings) says so.
    const tel = await sub.waitFor('telemetry', (m) => m.topic.endsWith('/telemetry'));
    expect(tel.body).toMatchObject({ seq_from: 5001, gap: { from: 1, to: 5000 } });
    await sub.waitFor('the report acknowledged', (m) => m.topic.endsWith('/heartbeat') && (m.body.queue as { report: number }).report === 0 && m.body.last_report_seq === 6, 20_000);
    expect(cloud.reportContiguous('hub-quota2')).toBe(6);
    expect(cloud.lostReports('hub-quota2')).toEqual([1, 2, 3, 4, 5]);
    expect(cloud.reportGaps('hub-quota2')).toEqual([]);
    expect(cloud.reports('hub-quota2').map((r) => [r.reportSeq, r.gap])).toEqual([[6, { from: 1, to: 5 }]]);
  }, 300_000);
});
