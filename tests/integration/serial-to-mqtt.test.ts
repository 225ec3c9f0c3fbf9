/**
 * Acceptance, foundation issue: Mosquitto on 127.0.0.1, an MR60BHA1 on a socat pty, the real built
 * daemon. A person present breathing 30/min for longer than the configured time produces
 * alarm.breathing_rate raised at a mosquitto_sub subscriber, and cleared once frames say 16/min.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mosquittoSub, mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { sleep } from '../helpers/wait.js';
import { breath, heart, presence } from './frames.js';

describe('serial radar -> anjud -> Mosquitto -> subscriber', () => {
  let dir: string;
  let broker: Mosquitto;
  let pty: PtyPair;
  let daemon: DaemonProcess;
  let sub: Subscriber;
  let statusSub: Subscriber;
  let tel: Subscriber;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anju-e2e-'));
    broker = await startMosquitto();
    pty = await createPtyPair(dir);
    sub = await mosquittoSub(broker.port, 'anju/v1/hub-e2e/events');
    tel = await mqttSub(broker.url, 'anju/v1/hub-e2e/telemetry');
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, testConfig({ hubId: 'hub-e2e', stateDir: join(dir, 'state'), brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: pty.devicePath }], sustainS: 3, clearAfterS: 1, uplinkExtra: 'telemetry: { interval_s: 1 }' }));
    daemon = spawnDaemon(['--config', cfg]);
    await daemon.waitForLog('serial port open', (l) => l.msg === 'serial port open');
    await daemon.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
  });

  afterAll(async () => {
    daemon?.proc.kill('SIGKILL');
    await sub?.close();
    await statusSub?.close();
    await pty?.unplug();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a retained online status with the hub and version', async () => {
    statusSub = await mqttSub(broker.url, 'anju/v1/hub-e2e/status');
    const m = await statusSub.waitFor('retained online status', (x) => x.body.state === 'online');
    expect(m.retain).toBe(true);
    expect(m.body).toMatchObject({ v: 1, hub: 'hub-e2e', state: 'online' });
    expect(typeof m.body.version).toBe('string');
  });

  it('raises alarm.breathing_rate for 30/min sustained, and clears it at 16/min', async () => {
    pty.write(presence(true));
    // 30/min once a second, with line noise between frames, for longer than sustain_s (3 s).
    for (let i = 0; i < 6; i++) {
      pty.write(Buffer.concat([Buffer.from([0x00, 0x53, 0xff]), breath(30), heart(90)]));
      await sleep(1000);
    }
    const raised = await sub.waitFor('alarm raised', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised');
    for (let i = 0; i < 4; i++) {
      pty.write(breath(16));
      await sleep(700);
    }
    const cleared = await sub.waitFor('alarm cleared', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'cleared');

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
    daemon.proc.kill('SIGTERM');
    const { code } = await daemon.exited;
    expect(code).toBe(0);
    const off = await statusSub.waitFor('offline status', (m) => m.body.state === 'offline');
    expect(off.body.reason).toBe('shutdown');
  });
});
