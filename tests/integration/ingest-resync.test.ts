/**
 * anju-ingest asks for a hole on its own (issue 17, point 1): a hub in puback mode had its backlog
 * taken by the broker while no ingest was there (done for the hub, lost for the cloud: nothing resends
 * it). The ingest sees the next event, a seq hole opens, and once it has stayed open resync.after_s it
 * sends `resync` by itself; the hub publishes the events again and the hole closes. Meanwhile bad input
 * (not JSON, another hub's id in the payload) is rejected and kept for the operator, never stored, and
 * `anju-ingest status` lists the hub's raised `hub.storage_full` and an `unstored` alarm.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../../src/cli/client.js';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { commitBacklog, hubConfig } from '../helpers/hub-backlog.js';
import { ingestCommand, spawnIngest, writeIngestConfig } from '../helpers/ingest-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { startIngestDatabase } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';

const HUB = 'hub-r';

describe('anju-ingest: a hole that stays open is asked for with resync, on its own (real daemon, Mosquitto, PostgreSQL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-ingest-resync-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a puback-mode hole by resync; rejects bad input; lists storage_full and unstored', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const { url: pgUrl, db, count } = await startIngestDatabase(cleanup);

    // Seq 1-5 (a hub.storage_full raised first) go out while no ingest listens: PUBACKed, so done.
    const wire = await mqttSub(broker.url, `anju/v1/${HUB}/events`);
    cleanup.push(() => wire.close());
    const stateDir = join(dir, HUB);
    mkdirSync(stateDir);
    const backlog = commitBacklog(stateDir, 4, 'before-ingest', [
      { type: 'hub.storage_full', severity: 'critical', state: 'raised', data: { usedBytes: 36864, quotaBytes: 10486, queue: { alarm: 2, event: 0, report: 0 } } },
    ]);
    expect(backlog.lastSeq).toBe(5);
    const conf = join(dir, 'anju.yaml');
    writeFileSync(conf, hubConfig({ hubId: HUB, stateDir, brokerUrl: broker.url, delivery: 'puback' }));
    const hub = spawnDaemon(['--config', conf]);
    cleanup.push(() => hub.proc.kill('SIGKILL'));
    const socket = join(stateDir, 'anjud.sock');
    await waitFor('the backlog PUBACKed (done in puback mode)', async () => {
      if (wire.messages.length < 5) return false;
      const st = await request(socket, 'get-status');
      const depth = (st.data as { outbox: { depth: { alarm: number; event: number } } }).outbox.depth;
      return depth.alarm === 0 && depth.event === 0;
    }, 20_000);

    const ingest = spawnIngest(writeIngestConfig(join(dir, 'ingest.yaml'), {
      mqttUrl: broker.url, pgUrl, clientId: 'anju-ingest-r', extra: 'resync: { after_s: 1, check_s: 0.3, repeat_s: 5 }\n',
    }));
    cleanup.push(() => ingest.proc.kill('SIGKILL'));
    await ingest.waitForLog('subscribed', (l) => l.msg === 'subscribed', 20_000);

    // Bad input first: it must neither stop the ingest nor be stored.
    const rogue = await connect(broker.url, { protocolVersion: 5, clientId: 'rogue', reconnectPeriod: 0 });
    cleanup.push(() => rogue.endAsync(true));
    await new Promise<void>((resolve, reject) => { rogue.once('connect', () => resolve()); rogue.once('error', reject); });
    await rogue.publishAsync(`anju/v1/${HUB}/events`, 'not json {', { qos: 1 });
    await rogue.publishAsync(`anju/v1/${HUB}/events`, JSON.stringify({ v: 1, id: 'x', seq: 7, hub: 'hub-other', type: 'alarm.smoke', severity: 'critical', device: null, state: 'raised', data: {} }), { qos: 1 });
    // An alarm the hub could not commit (full disk): the cloud's only copy until the committed one comes.
    await rogue.publishAsync(`anju/v1/${HUB}/unstored`, JSON.stringify({
      v: 1, id: 'held-smoke-1', stored: false, reason: 'disk_full', epoch: 'aaaaaaaaaaaaaaaa', ts: Date.now(), hub: HUB, type: 'alarm.smoke', severity: 'critical', device: 'kitchen', state: 'raised', data: {},
    }), { qos: 1 });
    await waitFor('two rejected, one unstored', async () => (await count('SELECT count(*) AS n FROM rejected')) === 2 && (await count('SELECT count(*) AS n FROM unstored')) === 1, 10_000);
    // By problem, not received_at: both may be stored in one batch, whose rows share now() (the transaction's time).
    const problems = (await db.query<{ problem: string }>('SELECT problem FROM rejected ORDER BY problem')).rows.map((r) => r.problem);
    expect(problems).toEqual(['hub: expected "hub-r" (the topic\'s), found "hub-other"', expect.stringMatching(/^payload: not JSON/)]);

    // The next event shows the hole: 1-5 missing below 6. Nobody resends them (puback) but the ingest asks.
    await request(socket, 'test-event', { nonce: 'after-ingest', by: 'test' });
    await ingest.waitForLog('resync sent on its own', (l) => l.msg.includes('asking the hub to resync') && l.hub === HUB && l.since_seq === 0, 20_000);
    await waitFor('the hole closed', async () => (await count('SELECT count(*) AS n FROM hub_epochs WHERE hub = $1 AND contiguous = 6 AND max_seq = 6 AND hole_since IS NULL', [HUB])) === 1, 20_000);
    const answered = await ingest.waitForLog('the hub\'s answer', (l) => l.msg === 'resync answered', 10_000);
    expect(answered.data).toEqual({ count: 6, lastSeq: 6 });
    expect(await count('SELECT count(*) AS n FROM events WHERE hub = $1 AND id = ANY($2)', [HUB, backlog.ids])).toBe(5);
    expect(await count('SELECT resyncs AS n FROM hub_epochs WHERE hub = $1', [HUB])).toBe(1);

    const status = ingestCommand(['status', '--config', join(dir, 'ingest.yaml'), '--json']);
    expect(status.status, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { attention: Array<{ hub: string; problem: string; detail: Record<string, unknown> }>; rejectedLastDay: number; unstoredOpen: number };
    expect(report.attention.map((x) => [x.hub, x.problem])).toEqual([[HUB, 'storage_full'], [HUB, 'unstored']]);
    expect(report.attention[0]!.detail).toMatchObject({ seq: 1, quotaBytes: 10486 });
    expect(report.attention[1]!.detail).toMatchObject({ id: 'held-smoke-1', type: 'alarm.smoke', reason: 'disk_full' });
    expect(report).toMatchObject({ rejectedLastDay: 2, unstoredOpen: 1 });
    expect(ingest.proc.exitCode).toBeNull(); // bad input never stopped it
  }, 120_000);
});
