/**
 * The report class through the real daemon and a real Mosquitto (issue 3, points 1, 2, 4): a night
 * on the bed radar (pty) ends in a `report.sleep` that arrives on anju/v1/<hub>/reports with its own
 * `report_seq`, while alarms and events keep their gapless `seq` on anju/v1/<hub>/events (an alarm
 * raised after the report takes the next event seq). The report is committed at once (kill -9 before
 * the cloud's ack: the same report, same id, comes again after the restart), waits for the cloud's
 * `report_seq` ack in cloud_ack mode, and the heartbeat counts it in `queue.report`. Every report,
 * event, heartbeat and ack is checked against docs/schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { createReadingStore } from '../../src/store/readings.js';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Message, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { ctl } from '../helpers/scripted-cli.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { SLEEP_DATA } from '../helpers/sleep-report.js';
import { breath, presence } from './frames.js';
import { check, problems } from './uplink-contract.schemas.js';

const HUB = 'hub-reports';
const BASE = `anju/v1/${HUB}`;

describe('the report class on the wire (real daemon, real Mosquitto)', () => {
  let dir: string;
  let cfg: string;
  let broker: Mosquitto;
  let pty: PtyPair;
  let sub: Subscriber;
  let cloud: MqttClient;
  let daemon: DaemonProcess;
  const daemons: DaemonProcess[] = [];

  const on = (suffix: string, from = 0): Message[] => sub.messages.slice(from).filter((m) => m.topic === `${BASE}/${suffix}`);
  const start = async (): Promise<number> => {
    const from = sub.messages.length;
    daemon = spawnDaemon(['--config', cfg]);
    daemons.push(daemon);
    await daemon.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
    return from;
  };
  const ack = async (body: Record<string, unknown>) => {
    expect(check('ack.v1.json', body), JSON.stringify(body)).toEqual([]);
    await cloud.publishAsync(`${BASE}/ack`, JSON.stringify(body), { qos: 1 });
  };
  /** In bed (present, breathing at `rate`) for `seconds`, then out of bed. */
  async function night(seconds: number, rate = 16): Promise<void> {
    pty.write(presence(true));
    for (let i = 0; i < seconds; i++) { pty.write(breath(rate)); await sleep(1000); }
    pty.write(presence(false));
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anju-reports-'));
    broker = await startMosquitto();
    pty = await createPtyPair(dir);
    cfg = join(dir, 'anju.yaml');
    // A "night" of a few seconds: 4 s in bed is a night, 2 s out of bed ends it (the detector's tick
    // runs every 5 s, so the report comes within about 7 s of getting up).
    writeFileSync(cfg, `${testConfig({
      hubId: HUB, stateDir: join(dir, 'state'), brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: pty.devicePath }],
      delivery: 'cloud_ack', uplinkExtra: 'heartbeat_s: 1, ack_timeout_s: 30',
    })}  sleep_report: { min_in_bed_s: 4, end_after_out_s: 2, min_out_of_bed_s: 1, report_by: null }\n`);
    sub = await mqttSub(broker.url, `${BASE}/#`);
    cloud = connect(broker.url, { protocolVersion: 5, clientId: 'reports-cloud', reconnectPeriod: 0 });
    await waitFor('cloud client connected', () => cloud.connected, 10_000);
  });

  afterAll(async () => {
    for (const d of daemons) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
    await sub?.close();
    await cloud?.endAsync(true);
    await pty?.unplug();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let report1: Record<string, unknown>;

  it('a night ends in report.sleep on the reports topic with report_seq 1; the alarm of the night keeps seq 1, 2 on events', async () => {
    await start();
    await night(7, 30); // breathing 30/min for 7 s: alarm.breathing_rate raised (sustain_s 3)
    const raised = await sub.waitFor('alarm raised', (m) => m.topic === `${BASE}/events` && m.body.type === 'alarm.breathing_rate');
    expect(raised.body.seq).toBe(1);
    const r = await sub.waitFor('the sleep report', (m) => m.topic === `${BASE}/reports`, 20_000);
    report1 = r.body;
    expect(report1).toMatchObject({ v: 1, hub: HUB, report_seq: 1, type: 'report.sleep', severity: 'info', state: 'info', device: 'bed-radar', data: { endedBy: 'out_of_bed' } });
    expect(report1.seq, 'a report has no event seq').toBeUndefined();
    expect(report1.gap).toBeUndefined();
    expect((report1.data as { timeInBedS: number }).timeInBedS).toBeGreaterThanOrEqual(4);
    expect(problems('report.v1.json', report1)).toEqual([]);
    expect(on('events').map((m) => m.body.type), 'no report on the events topic').not.toContain('report.sleep');
  });

  it('heartbeat: queue.report counts it until the cloud acks its report_seq; the events ack does not take it out', async () => {
    const hb = await sub.waitFor('heartbeat with the report', (m) => m.topic === `${BASE}/heartbeat` && m.body.last_report_seq === 1);
    expect(hb.body.queue).toMatchObject({ report: 1 });
    expect(problems('heartbeat.v1.json', hb.body)).toEqual([]);

    const lastSeq = Number(hb.body.last_seq);
    await ack({ seq: lastSeq, epoch: report1.epoch });
    let from = sub.messages.length;
    const afterEvents = await sub.waitFor('heartbeat after the events ack', (m) => sub.messages.indexOf(m) >= from && m.topic === `${BASE}/heartbeat` && m.body.last_cloud_ack_seq === lastSeq);
    expect(afterEvents.body.queue).toMatchObject({ alarm: 0, report: 1 });

    // The technician on site sees it too: anjuctl status counts the class.
    const socket = join(dir, 'state', 'anjud.sock');
    const st = ctl(['status', '--socket', socket]);
    expect(st.status, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/queue: alarm 0, event 0, report 1/);
    const json = JSON.parse(ctl(['status', '--socket', socket, '--json']).stdout) as { outbox: { depth: unknown } };
    expect(json.outbox.depth).toEqual({ alarm: 0, event: 0, report: 1 });

    await ack({ report_seq: 1, epoch: report1.epoch });
    from = sub.messages.length;
    const afterReports = await sub.waitFor('heartbeat after the report ack', (m) => sub.messages.indexOf(m) >= from && m.topic === `${BASE}/heartbeat` && (m.body.queue as { report: number }).report === 0);
    expect(afterReports.body).toMatchObject({ last_report_seq: 1, last_cloud_ack_seq: lastSeq });
  });

  it('the next night: report_seq 2; an alarm raised after it takes the next event seq (no seq spent on reports); kill -9 before the ack: the same report again', async () => {
    const eventsBefore = new Set(on('events').map((m) => Number(m.body.seq)));
    const maxBefore = Math.max(...eventsBefore);
    await night(6);
    const r2 = await sub.waitFor('the second report', (m) => m.topic === `${BASE}/reports` && m.body.report_seq === 2, 20_000);
    expect(r2.body.id).not.toBe(report1.id);
    expect(problems('report.v1.json', r2.body)).toEqual([]);

    // Back in bed, breathing too fast: an alarm, after the report.
    pty.write(presence(true));
    for (let i = 0; i < 6; i++) { pty.write(breath(31)); await sleep(1000); }
    const alarm2 = await sub.waitFor('second alarm', (m) => m.topic === `${BASE}/events` && m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised' && Number(m.body.seq) > maxBefore);

    // Every event so far: seq exactly 1..n, one id each, no report among them.
    const events = on('events');
    const seqs = [...new Set(events.map((m) => Number(m.body.seq)))].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(Number(alarm2.body.seq)).toBeLessThanOrEqual(seqs.length);
    expect(events.every((m) => !String(m.body.type).startsWith('report.'))).toBe(true);
    for (const m of events) expect(problems('event.v1.json', m.body), JSON.stringify(m.body)).toEqual([]);

    // kill -9 with report 2 unacknowledged: it was committed when made, so it comes again.
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
    const from = await start();
    const again = await sub.waitFor('report 2 again after the restart', (m) => sub.messages.indexOf(m) >= from && m.topic === `${BASE}/reports`);
    expect(again.body).toEqual(r2.body);
    await sleep(500);
    expect(on('reports', from).map((m) => m.body.report_seq), 'report 1 was acknowledged: not sent again').not.toContain(1);
  });

  it('every message on the hub\'s topics matches docs/schema', () => {
    const byTopic: Record<string, string> = { events: 'event.v1.json', reports: 'report.v1.json', heartbeat: 'heartbeat.v1.json', status: 'status.v1.json', telemetry: 'telemetry.v1.json' };
    const bad: string[] = [];
    for (const m of sub.messages) {
      const leaf = m.topic.slice(BASE.length + 1);
      if (leaf === 'ack') continue; // ours, checked when sent
      // The retained description of the home (issue 16): one inventory, an availability per device.
      const file = /^devices\/[^/]+\/availability$/.test(leaf) ? 'availability.v1.json' : leaf === 'inventory' ? 'inventory.v1.json' : byTopic[leaf];
      if (!file) { bad.push(`${m.topic}: not in the contract`); continue; }
      for (const p of problems(file, m.body)) bad.push(`${m.topic} ${JSON.stringify(m.body)}: ${p}`);
    }
    if (process.env.ANJU_REPORT_DUMP) writeFileSync(process.env.ANJU_REPORT_DUMP, sub.messages.map((m) => `${m.topic} ${JSON.stringify(m.body)}\n`).join(''));
    expect(bad).toEqual([]);
    expect(on('reports').length).toBeGreaterThanOrEqual(3);
  });
});

describe('class order on the wire after an outage (real daemon, real Mosquitto)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-report-order-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a backlog goes out alarms first, then events, then reports, then telemetry', async () => {
    // The backlog a hub has after a long outage, committed as the daemon would have.
    const stateDir = join(dir, 'state');
    const db = openDatabase(stateDir);
    const outbox = createOutbox(db, systemClock);
    const readings = createReadingStore(db, systemClock);
    for (let i = 0; i < 100; i++) {
      outbox.append({ type: 'device.offline', severity: 'warning', device: 'bed-radar', state: i % 2 ? 'cleared' : 'raised', data: {} });
      if (i % 40 === 0) outbox.append({ type: 'report.sleep', severity: 'info', device: 'bed-radar', state: 'info', data: SLEEP_DATA });
      outbox.append({ type: 'alarm.breathing_rate', severity: 'critical', device: 'bed-radar', state: i % 2 ? 'cleared' : 'raised', data: {} });
      readings.add({ device: 'bed-radar', ts: Date.now(), metric: 'breathRatePerMin', value: 16 });
    }
    readings.flush();
    expect(outbox.depth()).toEqual({ alarm: 100, event: 100, report: 3 });
    db.close();

    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const sub = await mqttSub(broker.url, 'anju/v1/hub-order/#');
    cleanup.push(() => sub.close());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, testConfig({
      hubId: 'hub-order', stateDir, brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: pty.devicePath }],
      delivery: 'cloud_ack', uplinkExtra: 'inflight_window: 4, telemetry: { interval_s: 0.2 }',
    }));
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));

    await sub.waitFor('telemetry', (m) => m.topic.endsWith('/telemetry'), 30_000);
    // First arrival of each message, in arrival order (resends may follow later; none are due in this time).
    // The outbox's classes only: status, heartbeat and the retained description of the home are not queued.
    const queued = (topic: string) => !/\/(status|heartbeat|inventory|availability)$/.test(topic);
    const kinds = sub.messages.filter((m) => queued(m.topic)).map((m) => {
      if (m.topic.endsWith('/reports')) return 'report';
      if (m.topic.endsWith('/telemetry')) return 'telemetry';
      return String(m.body.type).startsWith('alarm.') ? 'alarm' : 'event';
    });
    const runs = kinds.filter((k, i) => i === 0 || kinds[i - 1] !== k);
    expect(runs).toEqual(['alarm', 'event', 'report', 'telemetry']);
    expect(kinds.filter((k) => k === 'report')).toHaveLength(3);
    const reports = sub.messages.filter((m) => m.topic.endsWith('/reports')).map((m) => m.body.report_seq);
    expect(reports).toEqual([1, 2, 3]);
    const events = sub.messages.filter((m) => m.topic.endsWith('/events')).map((m) => Number(m.body.seq)).sort((a, b) => a - b);
    expect(events).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});
