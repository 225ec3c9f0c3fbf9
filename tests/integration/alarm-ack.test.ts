/** The cloud acknowledges an alarm over MQTT: reminders stop, everyone sees who took it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('ack-alarm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-ack-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reminds until acknowledged, then reports the acknowledgement and stops reminding', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const events = await mqttSub(broker.url, 'anju/v1/hub-ack/events');
    cleanup.push(() => events.close());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `${testConfig({ hubId: 'hub-ack', stateDir: join(dir, 'state'), brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }], sustainS: 2 })}alarms: { renotify_s: 1 }\n`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('serial open', (l) => l.msg === 'serial port open');

    pty.write(presence(true));
    for (let i = 0; i < 5; i++) { pty.write(breath(30)); await sleep(700); }
    const raised = await events.waitFor('alarm raised', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised');
    const reminder = await events.waitFor('a reminder', (m) => m.body.type === 'hub.alarm_reminder', 15_000);
    expect(reminder.body.data).toMatchObject({ alarm_id: raised.body.id, alarm_type: 'alarm.breathing_rate' });

    const cloud = connect(broker.url, { protocolVersion: 5 });
    cleanup.push(() => cloud.endAsync(true));
    await waitFor('cloud', () => cloud.connected);
    await cloud.subscribeAsync('cloud/r', { qos: 1 });
    const replies = new Map<string, Record<string, unknown>>();
    cloud.on('message', (_t, p, pk) => replies.set(String(pk.properties?.correlationData), JSON.parse(p.toString()) as Record<string, unknown>));
    const send = (id: string, args: unknown) => cloud.publish('anju/v1/hub-ack/cmd/ack-alarm', JSON.stringify(args), { qos: 1, properties: { responseTopic: 'cloud/r', correlationData: Buffer.from(id) } });

    send('unknown', { id: 'no-such-alarm' });
    expect(await waitFor('reply', () => replies.get('unknown'))).toMatchObject({ ok: false, code: 'ANJU_CMD_NOT_FOUND' });
    send('ack', { id: raised.body.id, by: 'dispatcher-7' });
    expect(await waitFor('reply', () => replies.get('ack'))).toMatchObject({ ok: true, data: { alarm_id: raised.body.id, acked_by: 'dispatcher-7', already_acknowledged: false } });
    const acked = await events.waitFor('hub.alarm_acknowledged', (m) => m.body.type === 'hub.alarm_acknowledged');
    expect(acked.body.data).toMatchObject({ alarm_id: raised.body.id, by: 'dispatcher-7' });

    const remindersAtAck = events.messages.filter((m) => m.body.type === 'hub.alarm_reminder').length;
    await sleep(2500); // renotify_s is 1: more reminders would have come by now
    expect(events.messages.filter((m) => m.body.type === 'hub.alarm_reminder').length).toBe(remindersAtAck);
  });
});
