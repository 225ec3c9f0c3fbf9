/**
 * End to end over Bluetooth: the real daemon, the real node-ble, a fake BlueZ on a private D-Bus,
 * real Mosquitto. A heart-rate band worn with skin contact reports 140 bpm: alarm.heart_rate reaches
 * the cloud; anjuctl-visible status shows the link.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { startFakeBluez } from '../helpers/fake-bluez.js';
import { hex } from '../helpers/hex.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { sleep } from '../helpers/wait.js';

describe('BLE heart-rate band through the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-ble-d-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises alarm.heart_rate for a sustained 140 bpm with skin contact', async () => {
    const bluez = await startFakeBluez();
    cleanup.push(() => bluez.stop());
    const band = bluez.addDevice({
      address: 'AA:BB:CC:DD:EE:10', name: 'band',
      services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', flags: ['notify'] }] }],
    });
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const sub = await mqttSub(broker.url, 'anju/v1/hub-ble/events');
    cleanup.push(() => sub.close());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: hub-ble }
state_dir: "${join(dir, 'state')}"
control: { socket: "${join(dir, 'state', 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
devices:
  - { id: band, model: ble-heart-rate, room: bedroom, ble: { address: "AA:BB:CC:DD:EE:10" } }
ble: { bus_address: "${bluez.busAddress}", reconnect_min_s: 0.2, reconnect_max_s: 1, liveness_s: 1 }
detectors:
  heart_rate: { sustain_s: 3, max_gap_s: 5 }
`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
    for (let i = 0; i < 40 && !band.isNotifying('2a37'); i++) await sleep(250);
    expect(band.isNotifying('2a37')).toBe(true);
    for (let i = 0; i < 12; i++) {
      band.notify('2a37', hex('06 8C')); // 140 bpm, skin contact detected
      await sleep(500);
    }
    const alarm = await sub.waitFor('alarm.heart_rate', (m) => m.body.type === 'alarm.heart_rate' && m.body.state === 'raised');
    expect(alarm.body).toMatchObject({ severity: 'critical', device: 'band' });
  });
});
