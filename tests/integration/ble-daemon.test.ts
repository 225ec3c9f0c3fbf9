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
import { sleep, waitFor } from '../helpers/wait.js';
import { subscribe } from '../../src/cli/client.js';

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

  it('decodes the issue\'s heart-rate and pulse-oximeter vectors through the running daemon', async () => {
    const bluez = await startFakeBluez();
    cleanup.push(() => bluez.stop());
    const band = bluez.addDevice({ address: 'AA:BB:CC:DD:EE:20', name: 'band', services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', flags: ['notify'] }] }] });
    const oxi = bluez.addDevice({
      address: 'AA:BB:CC:DD:EE:21', name: 'oximeter',
      services: [
        { uuid: '1822', characteristics: [{ uuid: '2a5f', flags: ['notify'] }, { uuid: '2a5e', flags: ['indicate'] }] },
        { uuid: '180f', characteristics: [{ uuid: '2a19', flags: ['read'], value: Uint8Array.of(55) }] },
      ],
    });
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const socket = join(dir, 'state2', 'anjud.sock');
    const cfg = join(dir, 'anju2.yaml');
    writeFileSync(cfg, `hub: { id: hub-ble2 }
state_dir: "${join(dir, 'state2')}"
control: { socket: "${socket}" }
uplink: { url: "${broker.url}", delivery: puback }
devices:
  - { id: band, model: ble-heart-rate, room: bedroom, ble: { address: "AA:BB:CC:DD:EE:20" } }
  - { id: oxi, model: ble-pulse-oximeter, room: bedroom, ble: { address: "AA:BB:CC:DD:EE:21" } }
ble: { bus_address: "${bluez.busAddress}", reconnect_min_s: 0.2, reconnect_max_s: 1, liveness_s: 1 }
`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('control socket', (l) => l.msg === 'control socket listening');
    const got: Array<{ device: string; metric: string; value: unknown }> = [];
    const live = await subscribe(socket, { events: false, readings: true }, (_s, r) => got.push({ device: String(r.device), metric: String(r.metric), value: r.value }));
    cleanup.push(() => live.stop());
    for (let i = 0; i < 60 && !(band.isNotifying('2a37') && oxi.isNotifying('2a5f') && oxi.isNotifying('2a5e')); i++) await sleep(250);
    const vectors: Array<[typeof band, string, string]> = [
      [band, '2a37', '06 48'], [band, '2a37', '16 48 00 04'], [band, '2a37', '1E 4B 2C 01 D5 03 E8 03'],
      [oxi, '2a5f', '1F DE F3 CA F3 CA F3 5A F5 D4 F3 B2 F2 20 01 00 00 00 7A E3'],
      [oxi, '2a5e', '0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3'],
    ];
    for (const [dev, uuid, v] of vectors) { dev.notify(uuid, hex(v)); await sleep(200); }
    const has = (device: string, metric: string, value: unknown) => got.some((r) => r.device === device && r.metric === metric && r.value === value);
    await waitFor('every vector decoded', () =>
      has('band', 'heartRateBpm', 72) && has('band', 'skinContact', true) && has('band', 'rrIntervalMs', 1000) && has('band', 'heartRateBpm', 75)
      && has('band', 'energyExpendedKj', 300) && has('oxi', 'spo2Percent', 99) && has('oxi', 'pulseRateBpm', 97)
      && has('oxi', 'spo2Percent', 94) && has('oxi', 'pulseRateBpm', 147) && has('oxi', 'batteryPercent', 55), 15_000,
      () => JSON.stringify(got));
  });
});
