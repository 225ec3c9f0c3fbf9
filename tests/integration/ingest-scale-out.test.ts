/**
 * anju-ingest scaled out (issue 17, point 1): two instances in one MQTT 5 shared-subscription group,
 * three real hub daemons (cloud_ack) draining backlogs of alarms raised during an outage, through a
 * real Mosquitto whose ACL gives each hub only its own subtree, into a real PostgreSQL. Both take a
 * share of the backlog; then one hangs while the hubs raise more alarms (it takes its share and never
 * commits it) and is killed -9: its share moves to the other, the hubs resend what it never acked, and
 * every alarm is stored once and acked. A hub whose database is replaced is tracked as a new epoch; a hub
 * killed -9 shows up offline in `anju-ingest status`; a hub cannot publish or subscribe under another
 * hub's id.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { mosquittoAcl } from '../../bench/mosquitto.js';
import { request } from '../../src/cli/client.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { commitBacklog, hubConfig } from '../helpers/hub-backlog.js';
import { ingestCommand, spawnIngest, writeIngestConfig } from '../helpers/ingest-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { requireBinary } from '../helpers/peers.js';
import { startIngestDatabase } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';

const HUBS = ['hub-a', 'hub-b', 'hub-c'];
const BACKLOG = 150;
/** Alarms per hub raised while the hubs run, around the kill. */
const LIVE = 60;

/** Mosquitto's ACL as docs/cloud-broker.md sets it (shared with `npm run fleet`): %u is the hub id (its username); the cloud reads and commands all. */
const ACL = mosquittoAcl('anju-ingest', ['anju-ingest-a', 'anju-ingest-b']);

describe('anju-ingest: two instances, kill -9, new epoch, offline hub, per-hub ACL (real Mosquitto, PostgreSQL, hub daemons)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-ingest-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every alarm once, acks all, moves a killed instance\'s share, tracks epochs and presence', async () => {
    const passwd = requireBinary('mosquitto_passwd', 'mosquitto');
    const pwFile = join(dir, 'passwd');
    const secret = (user: string) => { const f = join(dir, `${user}.pw`); writeFileSync(f, `pw-${user}\n`); return f; };
    for (const [i, user] of ['anju-ingest', ...HUBS].entries()) {
      const r = spawnSync(passwd, [...(i === 0 ? ['-c'] : []), '-b', pwFile, user, `pw-${user}`], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    writeFileSync(join(dir, 'acl'), ACL);
    const broker = await startMosquitto({ globalConf: `allow_anonymous false\npassword_file ${pwFile}\nacl_file ${join(dir, 'acl')}` });
    cleanup.push(() => broker.stop());
    const { url: pgUrl, db, count } = await startIngestDatabase(cleanup);

    const cfg = (id: string) => writeIngestConfig(join(dir, `${id}.yaml`), {
      mqttUrl: broker.url, pgUrl, clientId: `anju-ingest-${id}`, username: 'anju-ingest', passwordFile: secret('anju-ingest'),
    });
    expect(ingestCommand(['migrate', '--config', cfg('a')])).toMatchObject({ status: 0, stdout: 'applied: 001_initial.sql\n' });
    const a = spawnIngest(cfg('a'));
    const b = spawnIngest(cfg('b'));
    cleanup.push(() => a.proc.kill('SIGKILL'), () => b.proc.kill('SIGKILL'));
    for (const x of [a, b]) await x.waitForLog('subscribed', (l) => l.msg === 'subscribed', 20_000);

    // Alarms raised while the hubs were cut off, then the hubs come back (the real daemon, cloud_ack).
    const committed = new Map<string, string[]>();
    const daemons = new Map<string, DaemonProcess>();
    const startHub = (hub: string) => {
      const stateDir = join(dir, hub);
      const conf = join(dir, `${hub}.anju.yaml`);
      writeFileSync(conf, hubConfig({ hubId: hub, stateDir, brokerUrl: broker.url, delivery: 'cloud_ack', passwordFile: secret(hub) }));
      const d = spawnDaemon(['--config', conf]);
      daemons.set(hub, d);
      cleanup.push(() => d.proc.kill('SIGKILL'));
      return d;
    };
    for (const hub of HUBS) {
      mkdirSync(join(dir, hub));
      committed.set(hub, commitBacklog(join(dir, hub), BACKLOG, 'outage').ids);
      startHub(hub);
    }

    // Both instances take their share of the backlog.
    const backlogTotal = BACKLOG * HUBS.length;
    await waitFor('the backlog stored', async () => (await count('SELECT count(*) AS n FROM events')) === backlogTotal, 30_000);
    for (const x of [a, b]) expect(x.logs.filter((l) => l.msg === 'batch committed').length).toBeGreaterThan(0);

    // Mid-run, instance a hangs (SIGSTOP) while the hubs raise more alarms (committed into their live
    // stores, published at their next sweep): the broker keeps handing a its share, which it never
    // commits. Then it is killed -9: its share moves to b, and the hubs send again (ack_timeout_s)
    // what a took and never acked.
    a.proc.kill('SIGSTOP');
    for (const hub of HUBS) committed.get(hub)!.push(...commitBacklog(join(dir, hub), LIVE, 'live').ids);
    const total = (BACKLOG + LIVE) * HUBS.length;
    await waitFor('b storing its share of the live alarms', async () => (await count('SELECT count(*) AS n FROM events')) >= backlogTotal + LIVE, 30_000);
    a.proc.kill('SIGKILL');
    await a.exited;
    const atKill = await count('SELECT count(*) AS n FROM events');
    expect(atKill).toBeLessThan(total); // a's share was lost with it: only the hubs' resends bring it
    await waitFor('every alarm stored', async () => (await count('SELECT count(*) AS n FROM events')) === total, 60_000,
      () => JSON.stringify(b.logs.slice(-20)));
    for (const hub of HUBS) {
      const ids = committed.get(hub)!;
      const stored = (await db.query<{ id: string }>('SELECT id FROM events WHERE hub = $1', [hub])).rows.map((r) => r.id).sort();
      expect(stored).toEqual([...ids].sort());
      // No duplicates: one row per id (the key) and one per seq of the epoch.
      expect(await count('SELECT count(DISTINCT (epoch, seq)) AS n FROM events WHERE hub = $1', [hub])).toBe(ids.length);
      expect((await db.query('SELECT contiguous, max_seq, hole_since FROM hub_epochs WHERE hub = $1', [hub])).rows).toEqual([
        { contiguous: String(ids.length), max_seq: String(ids.length), hole_since: null },
      ]);
    }
    // Every alarm acked: the hubs' outboxes are empty (only the cloud's ack takes an event out).
    for (const hub of HUBS) {
      await waitFor(`${hub}'s outbox empty`, async () => {
        const st = await request(join(dir, hub, 'anjud.sock'), 'get-status');
        const depth = (st.data as { outbox: { depth: { alarm: number; event: number } } }).outbox.depth;
        return depth.alarm === 0 && depth.event === 0;
      }, 20_000);
    }

    // hub-c's SD card is replaced: a new database, a new epoch, seq from 1 again.
    const c = daemons.get('hub-c')!;
    c.proc.kill('SIGTERM');
    await c.exited;
    const oldEpoch = (await db.query<{ epoch: string }>('SELECT epoch FROM hub_epochs WHERE hub = $1', ['hub-c'])).rows[0]!.epoch;
    renameSync(join(dir, 'hub-c'), join(dir, 'hub-c.old-card'));
    mkdirSync(join(dir, 'hub-c'));
    const fresh = commitBacklog(join(dir, 'hub-c'), 20, 'new-card').ids;
    startHub('hub-c');
    await waitFor('hub-c\'s new epoch complete', async () =>
      (await count('SELECT count(*) AS n FROM hub_epochs WHERE hub = $1 AND epoch <> $2 AND contiguous = 20', ['hub-c', oldEpoch])) === 1, 30_000);
    expect(await count('SELECT count(*) AS n FROM events WHERE hub = $1 AND id = ANY($2)', ['hub-c', fresh])).toBe(20);
    expect(await count('SELECT count(*) AS n FROM hub_epochs WHERE hub = $1 AND epoch = $2 AND contiguous = $3', ['hub-c', oldEpoch, BACKLOG + LIVE])).toBe(1);
    await waitFor('hub-c\'s current epoch is the new one', async () =>
      (await count('SELECT count(*) AS n FROM hubs WHERE hub = $1 AND epoch <> $2', ['hub-c', oldEpoch])) === 1, 15_000);

    // hub-b loses power: the broker publishes its will; the operator sees it.
    const hb = daemons.get('hub-b')!;
    hb.proc.kill('SIGKILL');
    await hb.exited;
    await waitFor('hub-b offline in the database', async () =>
      (await count(`SELECT count(*) AS n FROM hubs WHERE hub = 'hub-b' AND state = 'offline' AND reason = 'connection_lost'`)) === 1, 20_000);
    const status = ingestCommand(['status', '--config', cfg('b'), '--json']);
    expect(status.status, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { hubs: { online: number; offline: number }; attention: Array<{ hub: string; problem: string; detail: Record<string, unknown> }> };
    expect(report.hubs).toMatchObject({ online: 2, offline: 1 });
    expect(report.attention).toEqual([{ hub: 'hub-b', problem: 'offline', since: expect.any(String) as string, detail: { reason: 'connection_lost', version: expect.any(String) as string } }]);

    // The ACL: hub-a may neither publish under hub-b nor read hub-b's commands.
    const rogue = await connect(broker.url, { protocolVersion: 5, clientId: 'rogue-hub-a', username: 'hub-a', password: 'pw-hub-a', reconnectPeriod: 0 });
    cleanup.push(() => rogue.endAsync(true));
    await new Promise<void>((resolve, reject) => { rogue.once('connect', () => resolve()); rogue.once('error', reject); });
    const forged = { v: 1, id: 'forged-by-hub-a', seq: 999, epoch: 'ffffffffffffffff', ts: Date.now(), hub: 'hub-b', type: 'alarm.smoke', severity: 'critical', device: null, state: 'raised', data: {} };
    await expect(rogue.publishAsync('anju/v1/hub-b/events', JSON.stringify(forged), { qos: 1 })).rejects.toThrow(/Not authorized/);
    // Mosquitto grants any subscription and enforces read access when it delivers: a command to hub-b
    // never reaches hub-a, one to hub-a (sent after it, same publisher: in order) does.
    const seen: string[] = [];
    rogue.on('message', (topic) => seen.push(topic));
    await rogue.subscribeAsync(['anju/v1/hub-b/cmd/+', 'anju/v1/hub-a/cmd/+'], { qos: 1 });
    const cloud = await connect(broker.url, { protocolVersion: 5, clientId: 'cloud-operator', username: 'anju-ingest', password: 'pw-anju-ingest', reconnectPeriod: 0 });
    cleanup.push(() => cloud.endAsync(true));
    await new Promise<void>((resolve, reject) => { cloud.once('connect', () => resolve()); cloud.once('error', reject); });
    await cloud.publishAsync('anju/v1/hub-b/cmd/ping', '{}', { qos: 1 });
    await cloud.publishAsync('anju/v1/hub-a/cmd/ping', '{}', { qos: 1 });
    await waitFor('hub-a\'s own command', () => seen.includes('anju/v1/hub-a/cmd/ping'), 10_000);
    expect(seen).toEqual(['anju/v1/hub-a/cmd/ping']);
    // What hub-a's own credentials may do still works: a heartbeat published after the forgery is
    // stored, so the forgery had its chance to be stored too. hub-a's daemon stops first: its own
    // heartbeats (every 2 s) would overwrite the marker before a loaded machine's poll saw it.
    const ha = daemons.get('hub-a')!;
    ha.proc.kill('SIGTERM');
    await ha.exited;
    await rogue.publishAsync('anju/v1/hub-a/heartbeat', JSON.stringify({ v: 1, hub: 'hub-a', ts: Date.now(), marker: 'after-forgery' }), { qos: 1 });
    await waitFor('the marker heartbeat stored', async () => (await count(`SELECT count(*) AS n FROM hubs WHERE heartbeat->>'marker' = 'after-forgery'`)) === 1, 10_000);
    expect(await count(`SELECT count(*) AS n FROM events WHERE id = 'forged-by-hub-a' OR hub = 'hub-b' AND seq = 999`)).toBe(0);

    // b stops cleanly and says what it did.
    b.proc.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    const stats = b.logs.find((l) => l.msg === 'stopped')!.stats as { stored: number; duplicates: number; malformed: number };
    expect(stats.stored).toBeGreaterThan(0);
    expect(stats.malformed).toBe(0);
  }, 180_000);
});
