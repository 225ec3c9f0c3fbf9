/**
 * Acceptance, foundation issue: kill -9 of anjud while the broker is down, then a restart with the
 * broker up: every event raised before the kill arrives, with its original id; seq keeps growing
 * across the restart and no event id changes or is lost.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, type LogLine } from '../helpers/daemon-process.js';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { waitFor } from '../helpers/wait.js';
import Database from 'better-sqlite3';
import { createCloudConsumer } from '../../examples/cloud-consumer/consumer.js';
import { breath, presence } from './frames.js';

interface LoggedEvent { id: string; seq: number; state: string }
const loggedEvents = (d: DaemonProcess): LoggedEvent[] =>
  d.logs.filter((l): l is LogLine & { event: LoggedEvent } => typeof l.event === 'object' && l.event !== null).map((l) => l.event);

describe('no event is lost across kill -9 during a broker outage', () => {
  let hub: Hub;
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await hub?.stop();
  });

  it('delivers every committed event after the restart, ids unchanged, seq continuing', async () => {
    // The broker is created, not started: it is down.
    hub = await startHub({ name: 'crash', broker: 'down', sustainS: 2, clearAfterS: 1, delivery: 'cloud_ack' });
    const { pty, broker } = hub;
    const first = hub.daemon;

    // Three events while the broker is down: raised, cleared, raised again. Each rate is fed until
    // its event is committed (a slowed-down daemon may read a second's frames in one go).
    pty.write(presence(true));
    const episode = (rate: number, events: number) => feedUntil(pty, () => breath(rate), `event ${events} committed`, () => loggedEvents(first).length >= events);
    await episode(30, 1);
    await episode(16, 2);
    await episode(4, 3);
    const before = loggedEvents(first);
    expect(before.map((e) => [e.seq, e.state])).toEqual([[1, 'raised'], [2, 'cleared'], [3, 'raised']]);

    const killed = await hub.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    await broker.start();
    const sub = await mqttSub(broker.url, 'anju/v1/hub-crash/events');
    cleanup.push(() => sub.close());
    // The reference cloud consumer stores and acknowledges (cloud_ack delivery).
    const cloud = createCloudConsumer({ url: broker.url, dbPath: join(hub.dir, 'cloud.db'), group: 'anju-cloud' });
    await cloud.start();
    cleanup.push(() => cloud.stop());
    const second = await hub.start({ ready: 'spawned' });
    await second.waitForLog('store reopened with 3 alarms pending', (l) => l.msg === 'store open' && (l.pending as { alarm: number }).alarm === 3 && l.lastSeq === 3);
    await sub.waitFor('all three events', () => new Set(sub.messages.map((m) => m.body.id)).size >= 3);

    const delivered = new Map(sub.messages.map((m) => [m.body.id as string, m.body]));
    for (const e of before) expect(delivered.get(e.id), `event seq ${e.seq} id ${e.id}`).toMatchObject({ seq: e.seq, state: e.state });
    expect(sub.messages.map((m) => m.body.seq)).toEqual([1, 2, 3]);

    // The alarm open at the kill (seq 3) is remembered (detector state is snapshotted with each
    // event): a normal rate clears it, as seq 4 with a new id, and it is not raised a second time.
    await feedUntil(pty, () => breath(16), 'seq 4 after restart', () => sub.messages.some((m) => m.body.seq === 4));
    const next = sub.messages.find((m) => m.body.seq === 4)!;
    // worstPerMin 4 is the episode raised as seq 3 before the kill (4/min), carried over the restart.
    expect(next.body).toMatchObject({ state: 'cleared', data: { breathRatePerMin: 16, worstPerMin: 4 } });
    expect(before.map((e) => e.id)).not.toContain(next.body.id);

    // The cloud stored 1..4 without a gap and acknowledged them: the hub's outbox drains to empty.
    await waitFor('cloud contiguous up to 4', () => cloud.contiguous('hub-crash') === 4);
    expect(cloud.gaps('hub-crash')).toEqual([]);
    expect(cloud.events('hub-crash').map((e) => e.id)).toEqual([...before.map((e) => e.id), next.body.id]);

    const db = new Database(join(hub.stateDir, 'anju.db'), { readonly: true });
    await waitFor('hub outbox empty', () => (db.prepare('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL').get() as { n: number }).n === 0, 10_000);
    db.close();
    expect((await hub.kill('SIGTERM')).code).toBe(0);
  });
});
