/**
 * The BLE transport with the real node-ble (and its dbus-next) against a fake BlueZ on a private,
 * real dbus-daemon (tests/helpers/fake-bluez.ts). Nothing here touches the machine's system bus
 * or a radio.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MeasurementValue } from '../../src/core/reading.js';
import { createBleManager, type BleDeviceOptions, type BleManager, type BleTiming } from '../../src/transports/ble/index.js';
import { startFakeBluez, type FakeBluez, type FakeDeviceSpec } from '../helpers/fake-bluez.js';
import { hex } from '../helpers/hex.js';
import { sleep, waitFor } from '../helpers/wait.js';

const HR = 'AA:BB:CC:DD:EE:01';
const OXI = 'AA:BB:CC:DD:EE:02';

const hrStrap = (address = HR, extra: Partial<FakeDeviceSpec> = {}): FakeDeviceSpec => ({
  address,
  name: 'HR strap',
  services: [
    { uuid: '180d', characteristics: [{ uuid: '2a37', flags: ['notify'] }] },
    { uuid: '180f', characteristics: [{ uuid: '2a19', flags: ['read', 'notify'], value: Uint8Array.of(87) }] },
  ],
  ...extra,
});

const oximeter = (address = OXI): FakeDeviceSpec => ({
  address,
  name: 'Oximeter',
  services: [
    {
      uuid: '1822',
      characteristics: [
        { uuid: '2a5f', flags: ['notify'] },
        // Indicate-only per PLXS; this one also allows reads and returns its last spot check.
        { uuid: '2a5e', flags: ['read', 'indicate'], value: hex('0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3') },
      ],
    },
    { uuid: '180f', characteristics: [{ uuid: '2a19', flags: ['read'], value: Uint8Array.of(55) }] },
  ],
});

/** Short times so a reconnect test takes seconds, not minutes. */
const TIMING: Partial<BleTiming> = {
  connectTimeoutMs: 3000, discoveryTimeoutMs: 2000, reconnectMinMs: 100, reconnectMaxMs: 800,
  livenessMs: 500, stableMs: 60_000, opTimeoutMs: 1000,
};

interface Got { device: string; metric: string; value: MeasurementValue }

describe('BLE transport with the real node-ble against a fake BlueZ', () => {
  let bluez: FakeBluez;
  let manager: BleManager | null = null;
  let got: Got[] = [];

  beforeEach(async () => {
    bluez = await startFakeBluez();
    got = [];
  });
  afterEach(async () => {
    await manager?.stop();
    manager = null;
    await bluez.stop();
  });

  function start(devices: BleDeviceOptions[], o: { busAddress?: string; timing?: Partial<BleTiming>; throwInHandler?: boolean } = {}): BleManager {
    manager = createBleManager({
      devices,
      busAddress: o.busAddress ?? bluez.busAddress,
      timing: { ...TIMING, ...o.timing },
      log: pino({ level: process.env.BLE_DEBUG ? 'debug' : 'silent' }),
      onMeasurements: (device, ms) => {
        for (const m of ms) got.push({ device, metric: m.metric, value: m.value });
        if (o.throwInHandler) throw new Error('downstream bug');
      },
    });
    manager.start();
    return manager;
  }

  const stats = (id: string) => manager!.stats().devices.find((d) => d.id === id)!;
  const connected = (id: string, connects = 1) =>
    waitFor(`${id} connected (${connects})`, () => stats(id).connected && stats(id).connects >= connects, 10_000, () => JSON.stringify(manager!.stats(), null, 1));
  const readings = (device: string, metric: string) => got.filter((g) => g.device === device && g.metric === metric).map((g) => g.value);

  it('decodes heart-rate notifications, reads the battery once, and counts malformed values', async () => {
    const strap = bluez.addDevice(hrStrap());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await connected('hr');
    expect(strap.isNotifying('2a37')).toBe(true);
    expect(stats('hr').characteristics).toEqual(['2a37', '2a19']);

    strap.notify('2a37', hex('06 48'));
    strap.notify('2a37', hex('16 48 00 04'));
    strap.notify('2a37', hex('1E 4B 2C 01 D5 03 E8 03'));
    strap.notify('2a37', hex('10 48 00')); // odd RR byte: malformed
    strap.notify('2a37', hex('04 50')); // strap off the skin
    await waitFor('five notifications handled', () => stats('hr').notifications + stats('hr').malformed === 5);

    expect(got.filter((g) => g.metric !== 'batteryPercent')).toEqual([
      { device: 'hr', metric: 'skinContact', value: true }, { device: 'hr', metric: 'heartRateBpm', value: 72 },
      { device: 'hr', metric: 'skinContact', value: true }, { device: 'hr', metric: 'heartRateBpm', value: 72 }, { device: 'hr', metric: 'rrIntervalMs', value: 1000 },
      { device: 'hr', metric: 'skinContact', value: true }, { device: 'hr', metric: 'heartRateBpm', value: 75 }, { device: 'hr', metric: 'energyExpendedKj', value: 300 },
      { device: 'hr', metric: 'rrIntervalMs', value: 958 }, { device: 'hr', metric: 'rrIntervalMs', value: 976.6 },
      { device: 'hr', metric: 'skinContact', value: false }, { device: 'hr', metric: 'heartRateBpm', value: 80 },
    ]);
    expect(stats('hr')).toMatchObject({ malformed: 1, notifications: 4, reads: 1, handlerErrors: 0 });
    expect(stats('hr').lastMalformed).toContain('RR');
    // The read on connect, once: BlueZ's PropertiesChanged echo of that read is not a second reading.
    await sleep(100);
    expect(readings('hr', 'batteryPercent')).toEqual([87]);
    strap.notify('2a19', Uint8Array.of(86));
    await waitFor('battery notification', () => readings('hr', 'batteryPercent').length === 2);
    expect(readings('hr', 'batteryPercent')).toEqual([87, 86]);
  });

  it('decodes oximeter continuous notifications and spot-check indications and reads', async () => {
    const oxi = bluez.addDevice(oximeter());
    start([{ id: 'oxi', model: 'ble-pulse-oximeter', address: OXI }]);
    await connected('oxi');
    expect(oxi.isNotifying('2a5f')).toBe(true);
    expect(oxi.isNotifying('2a5e')).toBe(true);
    // On connect: the last spot check (readable on this device) and the battery (read only).
    await waitFor('reads on connect', () => stats('oxi').reads === 2);
    expect(readings('oxi', 'spo2Percent')).toEqual([94]);
    expect(readings('oxi', 'spotCheckMeasuredAt')).toEqual(['2024-11-29T23:08:57']);
    expect(readings('oxi', 'batteryPercent')).toEqual([55]);

    oxi.notify('2a5f', hex('1F DE F3 CA F3 CA F3 5A F5 D4 F3 B2 F2 20 01 00 00 00 7A E3'));
    await waitFor('continuous', () => readings('oxi', 'spo2Percent').length === 2);
    oxi.notify('2a5e', hex('0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3'));
    await waitFor('spot check indication', () => readings('oxi', 'spo2Percent').length === 3);
    expect(readings('oxi', 'spo2Percent')).toEqual([94, 99, 94]);
    expect(readings('oxi', 'pulseRateBpm')).toEqual([147, 97, 147]);
    expect(readings('oxi', 'oximeterMeasurementStatus')).toEqual([0x4020, 0x0120, 0x4020]);
    expect(readings('oxi', 'oximeterQuestionable')).toEqual([true, false, true]);
    expect(readings('oxi', 'oximeterDeviceStatus')).toEqual([0x22, 0, 0x22]);
    expect(readings('oxi', 'lowPerfusion')).toEqual([true, false, true]);
    expect(stats('oxi')).toMatchObject({ notifications: 2, malformed: 0 });
  });

  it('reconnects with exponential backoff when the device walks out of range, and counts it', async () => {
    const strap = bluez.addDevice(hrStrap());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await connected('hr');
    strap.setInRange(false);
    strap.drop();
    await waitFor('link lost', () => stats('hr').disconnects === 1);
    expect(stats('hr')).toMatchObject({ connected: false, problem: 'lost', lastErrorCode: 'ANJU_ERR_BLE_LOST' });

    const before = strap.connectCalls.length;
    const delays = new Set<number>();
    await waitFor('four failed reconnects', () => {
      const d = stats('hr').retryDelayMs;
      if (d !== null) delays.add(d);
      return strap.connectCalls.length - before >= 4;
    }, 15_000);
    expect(stats('hr')).toMatchObject({ state: expect.stringMatching(/retrying|connecting/), problem: 'connect-failed', lastErrorCode: 'ANJU_ERR_BLE_CONNECT' });
    expect(stats('hr').lastError).toContain('le-connection-abort-by-local');
    // Each retry waits at least twice the one before, up to the ceiling.
    const calls = strap.connectCalls.slice(before - 1);
    const gaps = calls.slice(1).map((c, i) => c - calls[i]!);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(400);
    expect(gaps[3]).toBeGreaterThanOrEqual(800);
    expect(Math.max(...delays)).toBe(800);

    strap.setInRange(true);
    await connected('hr', 2);
    expect(stats('hr')).toMatchObject({ connects: 2, disconnects: 1, problem: null, lastError: null });
    strap.notify('2a37', hex('06 48'));
    await waitFor('notification after reconnect', () => readings('hr', 'heartRateBpm').length === 1);
  });

  it('shows an adapter that disappears, keeps retrying without crashing, and reconnects when it is back', async () => {
    const strap = bluez.addDevice(hrStrap());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await connected('hr');
    expect(manager!.stats().adapters).toEqual({ hci0: 'ok' });

    bluez.removeAdapter();
    await waitFor('adapter missing in status', () => manager!.stats().adapters.hci0 === 'missing' && stats('hr').problem === 'adapter-missing');
    expect(stats('hr')).toMatchObject({ connected: false, disconnects: 1, lastErrorCode: 'ANJU_ERR_BLE_ADAPTER_MISSING' });
    const failuresBefore = stats('hr').connectFailures;
    await waitFor('retries while the adapter is gone', () => stats('hr').connectFailures >= failuresBefore + 2);
    expect(stats('hr').problem).toBe('adapter-missing');
    expect(stats('hr').lastError).toContain('hci0 not found');

    bluez.restoreAdapter();
    await connected('hr', 2);
    expect(manager!.stats().adapters).toEqual({ hci0: 'ok' });
    strap.notify('2a37', hex('06 48'));
    await waitFor('notification after the adapter came back', () => readings('hr', 'heartRateBpm').length === 1);
  });

  it('shows a powered-off adapter, and reconnects when it is powered on', async () => {
    bluez.addDevice(hrStrap());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await connected('hr');
    bluez.setPowered(false);
    await waitFor('powered off in status', () => manager!.stats().adapters.hci0 === 'powered-off' && stats('hr').problem === 'adapter-powered-off');
    expect(stats('hr').lastErrorCode).toBe('ANJU_ERR_BLE_ADAPTER_OFF');
    bluez.setPowered(true);
    await connected('hr', 2);
    expect(manager!.stats().adapters.hci0).toBe('ok');
  });

  it('notices bluetoothd dying without a word (liveness check), shows it, and reconnects when it is back', async () => {
    const strap = bluez.addDevice(hrStrap());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await connected('hr');
    bluez.crash();
    await waitFor('bluez unavailable in status', () => manager!.stats().adapters.hci0 === 'bluez-unavailable' && stats('hr').problem === 'bluez-unavailable');
    expect(stats('hr')).toMatchObject({ connected: false, disconnects: 1, lastErrorCode: 'ANJU_ERR_BLE_BLUEZ_UNAVAILABLE' });
    await bluez.restart();
    await connected('hr', 2);
    strap.notify('2a37', hex('06 48'));
    await waitFor('notification after bluetoothd restarted', () => readings('hr', 'heartRateBpm').length === 1);
  });

  it('runs two devices at once, each on its own, and one dropping does not disturb the other', async () => {
    const strap = bluez.addDevice(hrStrap());
    const oxi = bluez.addDevice(oximeter());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }, { id: 'oxi', model: 'ble-pulse-oximeter', address: OXI }]);
    await connected('hr');
    await connected('oxi');
    strap.notify('2a37', hex('06 48'));
    oxi.notify('2a5f', hex('00 CA F3 6C F2'));
    await waitFor('both', () => readings('hr', 'heartRateBpm').length === 1 && readings('oxi', 'pulseRateBpm').length === 2);
    expect(readings('oxi', 'spo2Percent')).toEqual([94, 97]);
    expect(got.filter((g) => g.device === 'hr').some((g) => g.metric === 'spo2Percent')).toBe(false);

    strap.setInRange(false);
    strap.drop();
    await waitFor('hr lost', () => stats('hr').disconnects === 1);
    oxi.notify('2a5f', hex('00 CA F3 6C F2'));
    await waitFor('oximeter still delivering', () => readings('oxi', 'pulseRateBpm').length === 3);
    expect(stats('oxi')).toMatchObject({ connected: true, disconnects: 0, connects: 1 });
    strap.setInRange(true);
    await connected('hr', 2);
  });

  it('finds a device BlueZ has never seen with an LE scan', async () => {
    bluez.addDevice(hrStrap(HR, { known: false }));
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await connected('hr');
    expect(bluez.discoveryStarts).toBe(1);
  });

  it('times out a Connect that never answers, and recovers', async () => {
    const strap = bluez.addDevice(hrStrap());
    strap.setConnectBehaviour('hang');
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }], { timing: { connectTimeoutMs: 500 } });
    await waitFor('timeout in status', () => stats('hr').problem === 'timeout' && stats('hr').connectFailures >= 1, 5000);
    expect(stats('hr').lastErrorCode).toBe('ANJU_ERR_BLE_TIMEOUT');
    strap.setConnectBehaviour('normal');
    await connected('hr');
  });

  it('refuses a device without the model\'s characteristics, as a status', async () => {
    bluez.addDevice({ address: HR, services: [{ uuid: '180f', characteristics: [{ uuid: '2a19', flags: ['read'], value: Uint8Array.of(50) }] }] });
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }]);
    await waitFor('gatt failure', () => stats('hr').problem === 'gatt-failed');
    expect(stats('hr').lastError).toContain('Heart Rate Measurement 0x2A37');
    expect(stats('hr').connected).toBe(false);
  });

  it('counts a throwing measurement handler and keeps the link', async () => {
    const strap = bluez.addDevice(hrStrap());
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }], { throwInHandler: true });
    await connected('hr');
    strap.notify('2a37', hex('06 48'));
    await waitFor('handler error counted', () => stats('hr').handlerErrors === 2); // battery read + notification
    expect(stats('hr').connected).toBe(true);
  });

  it('reports a missing D-Bus bus as a status and stops cleanly', async () => {
    start([{ id: 'hr', model: 'ble-heart-rate', address: HR }], { busAddress: `unix:path=${bluez.busAddress.replace(/^unix:path=([^,]+).*/, '$1')}.missing` });
    await waitFor('bus unavailable', () => stats('hr').problem === 'bus-unavailable' && stats('hr').connectFailures >= 2);
    expect(manager!.stats().adapters.hci0).toBe('bus-unavailable');
    expect(stats('hr').lastError).toContain('ENOENT');
  });

  it('rejects invalid options at start-up', () => {
    const base = { onMeasurements: () => undefined, log: pino({ level: 'silent' }), busAddress: bluez.busAddress };
    expect(() => createBleManager({ ...base, devices: [{ id: 'a', model: 'ble-heart-rate', address: 'nope' }] })).toThrow(/not a Bluetooth address/);
    expect(() => createBleManager({ ...base, devices: [{ id: 'a', model: 'ble-heart-rate', address: HR }, { id: 'b', model: 'ble-heart-rate', address: HR.toLowerCase() }] })).toThrow(/twice/);
    expect(() => createBleManager({ ...base, busAddress: 'unix:abstract=/tmp/x', devices: [] })).toThrow(/unix:path/);
  });
});
