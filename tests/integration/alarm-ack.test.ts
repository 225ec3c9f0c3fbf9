/** The cloud acknowledges an alarm over MQTT: reminders stop, everyone sees who took it. */
import { afterAll, describe, expect, it } from 'vitest';
import { connectCloud } from '../helpers/cloud-commands.js';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { sleep } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('ack-alarm', () => {
  let hub: Hub;
  afterAll(() => hub?.stop());

  it('reminds until acknowledged, then reports the acknowledgement and stops reminding', async () => {
    hub = await startHub({ name: 'ack', radars: ['r'], sustainS: 2, extra: 'alarms: { renotify_s: 1 }\n' });
    const events = hub.sub;
    const isRaise = (m: { body: Record<string, unknown> }) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised';
    await feedUntil(hub.pty, () => [presence(true), breath(30)], 'alarm raised', () => events.messages.some(isRaise));
    const raised = events.messages.find(isRaise)!;
    const reminder = await events.waitFor('a reminder', (m) => m.body.type === 'hub.alarm_reminder', 15_000);
    expect(reminder.body.data).toMatchObject({ alarm_id: raised.body.id, alarm_type: 'alarm.breathing_rate' });

    const cloud = await connectCloud(hub.broker.url, 'cloud/r');
    try {
      expect(await cloud.send(hub.hubId, 'ack-alarm', { id: 'no-such-alarm' }, 'unknown')).toMatchObject({ ok: false, code: 'ANJU_CMD_NOT_FOUND' });
      expect(await cloud.send(hub.hubId, 'ack-alarm', { id: raised.body.id, by: 'dispatcher-7' }, 'ack')).toMatchObject({ ok: true, data: { alarm_id: raised.body.id, acked_by: 'dispatcher-7', already_acknowledged: false } });
    } finally {
      await cloud.close();
    }
    const acked = await events.waitFor('hub.alarm_acknowledged', (m) => m.body.type === 'hub.alarm_acknowledged');
    expect(acked.body.data).toMatchObject({ alarm_id: raised.body.id, by: 'dispatcher-7' });

    const remindersAtAck = events.messages.filter((m) => m.body.type === 'hub.alarm_reminder').length;
    await sleep(2500); // renotify_s is 1: more reminders would have come by now
    expect(events.messages.filter((m) => m.body.type === 'hub.alarm_reminder').length).toBe(remindersAtAck);
  });
});
