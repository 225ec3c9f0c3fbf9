/**
 * Acceptance, foundation issue: Mosquitto on 127.0.0.1, an MR60BHA1 on a socat pty, the real built
 * daemon. A person present breathing 30/min for longer than the configured time produces
 * alarm.breathing_rate raised at a mosquitto_sub subscriber, and cleared once frames say 16/min.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { mosquittoSub, mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { breath, heart, presence } from './frames.js';

describe('serial radar -> anjud -> Mosquitto -> subscriber', () => {
  let hub: Hub;
  let sub: Subscriber;
  let statusSub: Subscriber;
  let tel: Subscriber;

  beforeAll(async () => {
    hub = await startHub({ name: 'e2e', radars: ['bed-radar'], sustainS: 3, clearAfterS: 1, uplinkExtra: 'telemetry: { interval_s: 1 }', subscribe: false, start: false });
    sub = await mosquittoSub(hub.broker.port, 'anju/v1/hub-e2e/events');
    tel = await mqttSub(hub.broker.url, 'anju/v1/hub-e2e/telemetry');
    await hub.start();
  });

  afterAll(async () => {
    await sub?.close();
    await statusSub?.close();
    await tel?.close();
    await hub?.stop();
  });

  it('publishes a retained online status with the hub and version', async () => {
    statusSub = await mqttSub(hub.broker.url, 'anju/v1/hub-e2e/status');
    const m = await statusSub.waitFor('retained online status', (x) => x.body.state === 'online');
    expect(m.retain).toBe(true);
    expect(m.body).toMatchObject({ v: 1, hub: 'hub-e2e', state: 'online' });
    expect(typeof m.body.version).toBe('string');
  });

  it('raises alarm.breathing_rate for 30/min sustained, and clears it at 16/min', async () => {
    const isAlarm = (state: string) => (m: { body: Record<string, unknown> }) => m.body.type === 'alarm.breathing_rate' && m.body.state === state;
    // 30/min once a second, with line noise between frames, until raised (sustain_s 3 s of receive time).
    hub.pty.write(presence(true));
    await feedUntil(hub.pty, () => Buffer.concat([Buffer.from([0x00, 0x53, 0xff]), breath(30), heart(90)]), 'alarm raised', () => sub.messages.some(isAlarm('raised')), { everyMs: 1000 });
    const raised = sub.messages.find(isAlarm('raised'))!;
    await feedUntil(hub.pty, () => breath(16), 'alarm cleared', () => sub.messages.some(isAlarm('cleared')), { everyMs: 700 });
    const cleared = sub.messages.find(isAlarm('cleared'))!;

    expect(raised.topic).toBe('anju/v1/hub-e2e/events');
    expect(raised.body).toMatchObject({ v: 1, hub: 'hub-e2e', severity: 'critical', device: 'bed-radar', data: { breathRatePerMin: 30, direction: 'high' } });
    expect(raised.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(cleared.body.id).not.toBe(raised.body.id);
    expect(Number(cleared.body.seq)).toBe(Number(raised.body.seq) + 1);
    expect(Number(cleared.body.ts)).toBeGreaterThan(Number(raised.body.ts));
    expect(cleared.body.data).toMatchObject({ breathRatePerMin: 16, raisedAtTs: expect.any(Number) });
    // Exactly one raise and one clear for one episode.
    expect(sub.messages.filter((m) => m.body.type === 'alarm.breathing_rate')).toHaveLength(2);
  });

  it('uploads the readings as telemetry, ids consecutive from 1', async () => {
    try {
      const m = await tel.waitFor('telemetry with the 30/min readings', (x) => (x.body.readings as unknown[][]).some((r) => r[2] === 'breathRatePerMin' && r[3] === 30));
      expect(m.body).toMatchObject({ v: 1, hub: 'hub-e2e' });
      const all = tel.messages.map((x) => x.body);
      const first = all[0]!;
      expect(first.seq_from).toBe(1);
      for (const b of all) expect((b.readings as unknown[]).length).toBe(Number(b.seq_to) - Number(b.seq_from) + 1);
    } finally {
      await tel.close();
    }
  });

  it('stops cleanly on SIGTERM: exit 0, offline status retained', async () => {
    const { code } = await hub.kill('SIGTERM');
    expect(code).toBe(0);
    const off = await statusSub.waitFor('offline status', (m) => m.body.state === 'offline');
    expect(off.body.reason).toBe('shutdown');
  });
});
