/**
 * Modbus RTU over a real serial line: socat joins two ptys, the bus transport opens one end as its
 * RS-485 adapter, and a slave simulator that checks every CRC (tests/helpers/modbus-rtu-slave.ts)
 * answers for three unit ids on the other end. Transport and profile decoder run in-process.
 * Timing assertions are generous bounds only (speed belongs in bench/).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Measurement, Reading } from '../../src/core/reading.js';
import { fireGasDetector } from '../../src/detectors/fire-gas.js';
import { FireGasSettingsSchema } from '../../src/detectors/settings/fire-gas.js';
import { modbusModels, type ModbusModel } from '../../src/drivers/modbus-registry.js';
import { createModbusBus, type ModbusBus, type ModbusFault } from '../../src/transports/modbus/index.js';
import { loadRegisterFixture, type RegisterFixtureFile } from '../helpers/modbus-fixtures.js';
import { RtuSlaveSim } from '../helpers/modbus-rtu-slave.js';
import { prng, randomBytes } from '../helpers/prng.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { sleep, waitFor } from '../helpers/wait.js';

interface Unit { id: string; unitId: number; model: ModbusModel; fixture: RegisterFixtureFile }

const UNITS: Unit[] = [
  { id: 'lel-kitchen', unitId: 1, model: 'gas-detector-4000x', fixture: loadRegisterFixture('gas-detector-4000x') },
  { id: 'co-boiler', unitId: 7, model: 'gas-module-6000h', fixture: loadRegisterFixture('gas-module-6000h') },
  { id: 'generic-hall', unitId: 12, model: 'modbus-generic', fixture: loadRegisterFixture('modbus-generic') },
];
const timing = { pollIntervalMs: 200, timeoutMs: 150, retries: 1, retryBackoffMs: 20, maxBackoffMs: 1000 };

describe('modbus RTU bus on a pty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modbus-rtu-'));
  let pty: PtyPair;
  let sim: RtuSlaveSim;
  let bus: ModbusBus;
  const batches = new Map<string, Array<{ seq: number; m: Measurement[] }>>();
  const faults: Array<[string, ModbusFault | null]> = [];
  let seq = 0;

  const dev = (id: string) => bus.stats().devices.find((d) => d.id === id)!;
  const since = (id: string, mark: number) => (batches.get(id) ?? []).filter((b) => b.seq > mark).map((b) => b.m);
  /** Fixture case `i` of a unit, from its next poll on (never half of a poll: see showAtNextPoll). */
  const showCase = (u: Unit, i: number) => {
    const c = u.fixture.cases[i % u.fixture.cases.length]!;
    sim.showAtNextPoll(u.unitId, c.registers);
    return c;
  };
  const decodedSince = (u: Unit, mark: number, expected: Measurement[]) => since(u.id, mark).some((m) => JSON.stringify(m) === JSON.stringify(expected));

  beforeAll(async () => {
    pty = await createPtyPair(dir, 'rs485');
    sim = new RtuSlaveSim(pty.simPath);
    for (const u of UNITS) sim.setUnit(u.unitId, {});
    for (const u of UNITS) showCase(u, 0);
    await sim.start();
    bus = createModbusBus({
      id: 'rs485-test',
      link: { kind: 'rtu', path: pty.devicePath, baudRate: 9600 },
      devices: UNITS.map((u) => ({ id: u.id, unitId: u.unitId, model: u.model, profile: modbusModels[u.model]!.profile, ...timing })),
      onMeasurements: (id, m) => batches.set(id, [...(batches.get(id) ?? []), { seq: ++seq, m }]),
      onDeviceFault: (id, f) => faults.push([id, f]),
      log: pino({ level: 'silent' }),
    });
    bus.start();
    await waitFor('first poll of every unit', () => UNITS.every((u) => batches.has(u.id)), 10_000);
  });

  afterAll(async () => {
    await bus?.stop();
    await sim?.stop();
    await pty?.unplug();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes every fixture of three models exactly, from three unit ids on one line', async () => {
    const rounds = Math.max(...UNITS.map((u) => u.fixture.cases.length));
    for (let i = 0; i < rounds; i++) {
      const mark = seq;
      const expected = UNITS.map((u) => showCase(u, i).expect);
      await waitFor(`round ${i}: every unit's fixture decoded`, () => UNITS.every((u, k) => decodedSince(u, mark, expected[k]!)), 10_000);
    }
    // Nothing else ever came out: every batch is one of the fixtures' expectations.
    for (const u of UNITS) {
      const allowed = new Set(u.fixture.cases.map((c) => JSON.stringify(c.expect)));
      for (const b of batches.get(u.id)!) expect(allowed.has(JSON.stringify(b.m)), `${u.id}: ${JSON.stringify(b.m)}`).toBe(true);
    }
    expect(sim.stats.crcErrors).toBe(0); // every request the transport sent had a valid CRC
    // No timeouts is not asserted: on a loaded machine the simulator may answer after timeoutMs (150 ms),
    // which is a counted timeout and a retry, not a decoding fault (the batches above are all exact).
    expect(bus.stats()).toMatchObject({ exceptions: 0, crcErrors: 0 });
  });

  it('a case shown half-way through a poll (first read answered, second not yet asked) comes out whole', async () => {
    const generic = UNITS.find((u) => u.model === 'modbus-generic')!; // two reads per poll
    const allowed = new Set(generic.fixture.cases.map((c) => JSON.stringify(c.expect)));
    for (let i = 1; i <= 6; i++) {
      // The worst moment to switch: unit 12 was asked its first read (odd count), not yet its second.
      const deadline = Date.now() + 10_000;
      while (sim.requestsTo(generic.unitId) % 2 === 0) {
        if (Date.now() > deadline) throw new Error('generic-hall is not being polled');
        await new Promise((r) => setImmediate(r));
      }
      const mark = seq;
      const c = showCase(generic, i);
      await waitFor(`case ${i} decoded`, () => decodedSince(generic, mark, c.expect), 10_000);
    }
    for (const b of batches.get(generic.id)!) expect(allowed.has(JSON.stringify(b.m)), `a mixed batch: ${JSON.stringify(b.m)}`).toBe(true);
  });

  it('a concentration over its threshold reaches the fire-gas detector as a reading with its unit', async () => {
    sim.setRegisters(1, 3, 0, [125, 0x0200]); // 12.5 %LEL, the detector's own alarm bits not (yet) set
    sim.setRegisters(7, 3, 0x6000, [0x8000, 60]); // 60 ppm CO, below the module's own alarm level
    const mark = seq;
    await waitFor('new readings', () => since('lel-kitchen', mark).length > 0 && since('co-boiler', mark).length > 0);
    const settings = FireGasSettingsSchema.parse({});
    const eventsOf = (device: string) => {
      let state = fireGasDetector.initialState();
      const events = [];
      for (const m of since(device, mark)[0]!) {
        const reading: Reading = { ...m, device, ts: 1000 };
        const r = fireGasDetector.step(state, reading, 1000, settings);
        state = r.state;
        events.push(...r.events);
      }
      return events;
    };
    expect(eventsOf('lel-kitchen')).toEqual([expect.objectContaining({ type: 'alarm.gas', state: 'raised', data: expect.objectContaining({ source: 'gasLelPercent', value: 12.5, unit: '%LEL' }) })]);
    expect(eventsOf('co-boiler')).toEqual([expect.objectContaining({ type: 'alarm.co', state: 'raised', data: expect.objectContaining({ source: 'coPpm', value: 60, unit: 'ppm' }) })]);
  });

  it('an exception response is a device fault with its stable code; the others keep polling', async () => {
    sim.setBehaviour(7, { kind: 'exception', code: 0x02 });
    await waitFor('exception fault', () => dev('co-boiler').fault?.code === 'ANJU_ERR_MODBUS_EXCEPTION_02');
    expect(faults).toContainEqual(['co-boiler', expect.objectContaining({ code: 'ANJU_ERR_MODBUS_EXCEPTION_02', exceptionCode: 2 })]);
    const mark = seq;
    await waitFor('the others polled 3 times meanwhile', () => since('lel-kitchen', mark).length >= 3 && since('generic-hall', mark).length >= 3);
    expect(since('co-boiler', mark)).toEqual([]);
    expect(dev('co-boiler').state).toBe('fault');

    sim.setBehaviour(7, { kind: 'ok' });
    await waitFor('recovered', () => dev('co-boiler').state === 'ok');
    // The fault episode ends after MODBUS_CLEAR_AFTER_GOOD_POLLS answered polls in a row.
    await waitFor('the fault episode ended', () => dev('co-boiler').fault === null);
    expect(faults.at(-1)).toEqual(['co-boiler', null]);
  });

  it("a dead unit's timeouts do not stall the others, and it is polled less and less", async () => {
    await sleep(500);
    const baseline = { mark: seq, t: Date.now() };
    await sleep(2000);
    const healthyRate = since('lel-kitchen', baseline.mark).length / (Date.now() - baseline.t);

    sim.setBehaviour(12, { kind: 'dead' });
    await waitFor('timeout fault', () => dev('generic-hall').fault?.code === 'ANJU_ERR_MODBUS_TIMEOUT');
    await waitFor('backed off to the ceiling', () => dev('generic-hall').currentIntervalMs === timing.maxBackoffMs, 10_000);
    const mark = { seq, t: Date.now(), deadRequests: sim.requestsTo(12) };
    await sleep(3000);
    const elapsed = Date.now() - mark.t;
    const lel = since('lel-kitchen', mark.seq).length;
    const co = since('co-boiler', mark.seq).length;
    // The healthy units keep most of their rate (3 s at 200 ms is 15 polls).
    expect(lel / elapsed).toBeGreaterThan(healthyRate * 0.6);
    expect(co / elapsed).toBeGreaterThan(healthyRate * 0.6);
    // The dead one: (retries + 1) requests per backed-off poll, about one poll a second.
    expect(sim.requestsTo(12) - mark.deadRequests).toBeLessThanOrEqual(2 * Math.ceil(elapsed / timing.maxBackoffMs) + 2);
    expect(dev('generic-hall').timeouts).toBeGreaterThan(0);

    sim.setBehaviour(12, { kind: 'ok' });
    await waitFor('dead unit back', () => dev('generic-hall').state === 'ok', 5000);
    expect(dev('generic-hall').currentIntervalMs).toBe(timing.pollIntervalMs);
  });

  it('random noise and corrupted answers on the line crash nothing and decode nothing wrong', async () => {
    const shown = seq;
    const cases = UNITS.map((u) => showCase(u, 1).expect);
    const expected = cases.map((c) => JSON.stringify(c));
    await waitFor('the new values through', () => UNITS.every((u, k) => decodedSince(u, shown, cases[k]!)));
    const mark = seq;
    const before = { crc: bus.stats().crcErrors, garbage: bus.stats().garbageBytes };
    const rand = prng(485);
    let corrupted = 0;
    for (let i = 0; i < 30; i++) {
      sim.inject(randomBytes(rand, 1 + Math.floor(rand() * 24)));
      if (i % 5 === 0) { sim.corruptNextAnswer(UNITS[i % 3]!.unitId); corrupted++; }
      await sleep(Math.floor(rand() * 150));
    }
    await sleep(500);
    const s = bus.stats();
    expect(s.open).toBe(true);
    expect(s.garbageBytes).toBeGreaterThan(before.garbage);
    expect(s.crcErrors - before.crc).toBeGreaterThanOrEqual(corrupted);
    UNITS.forEach((u, k) => {
      const got = since(u.id, mark);
      expect(got.length, u.id).toBeGreaterThanOrEqual(5);
      for (const m of got) expect(JSON.stringify(m), u.id).toBe(expected[k]);
    });
    await waitFor('all healthy after the noise', () => UNITS.every((u) => dev(u.id).state === 'ok'));
  });

  it('unplugging the adapter faults every device; it keeps retrying, each wait within the reopen cap, and after replugging it is back, visible in the stats', async () => {
    await sim.stop();
    await pty.unplug();
    await waitFor('bus lost', () => !bus.stats().open);
    await waitFor('every device link-down', () => UNITS.every((u) => dev(u.id).fault?.code === 'ANJU_ERR_MODBUS_LINK_DOWN'));
    // It keeps trying while the port is gone, without crashing; "back soon after a replug" is the
    // promise that no wait is longer than the reopen cap (1 s by default), read from the supervisor's
    // bookkeeping rather than timed against a wall clock (which a loaded machine stretches).
    const delays = new Set<number>();
    await waitFor('three failed reopens', () => {
      const r = bus.stats().retry;
      if (r.retryDelayMs !== null) delays.add(r.retryDelayMs);
      return r.failures >= 3;
    });
    expect(bus.stats().lastError).toBeTruthy();
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);

    await pty.plug();
    await sim.start();
    const mark = seq;
    await waitFor('reopened and every unit answering', () => bus.stats().open && UNITS.every((u) => dev(u.id).state === 'ok' && since(u.id, mark).length > 0));
    expect(bus.stats()).toMatchObject({ open: true, reconnects: 1, opens: 2 });
  });
});
