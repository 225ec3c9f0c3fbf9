/**
 * `resync` of reports (docs/uplink.md §10, `since_report_seq`), through the real daemon, a real
 * Mosquitto and the reference consumer (examples/cloud-consumer) as the cloud. In puback mode a
 * report the broker took while nobody was subscribed is done for the hub and lost for the cloud:
 * before `since_report_seq` it could not be asked for again. Here the consumer sees a later report,
 * notices the report_seq hole, and asks (`resyncGaps`): the missing reports (and events) arrive with
 * the same id, report_seq and content as their first publish; the one the hub evicted unsent stays
 * lost, named by the next report's `gap`, which a resync carries while the hub still knows it.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCloudConsumer } from '../../examples/cloud-consumer/consumer.js';
import { request } from '../../src/cli/client.js';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { night, startHub, type Hub } from '../helpers/hub.js';
import { type Message } from '../helpers/mqtt-subscriber.js';
import { SLEEP_DATA } from '../helpers/sleep-report.js';
import { waitFor } from '../helpers/wait.js';
import { problems } from './uplink-contract.schemas.js';

const HUB = 'hub-resync';
const BASE = `anju/v1/${HUB}`;

describe('resync of reports: the reference consumer asks for a report_seq hole (real daemon, real Mosquitto)', () => {
  const cleanup: Array<() => unknown> = [];
  let hub: Hub;
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  it('reports and events the broker took while the cloud was away come again, the same; the evicted one stays lost', async () => {
    hub = await startHub({
      name: 'report-resync', hubId: HUB, radars: ['bed-radar'], delivery: 'puback', start: false,
      extra: '  sleep_report: { min_in_bed_s: 4, end_after_out_s: 2, min_out_of_bed_s: 1, report_by: null }\n',
    });
    // What the hub committed during an outage: three events and three reports, and report 2 evicted
    // by the disk quota before anyone had it (as src/store/quota.ts leaves it: row gone, range in report_gaps).
    const { stateDir, socket, broker } = hub;
    const db = openDatabase(stateDir);
    const outbox = createOutbox(db, systemClock, { doneWhen: 'puback' });
    for (let n = 1; n <= 3; n++) {
      outbox.append({ type: 'hub.test', severity: 'info', device: null, state: 'info', data: { nonce: `backlog-${n}`, by: 'walktest:test' } });
      outbox.append({ type: 'report.sleep', severity: 'info', device: 'bed-radar', state: 'info', data: { ...SLEEP_DATA, timeInBedS: n } });
    }
    db.prepare('DELETE FROM reports WHERE seq = 2').run();
    db.prepare('INSERT INTO report_gaps (from_seq, to_seq) VALUES (2, 2)').run();
    db.close();

    const wire = hub.sub; // what went over the broker, for comparison
    const daemon = await hub.start({ ready: 'spawned' });
    const reportsOnWire = (from = 0): Message[] => wire.messages.slice(from).filter((m) => m.topic === `${BASE}/reports`);
    const eventsOnWire = (from = 0): Message[] => wire.messages.slice(from).filter((m) => m.topic === `${BASE}/events`);

    // The backlog goes out and the broker PUBACKs it: done, in puback mode. The cloud is not there.
    await waitFor('the backlog on the wire', () => reportsOnWire().length >= 2 && eventsOnWire().length >= 3, 20_000);
    const firstReport = new Map(reportsOnWire().map((m) => [m.body.report_seq as number, m.body]));
    const firstEvent = new Map(eventsOnWire().map((m) => [m.body.seq as number, m.body]));
    expect([...firstReport.keys()]).toEqual([1, 3]);
    expect(firstReport.get(3)).toMatchObject({ gap: { from: 2, to: 2 } });
    await waitFor('the backlog done (PUBACKed)', async () => {
      const st = await request(socket, 'get-status');
      const depth = (st.data as { outbox: { depth: { alarm: number; event: number; report: number } } }).outbox.depth;
      return depth.event === 0 && depth.report === 0;
    }, 10_000);

    // The cloud comes up and sees what happens from now on: a night (report 4) and a hub.test (event 4).
    const cloud = createCloudConsumer({ url: broker.url, dbPath: join(hub.dir, 'cloud.db'), group: 'anju-cloud', clientId: 'resync-cloud', ackDebounceMs: 50 });
    await cloud.start();
    cleanup.push(() => cloud.stop());
    await night(hub, 5, 'report 4 on the wire', () => reportsOnWire().some((m) => m.body.report_seq === 4));
    await request(socket, 'test-event', { nonce: 'resync', by: 'test' });
    await waitFor('report 4 and event 4 at the cloud', () => cloud.reports(HUB).some((r) => r.reportSeq === 4) && cloud.events(HUB).some((e) => e.seq === 4), 30_000);
    expect(cloud.reportGaps(HUB)).toEqual([1, 2, 3]);
    expect(cloud.gaps(HUB)).toEqual([1, 2, 3]);
    expect(cloud.lostReports(HUB)).toEqual([]);

    // The holes stay open (puback: the hub has nothing left to resend): the cloud asks.
    const from = wire.messages.length;
    const res = await cloud.resyncGaps(HUB);
    expect(res).toEqual({ v: 1, hub: HUB, cmd: 'resync', ok: true, data: { count: 4, lastSeq: 4, reportCount: 3, lastReportSeq: 4 } });
    expect(problems('command-response.v1.json', res)).toEqual([]);
    await waitFor('the cloud complete', () => cloud.reportContiguous(HUB) === 4 && cloud.contiguous(HUB) === 4, 10_000);
    // The wire subscriber is another client: it gets the same messages, not necessarily as early.
    await waitFor('the resent reports on the wire', () => reportsOnWire(from).length >= 3, 10_000);
    expect(cloud.reportGaps(HUB)).toEqual([]);
    expect(cloud.lostReports(HUB)).toEqual([2]); // named by report 3's gap: lost for good, not asked for again
    expect(cloud.gaps(HUB)).toEqual([]);
    expect(await cloud.resyncGaps(HUB)).toBeNull();

    // Oldest first, on the reports topic, each the same message as its first publish (report 3 still with its gap).
    expect(reportsOnWire(from).map((m) => m.body.report_seq)).toEqual([1, 3, 4]);
    for (const m of reportsOnWire(from).filter((x) => firstReport.has(x.body.report_seq as number))) expect(m.body).toEqual(firstReport.get(m.body.report_seq as number));
    for (const m of eventsOnWire(from).filter((x) => firstEvent.has(x.body.seq as number))) expect(m.body).toEqual(firstEvent.get(m.body.seq as number));
    expect(cloud.reports(HUB).map((r) => r.reportSeq)).toEqual([1, 3, 4]);
    for (const r of cloud.reports(HUB).slice(0, 2)) expect(r).toMatchObject({ id: firstReport.get(r.reportSeq)!.id, data: { timeInBedS: r.reportSeq } });

    // Once the cloud acknowledged past the gap, the hub forgets it: a later resync of report 3 no
    // longer names it (the documented difference), everything else the same.
    await waitFor('the hub applied the report ack', async () => {
      const st = await request(socket, 'get-status');
      return (st.data as { uplink: { reports: { lastCloudAck: { seq: number } | null } } }).uplink.reports.lastCloudAck?.seq === 4;
    }, 10_000);
    const from2 = wire.messages.length;
    const again = await cloud.resync(HUB, { since_report_seq: 2, limit: 1 });
    expect(again.data).toEqual({ count: 0, lastSeq: null, reportCount: 1, lastReportSeq: 3 });
    const r3 = await waitFor('report 3 again', () => reportsOnWire(from2)[0], 10_000);
    const { gap, ...withoutGap } = firstReport.get(3)!;
    expect(gap).toEqual({ from: 2, to: 2 });
    expect(r3.body).toEqual(withoutGap);
    expect(cloud.lostReports(HUB)).toEqual([2]);

    for (const m of reportsOnWire()) expect(problems('report.v1.json', m.body), JSON.stringify(m.body)).toEqual([]);
    for (const m of eventsOnWire()) expect(problems('event.v1.json', m.body), JSON.stringify(m.body)).toEqual([]);
    expect(daemon.logs.filter((l) => l.level >= 50), 'no error logged').toEqual([]);
  });
});
