/**
 * The Zigbee network module against a fake coordinator (tests/helpers/fake-zigbee-controller.ts):
 * herdsman itself needs a real stick, so the fake stands in at our ZigbeeControllerPort.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Measurement } from '../../../src/core/reading.js';
import { createZigbeeNetwork, type ZigbeeNetwork } from '../../../src/transports/zigbee/index.js';
import { createFakeCoordinator, FAKE_COORDINATOR_IEEE, type FakeCoordinator } from '../../helpers/fake-zigbee-controller.js';
import { sleep, waitFor } from '../../helpers/wait.js';

const log = pino({ level: 'silent' });
const SMOKE = '0x00158d0001a2b3c4';
const GAS1 = '0x00158d0001a2b3c5'; // HS1CG, alarm1
const GAS3 = '0x00158d0001a2b3c6'; // HS3CG, alarm2
const STRANGER = '0x00158d00ffffffff';

const nets: ZigbeeNetwork[] = [];
afterEach(async () => { for (const n of nets.splice(0)) await n.stop(); });

function setup(o: { present?: boolean; stateDir?: string; channel?: number } = {}) {
  const fake = createFakeCoordinator();
  fake.present = o.present ?? true;
  const got: Array<{ id: string; ms: Measurement[] }> = [];
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'anju-zigbee-'));
  const net = createZigbeeNetwork({
    stateDir, log, channel: o.channel ?? 15,
    serialPort: { path: '/dev/serial/by-id/usb-fake-zstack', adapter: 'zstack', baudRate: 115_200, rtscts: false },
    devices: [
      { id: 'smoke-hall', model: 'heiman-hs1sa', ieee: SMOKE.toUpperCase().replace('0X', '0x') },
      { id: 'gas-kitchen', model: 'heiman-hs1cg', ieee: GAS1 },
      { id: 'gas-boiler', model: 'heiman-hs3cg', ieee: GAS3 },
    ],
    onMeasurements: (id, ms) => got.push({ id, ms }),
    controllerFactory: fake.factory,
    timing: { retryMinMs: 20, retryMaxMs: 80, startTimeoutMs: 1000, permitJoinMaxS: 2 },
  });
  nets.push(net);
  return { fake, net, got, stateDir };
}

async function running(net: ZigbeeNetwork) { net.start(); await waitFor('coordinator running', () => net.stats().state === 'running'); }

const zone = (fake: FakeCoordinator, ieee: string, zonestatus: number) =>
  fake.emit().message({ ieee, endpoint: 1, cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus, extendedstatus: 0, zoneid: 23, delay: 0 }, linkquality: 90 });

describe('Zigbee network (fake coordinator)', () => {
  it('an IAS status change of a smoke detector becomes smoke readings; the test bit is not smoke', async () => {
    const { fake, net, got } = setup();
    await running(net);
    zone(fake, SMOKE, 0x0031); // alarm1 + supervision + restore capability bits
    zone(fake, SMOKE, 0x0130); // test button
    zone(fake, SMOKE, 0x0030); // over
    expect(got).toEqual([
      { id: 'smoke-hall', ms: [{ metric: 'smoke', value: true }, { metric: 'batteryLow', value: false }, { metric: 'sensorFault', value: false }, { metric: 'selfTest', value: false }] },
      { id: 'smoke-hall', ms: [{ metric: 'smoke', value: false }, { metric: 'batteryLow', value: false }, { metric: 'sensorFault', value: false }, { metric: 'selfTest', value: true }] },
      { id: 'smoke-hall', ms: [{ metric: 'smoke', value: false }, { metric: 'batteryLow', value: false }, { metric: 'sensorFault', value: false }, { metric: 'selfTest', value: false }] },
    ]);
    expect(net.stats().devices.find((d) => d.id === 'smoke-hall')).toMatchObject({ messages: 3, malformed: 0, linkquality: 90 });
  });

  it('model quirk: HS1CG alarms on alarm1, HS3CG on alarm2, with the same words', async () => {
    const { fake, net, got } = setup();
    await running(net);
    for (const word of [0x0001, 0x0002]) { zone(fake, GAS1, word); zone(fake, GAS3, word); }
    const gas = got.map((g) => [g.id, g.ms.find((m) => m.metric === 'gas')?.value]);
    expect(gas).toEqual([['gas-kitchen', true], ['gas-boiler', false], ['gas-kitchen', false], ['gas-boiler', true]]);
  });

  it('tamper, battery-low and fault bits', async () => {
    const { fake, net, got } = setup();
    await running(net);
    zone(fake, GAS3, 0x0004 | 0x0008 | 0x0080);
    expect(got[0]!.ms).toEqual([{ metric: 'gas', value: false }, { metric: 'tamper', value: true }, { metric: 'batteryLow', value: true }, { metric: 'sensorFault', value: true }]);
  });

  it('malformed messages are counted; unknown devices are counted and listed; a heartbeat is linkQuality', async () => {
    const { fake, net, got } = setup();
    await running(net);
    fake.emit().message({ ieee: SMOKE, endpoint: 1, cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 'x' }, linkquality: 1 });
    fake.emit().message({ ieee: STRANGER, endpoint: 1, cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 1 }, linkquality: 1 });
    fake.emit().deviceInterview(STRANGER, 'successful', { modelId: 'lumi.sensor_magnet.aq2' });
    fake.emit().message({ ieee: SMOKE, endpoint: 1, cluster: 'genBasic', type: 'attributeReport', data: { zclVersion: 1 }, linkquality: 77 });
    expect(got).toEqual([{ id: 'smoke-hall', ms: [{ metric: 'linkQuality', value: 77 }] }]);
    const s = net.stats();
    expect(s.devices[0]).toMatchObject({ malformed: 1 });
    expect(s.devices[0]!.lastMalformed).toContain('zone status');
    expect(s.unknownMessages).toBe(1);
    expect(s.unconfiguredDevices).toEqual([expect.objectContaining({ ieee: STRANGER, modelId: 'lumi.sensor_magnet.aq2' })]);
  });

  it('a throwing onMeasurements is counted, not propagated', async () => {
    const fake = createFakeCoordinator();
    const net = createZigbeeNetwork({
      stateDir: mkdtempSync(join(tmpdir(), 'anju-zigbee-')), log, channel: 15, controllerFactory: fake.factory,
      serialPort: { path: '/dev/x', adapter: 'ember', baudRate: 115_200, rtscts: false },
      devices: [{ id: 's', model: 'heiman-hs1sa', ieee: SMOKE }], onMeasurements: () => { throw new Error('downstream bug'); },
    });
    nets.push(net);
    await running(net);
    expect(() => zone(fake, SMOKE, 1)).not.toThrow();
    expect(net.stats().devices[0]!.handlerErrors).toBe(1);
  });

  it('enrolment after the interview: reads, writes our CIE address, sends the enroll response, then binds and configures reporting', async () => {
    const { fake, net } = setup();
    await running(net);
    fake.devices.set(SMOKE, { ieee: SMOKE, endpoints: { 1: ['genBasic', 'genPowerCfg', 'ssIasZone'] }, ias: { iasCieAddr: '0x0000000000000000', zoneState: 0, zoneType: 0x28 } });
    fake.calls.length = 0;
    fake.emit().deviceJoined(SMOKE);
    fake.emit().deviceInterview(SMOKE, 'successful', { modelId: 'SMOK_V16', manufacturer: 'HEIMAN' });
    await waitFor('configured', () => net.stats().devices[0]!.configured);
    expect(fake.calls).toEqual([
      `read ${SMOKE}/1 ssIasZone`,
      `write ${SMOKE}/1 iasCieAddr=${FAKE_COORDINATOR_IEEE}`,
      `enrollRsp ${SMOKE}/1 zoneid=23`,
      `bind ${SMOKE}/1 genPowerCfg`,
      `report ${SMOKE}/1 genPowerCfg.batteryPercentageRemaining 3600-3600`,
    ]);
    expect(net.stats().devices[0]).toMatchObject({ enrolled: true, modelId: 'SMOK_V16', configureFailures: 0 });

    // An announce (rejoin after a battery change) checks again; already enrolled: only the read.
    fake.calls.length = 0;
    fake.emit().deviceAnnounce(SMOKE);
    await waitFor('checked', () => fake.calls.length > 0);
    await sleep(20);
    expect(fake.calls).toEqual([`read ${SMOKE}/1 ssIasZone`]);
  });

  it('a device that does not answer during set-up is a counted failure, retried at its next announce', async () => {
    const { fake, net } = setup();
    await running(net);
    fake.devices.set(GAS1, { ieee: GAS1, endpoints: { 1: ['ssIasZone'] }, ias: { zoneState: 0 } });
    fake.failRequests = true;
    fake.emit().deviceInterview(GAS1, 'successful', { modelId: 'RH3070' });
    await waitFor('failure counted', () => net.stats().devices[1]!.configureFailures === 1);
    expect(net.stats().devices[1]!.enrolled).toBe(false);
    fake.failRequests = false;
    fake.emit().deviceAnnounce(GAS1);
    await waitFor('enrolled', () => net.stats().devices[1]!.enrolled === true);
    expect(fake.devices.get(GAS1)!.ias).toMatchObject({ iasCieAddr: FAKE_COORDINATOR_IEEE, zoneState: 1 });
  });

  it('permit join is bounded: clamped to the maximum, closed by our own timer', async () => {
    const { fake, net } = setup();
    expect(await net.permitJoin(60)).toMatchObject({ ok: false, code: 'ANJU_ERR_ZIGBEE_NOT_RUNNING' });
    await running(net);
    fake.calls.length = 0;
    const r = await net.permitJoin(600);
    expect(r).toMatchObject({ ok: true, seconds: 2 });
    expect(net.stats().permitJoin).toBe(true);
    expect(fake.calls).toEqual(['permitJoin 2']);
    await waitFor('closed by our timer', () => !net.stats().permitJoin, 5000);
    expect(fake.calls).toEqual(['permitJoin 2', 'permitJoin 0']);
    expect(await net.permitJoin(Number.NaN)).toMatchObject({ ok: true, seconds: 0 });
  });

  it('stick missing: a status, retried with backoff, no throw; runs once it is plugged in', async () => {
    const { fake, net } = setup({ present: false });
    expect(() => net.start()).not.toThrow();
    await waitFor('two failed attempts', () => net.stats().startFailures >= 2);
    const s = net.stats();
    // Retries come every 20-80 ms here: by the time the poll saw two failures the next attempt may be
    // under way ('starting'); the problem and last error stay until one succeeds.
    expect(['retrying', 'starting']).toContain(s.state);
    expect(s).toMatchObject({ problem: 'adapter-unavailable', lastErrorCode: 'ANJU_ERR_ZIGBEE_ADAPTER_UNAVAILABLE' });
    expect(s.lastError).toContain('/dev/serial/by-id/usb-fake-zstack');
    fake.present = true;
    await waitFor('running', () => net.stats().state === 'running');
    expect(net.stats().problem).toBeNull();
    expect(fake.calls.filter((c) => c === 'stop').length).toBeGreaterThanOrEqual(2); // every failed controller was stopped
  });

  it('stick lost while running: status, controller recreated, messages flow again', async () => {
    const { fake, net, got } = setup();
    await running(net);
    fake.present = false;
    fake.emit().adapterDisconnected();
    await waitFor('lost', () => net.stats().problem === 'adapter-lost' || net.stats().startFailures > 0);
    expect(net.stats().adapterLosses).toBe(1);
    fake.present = true;
    await waitFor('running again', () => net.stats().state === 'running' && fake.created >= 2);
    zone(fake, SMOKE, 1);
    expect(got.at(-1)!.ms[0]).toEqual({ metric: 'smoke', value: true });
  });

  it('network settings: a random key on first start, persisted 0600 and reused; a changed channel is a conflict, not a new network', async () => {
    const a = setup();
    await running(a.net);
    const file = join(a.stateDir, 'zigbee', 'network.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { networkKey: string; panId: number; channel: number };
    expect(saved.networkKey).toMatch(/^0x[0-9a-f]{32}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(a.fake.spec!.network.networkKey).toEqual([...Buffer.from(saved.networkKey.slice(2), 'hex')]);
    expect(a.fake.spec!.databasePath).toBe(join(a.stateDir, 'zigbee', 'database.db'));
    expect(a.net.stats().networkCreated).toBe(true);
    await a.net.stop();

    const b = setup({ stateDir: a.stateDir, channel: 20 });
    await running(b.net);
    expect(b.fake.spec!.network).toMatchObject({ channel: 15, panId: saved.panId });
    expect(b.net.stats()).toMatchObject({ networkCreated: false });
    expect(b.net.stats().settingsConflict).toContain('channel 20');

    const other = setup();
    expect(other.fake.spec).toBeNull();
    await running(other.net);
    expect(other.fake.spec!.network.networkKey).not.toEqual(a.fake.spec!.network.networkKey);
  });

  it('a damaged network.json is a status (never replaced by a new key)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-zigbee-'));
    mkdirSync(join(dir, 'zigbee'));
    writeFileSync(join(dir, 'zigbee', 'network.json'), '{"panId": 1}');
    const { net, fake } = setup({ stateDir: dir });
    net.start();
    await waitFor('state problem', () => net.stats().problem === 'state-unavailable');
    expect(net.stats().lastErrorCode).toBe('ANJU_ERR_ZIGBEE_STATE');
    expect(fake.created).toBe(0);
    expect(readFileSync(join(dir, 'zigbee', 'network.json'), 'utf8')).toBe('{"panId": 1}');
  });
});
