/**
 * The Zigbee2MQTT source against a real Mosquitto, with payloads as Zigbee2MQTT 1.x/2.x publishes
 * them (whole cached state on every update, legacy and JSON availability, retained messages).
 */
import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/core/reading.js';
import { createZigbee2MqttSource, type Zigbee2MqttSource } from '../../src/transports/zigbee2mqtt/index.js';
import { Z2M_MAX_PAYLOAD_BYTES } from '../../src/transports/zigbee2mqtt/z2m-source.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { sleep, waitFor } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
let broker: Mosquitto;
let pub: MqttClient;

beforeAll(async () => {
  broker = await startMosquitto();
  pub = connect(broker.url, { clientId: 'test-z2m-publisher', reconnectPeriod: 100 });
  await new Promise((r) => pub.once('connect', r));
});
afterAll(async () => {
  await pub.endAsync(true);
  await broker.stop();
});

interface Run { source: Zigbee2MqttSource; got: Array<{ id: string; ms: Measurement[] }>; clock: { t: number } }
const runs: Run[] = [];
afterEach(async () => { for (const r of runs.splice(0)) await r.source.stop(); });

/**
 * `clock` is the source's wall clock; the battery interval is measured on it too (a clock the test moves),
 * unless `realInterval`: then on the source's own monotonic clock, and the test steps the wall clock.
 */
async function startSource(devices: Array<{ id: string; friendlyName: string }>, extra: { baseTopic?: string; batteryIntervalMs?: number; realInterval?: boolean; log?: typeof log } = {}): Promise<Run> {
  const got: Run['got'] = [];
  const clock = { t: 1_700_000_000_000 };
  const { realInterval, ...options } = extra;
  const source = createZigbee2MqttSource({
    url: broker.url, devices, log, reconnectMs: 100, now: () => clock.t, ...(realInterval ? {} : { monoNow: () => clock.t }), ...options,
    onMeasurements: (id, ms) => got.push({ id, ms }),
  });
  source.start();
  await waitFor('source subscribed', () => source.stats().state === 'connected');
  // The SUBACK is not observable from outside; a probe message on a subscribed topic is.
  const r = { source, got, clock };
  runs.push(r);
  return r;
}

const publish = (topic: string, payload: string | object, retain = false) =>
  pub.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1, retain });

/** Waits until the source has handled `n` messages (delivered or not). */
const handled = (r: Run, n: number) => waitFor(`${n} messages handled`, () => r.source.stats().messages >= n);

/** Publishes availability online and waits for it, so the subscription is known to be in place. */
async function ready(r: Run, base: string, name: string): Promise<void> {
  await waitFor('subscription live', async () => {
    await publish(`${base}/${name}/availability`, 'online');
    await new Promise((res) => setTimeout(res, 50));
    return r.source.stats().messages > 0;
  });
}

describe('Zigbee2MQTT source (real Mosquitto)', () => {
  it('maps a smoke detector state to our metrics, in payload order, and drops echoes', async () => {
    const r = await startSource([{ id: 'smoke-hall', friendlyName: 'hall/smoke' }]);
    await ready(r, 'zigbee2mqtt', 'hall/smoke');
    const base = r.source.stats().messages;
    r.got.length = 0;
    // What Z2M publishes for a Heiman HS1SA at rest, then when it goes off (whole state again).
    await publish('zigbee2mqtt/hall/smoke', { battery: 100, battery_low: false, linkquality: 120, smoke: false, tamper: false, test: false, voltage: 3000 });
    await publish('zigbee2mqtt/hall/smoke', { battery: 100, battery_low: false, linkquality: 98, smoke: true, tamper: false, test: false, voltage: 3000 });
    await publish('zigbee2mqtt/hall/smoke', { battery: 100, battery_low: false, linkquality: 99, smoke: true, tamper: false, test: false, voltage: 3000 });
    await handled(r, base + 3);
    expect(r.got).toEqual([
      { id: 'smoke-hall', ms: [{ metric: 'batteryPercent', value: 100 }, { metric: 'batteryLow', value: false }, { metric: 'smoke', value: false }, { metric: 'tamper', value: false }] },
      { id: 'smoke-hall', ms: [{ metric: 'smoke', value: true }] },
    ]);
  });

  it('maps every documented key (gas, carbon_monoxide, contact, occupancy, water_leak) on several devices', async () => {
    const r = await startSource([
      { id: 'gas', friendlyName: 'gas' }, { id: 'co', friendlyName: 'co' }, { id: 'door', friendlyName: 'front door' },
      { id: 'pir', friendlyName: 'pir' }, { id: 'leak', friendlyName: 'leak' },
    ]);
    await ready(r, 'zigbee2mqtt', 'gas');
    const base = r.source.stats().messages;
    r.got.length = 0;
    await publish('zigbee2mqtt/gas', { gas: true, tamper: false, battery_low: false, linkquality: 60 });
    await publish('zigbee2mqtt/co', { carbon_monoxide: true, battery: 87, linkquality: 60 });
    await publish('zigbee2mqtt/front door', { contact: false, battery: 91, voltage: 3015, device_temperature: 21, power_outage_count: 4, linkquality: 80 });
    await publish('zigbee2mqtt/pir', { occupancy: true, battery: 60, illuminance: 12, linkquality: 40 });
    await publish('zigbee2mqtt/leak', { water_leak: true, battery_low: true, linkquality: 40 });
    await handled(r, base + 5);
    expect(r.got).toEqual([
      { id: 'gas', ms: [{ metric: 'gas', value: true }, { metric: 'tamper', value: false }, { metric: 'batteryLow', value: false }] },
      { id: 'co', ms: [{ metric: 'co', value: true }, { metric: 'batteryPercent', value: 87 }] },
      { id: 'door', ms: [{ metric: 'contact', value: false }, { metric: 'batteryPercent', value: 91 }] },
      { id: 'pir', ms: [{ metric: 'occupancy', value: true }, { metric: 'batteryPercent', value: 60 }] },
      { id: 'leak', ms: [{ metric: 'waterLeak', value: true }, { metric: 'batteryLow', value: true }] },
    ]);
  });

  it('a repeated occupancy:true is dropped, battery passes again only after the interval', async () => {
    const r = await startSource([{ id: 'pir', friendlyName: 'pir' }], { batteryIntervalMs: 60 * 60_000 });
    await ready(r, 'zigbee2mqtt', 'pir');
    let n = r.source.stats().messages;
    r.got.length = 0;
    await publish('zigbee2mqtt/pir', { occupancy: true, battery: 80, linkquality: 40 });
    await handled(r, ++n);
    r.clock.t += 10 * 60_000;
    // Z2M republishes the cached state because the battery changed: occupancy is an echo.
    await publish('zigbee2mqtt/pir', { occupancy: true, battery: 79, linkquality: 41 });
    await handled(r, ++n);
    r.clock.t += 51 * 60_000;
    await publish('zigbee2mqtt/pir', { occupancy: true, battery: 79, linkquality: 42 });
    await handled(r, ++n);
    await publish('zigbee2mqtt/pir', { occupancy: false, battery: 79, linkquality: 42 });
    await handled(r, ++n);
    expect(r.got.map((g) => g.ms)).toEqual([
      [{ metric: 'occupancy', value: true }, { metric: 'batteryPercent', value: 80 }],
      [{ metric: 'batteryPercent', value: 79 }], // 61 min after the last battery: passes although unchanged since the 2nd message
      [{ metric: 'occupancy', value: false }],
    ]);
  });

  it('a device whose state never changes is still heard (linkQuality) once per interval', async () => {
    const r = await startSource([{ id: 'gas', friendlyName: 'gas' }], { batteryIntervalMs: 60 * 60_000 });
    await ready(r, 'zigbee2mqtt', 'gas');
    let n = r.source.stats().messages;
    r.got.length = 0;
    await publish('zigbee2mqtt/gas', { gas: false, linkquality: 70 });
    await handled(r, ++n);
    await publish('zigbee2mqtt/gas', { gas: false, linkquality: 71 });
    await handled(r, ++n);
    r.clock.t += 60 * 60_000;
    await publish('zigbee2mqtt/gas', { gas: false, linkquality: 72 });
    await handled(r, ++n);
    expect(r.got.map((g) => g.ms)).toEqual([[{ metric: 'gas', value: false }], [{ metric: 'linkQuality', value: 72 }]]);
  });

  it('the battery and linkQuality interval is real time: the wall clock set back 3 h does not hold them back (issue 12)', async () => {
    // A mains gas detector whose state never changes is heard through linkQuality once per interval;
    // held back 3 h longer, its 4 h silence timeout would take it for offline.
    const intervalMs = 300;
    const r = await startSource([{ id: 'gas', friendlyName: 'gas' }], { batteryIntervalMs: intervalMs, realInterval: true });
    await ready(r, 'zigbee2mqtt', 'gas');
    let n = r.source.stats().messages;
    r.got.length = 0;
    await publish('zigbee2mqtt/gas', { gas: false, battery: 90, linkquality: 70 });
    await handled(r, ++n);
    r.clock.t -= 3 * 3_600_000; // NTP sets the clock back 3 h
    await sleep(intervalMs + 100); // the interval passes (monotonic clock)
    await publish('zigbee2mqtt/gas', { gas: false, battery: 90, linkquality: 71 });
    await handled(r, ++n);
    await publish('zigbee2mqtt/gas', { gas: false, linkquality: 72 });
    await handled(r, ++n);
    await sleep(intervalMs + 100);
    await publish('zigbee2mqtt/gas', { gas: false, linkquality: 73 });
    await handled(r, ++n);
    expect(r.got.map((g) => g.ms)).toEqual([
      [{ metric: 'gas', value: false }, { metric: 'batteryPercent', value: 90 }],
      [{ metric: 'batteryPercent', value: 90 }],
      [{ metric: 'linkQuality', value: 73 }],
    ]);
  });

  it('availability: legacy text and JSON, passed as `available` on change only', async () => {
    const r = await startSource([{ id: 'door', friendlyName: 'door' }]);
    await ready(r, 'zigbee2mqtt', 'door'); // online
    let n = r.source.stats().messages;
    await publish('zigbee2mqtt/door/availability', 'offline');
    await publish('zigbee2mqtt/door/availability', { state: 'offline' });
    await publish('zigbee2mqtt/door/availability', { state: 'online' });
    n += 3;
    await handled(r, n);
    expect(r.got.map((g) => g.ms)).toEqual([[{ metric: 'available', value: true }], [{ metric: 'available', value: false }], [{ metric: 'available', value: true }]]);
    expect(r.source.stats().devices[0]).toMatchObject({ id: 'door', available: true });
  });

  it('malformed payloads are counted, never thrown, and the next good one still passes', async () => {
    const r = await startSource([{ id: 'smoke', friendlyName: 'smoke' }]);
    await ready(r, 'zigbee2mqtt', 'smoke');
    let n = r.source.stats().messages;
    r.got.length = 0;
    await publish('zigbee2mqtt/smoke', '{"smoke": tru');
    await publish('zigbee2mqtt/smoke', '[1,2]');
    await publish('zigbee2mqtt/smoke', { smoke: 'true', battery: 90 }); // "true" is not true: skipped, battery passes
    await publish('zigbee2mqtt/smoke/availability', 'maybe');
    await publish('zigbee2mqtt/smoke', { smoke: true, tamper: null });
    n += 5;
    await handled(r, n);
    const s = r.source.stats();
    expect(s.malformed).toBe(4);
    expect(s.devices[0]!.malformed).toBe(4);
    expect(s.lastMalformed).toContain('availability');
    expect(r.got.map((g) => g.ms)).toEqual([[{ metric: 'batteryPercent', value: 90 }], [{ metric: 'smoke', value: true }]]);
  });

  it('a flood of malformed and oversized payloads is counted, logged once per kind and device, and never parsed', async () => {
    const lines: Array<{ msg: string; code?: string; suppressed?: number }> = [];
    const capture = pino({ level: 'debug' }, { write: (l: string) => { lines.push(JSON.parse(l) as { msg: string }); } });
    const r = await startSource([{ id: 'smoke', friendlyName: 'smoke' }], { log: capture });
    await ready(r, 'zigbee2mqtt', 'smoke');
    let n = r.source.stats().messages;
    r.got.length = 0;
    const big = JSON.stringify({ smoke: true, pad: 'x'.repeat(Z2M_MAX_PAYLOAD_BYTES) });
    for (let i = 0; i < 200; i++) {
      await Promise.all([publish('zigbee2mqtt/smoke', 'not json'), publish('zigbee2mqtt/smoke', big)]);
    }
    n += 400;
    await handled(r, n);
    const s = r.source.stats();
    expect(s).toMatchObject({ malformed: 200, oversized: 200, protocolVersion: 5 });
    expect(s.devices[0]).toMatchObject({ malformed: 200, oversized: 200 });
    expect(r.got).toEqual([]); // the oversized smoke: true was never read
    expect(lines.filter((l) => l.code === 'ANJU_ERR_Z2M_MALFORMED')).toHaveLength(1);
    expect(lines.filter((l) => l.code === 'ANJU_ERR_Z2M_OVERSIZED')).toHaveLength(1);
    await r.source.stop(); // logs what it suppressed
    expect(lines.filter((l) => l.code === 'ANJU_ERR_Z2M_OVERSIZED').map((l) => l.suppressed)).toEqual([undefined, 199]);
  });

  it('topics of other devices and Z2M bridge topics are not ours; a custom base_topic works; a retained state arrives on subscribe', async () => {
    await publish('z2m-home/kitchen/gas', { gas: true, linkquality: 10 }, true);
    const r = await startSource([{ id: 'gas', friendlyName: 'kitchen/gas' }], { baseTopic: 'z2m-home' });
    await waitFor('retained state', () => r.got.length > 0);
    expect(r.got[0]).toEqual({ id: 'gas', ms: [{ metric: 'gas', value: true }] });
    await publish('z2m-home/bridge/state', { state: 'online' });
    await publish('z2m-home/kitchen/other', { gas: true });
    await publish('zigbee2mqtt/kitchen/gas', { gas: false });
    await publish('z2m-home/kitchen/gas', { gas: false, linkquality: 10 });
    await waitFor('second state', () => r.got.length > 1);
    expect(r.got[1]).toEqual({ id: 'gas', ms: [{ metric: 'gas', value: false }] });
    expect(r.source.stats().messages).toBe(2);
    await publish('z2m-home/kitchen/gas', '', true); // clear the retained message
  });

  it('survives a broker restart: reconnects, subscribes again, keeps its dedup memory', async () => {
    const r = await startSource([{ id: 'smoke', friendlyName: 'smoke' }]);
    await ready(r, 'zigbee2mqtt', 'smoke');
    r.got.length = 0;
    await publish('zigbee2mqtt/smoke', { smoke: false, linkquality: 1 });
    await waitFor('first state', () => r.got.length === 1);
    await broker.stop();
    await waitFor('source sees the outage', () => r.source.stats().state === 'disconnected');
    expect(r.source.stats().lastErrorCode).toBe('ANJU_ERR_Z2M_CONNECT');
    await broker.start(); // no persistence: the broker has forgotten every subscription
    await waitFor('source reconnected', () => r.source.stats().connects >= 2 && r.source.stats().state === 'connected');
    await waitFor('publisher reconnected', () => pub.connected);
    await waitFor('resubscribed', async () => {
      await publish('zigbee2mqtt/smoke', { smoke: true, linkquality: 2 });
      await new Promise((res) => setTimeout(res, 100));
      return r.got.length > 1;
    });
    expect(r.got[1]).toEqual({ id: 'smoke', ms: [{ metric: 'smoke', value: true }] });
    expect(r.source.stats().disconnects).toBeGreaterThanOrEqual(1);
  });

  it('an unreachable broker is a status, and stop() ends the retries', async () => {
    const source = createZigbee2MqttSource({ url: 'mqtt://127.0.0.1:1', devices: [{ id: 'x', friendlyName: 'x' }], log, reconnectMs: 50, onMeasurements: () => undefined });
    source.start();
    await waitFor('connect error in status', () => source.stats().lastErrorCode === 'ANJU_ERR_Z2M_CONNECT');
    await source.stop();
    expect(source.stats().state).toBe('stopped');
  });
});
