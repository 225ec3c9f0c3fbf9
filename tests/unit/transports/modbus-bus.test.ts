/**
 * The bus scheduler over the in-memory fake link: faults with stable codes, retries, backoff of a
 * silent unit, link loss and return, and a throwing consumer. Real timers, short intervals; the
 * real-wire versions of these are in tests/integration/modbus-*.test.ts.
 */
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Measurement } from '../../../src/core/reading.js';
import { modbusModels } from '../../../src/drivers/modbus-registry.js';
import { createFakeModbusLink, createModbusBus, MODBUS_CLEAR_AFTER_GOOD_POLLS, type FakeModbusLink, type FakeUnit, type ModbusBus, type ModbusFault } from '../../../src/transports/modbus/index.js';
import { sleep, waitFor } from '../../helpers/wait.js';

const p4000x = modbusModels['gas-detector-4000x']!.profile;
const p6000h = modbusModels['gas-module-6000h']!.profile;
const timing = { pollIntervalMs: 50, timeoutMs: 40, retries: 1, retryBackoffMs: 10, maxBackoffMs: 400 };

function setup(fake: FakeModbusLink, onMeasurements?: (id: string, m: Measurement[]) => void, t: typeof timing = timing) {
  const got = new Map<string, Measurement[][]>();
  const faults: Array<[string, ModbusFault | null]> = [];
  const bus = createModbusBus({
    id: 'test-bus',
    link: { kind: 'rtu', path: '/dev/null-fake', baudRate: 115_200 },
    createLink: () => fake,
    log: pino({ level: 'silent' }),
    reopenMs: 50,
    devices: [
      { id: 'lel', unitId: 1, profile: p4000x, model: 'gas-detector-4000x', ...t },
      { id: 'co', unitId: 2, profile: p6000h, model: 'gas-module-6000h', ...t },
      { id: 'lel2', unitId: 3, profile: p4000x, ...t },
    ],
    onMeasurements: onMeasurements ?? ((id, m) => got.set(id, [...(got.get(id) ?? []), m])),
    onDeviceFault: (id, f) => faults.push([id, f]),
  });
  return { bus, got, faults, dev: (id: string) => bus.stats().devices.find((d) => d.id === id)! };
}

const units = () => ({
  1: { holding: { 0: 125, 1: 0x0201 } },
  2: { holding: { 0x6000: 0x8001, 0x6001: 60 } },
  3: { holding: { 0: 0, 1: 0x0200 } },
});

let running: ModbusBus | null = null;
afterEach(async () => { vi.useRealTimers(); vi.restoreAllMocks(); await running?.stop(); running = null; });

describe('modbus bus (fake link)', () => {
  it('polls every unit and hands over decoded measurements', async () => {
    const fake = createFakeModbusLink(units());
    const { bus, got, dev } = setup(fake);
    running = bus;
    bus.start();
    await waitFor('three polls of each device', () => ['lel', 'co', 'lel2'].every((id) => (got.get(id)?.length ?? 0) >= 3));
    expect(got.get('lel')![0]).toContainEqual({ metric: 'gasLelPercent', value: 12.5 });
    expect(got.get('co')![0]).toContainEqual({ metric: 'coPpm', value: 60 });
    expect(dev('lel')).toMatchObject({ state: 'ok', fault: null, model: 'gas-detector-4000x', unitId: 1 });
    expect(bus.stats()).toMatchObject({ open: true, opens: 1, reconnects: 0, timeouts: 0 });
  });

  // Rates are measured in fake time (the bus schedules on performance.now() and setTimeout): in
  // real time a loaded machine delays the timers and the healthy unit's rate with them (seen
  // failing with 14 runnable processes on 2 cores).
  it('a silent unit becomes a timeout fault, backs off, and does not slow the others', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    // The bus holds node:perf_hooks' performance object, which faking replaces only on globalThis:
    // its method is what must follow the fake clock.
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now());
    const until = async (what: string, cond: () => boolean, maxMs = 10_000): Promise<void> => {
      for (let t = 0; !cond(); t += 10) {
        if (t > maxMs) throw new Error(`no ${what} within ${maxMs} ms (fake time)`);
        await vi.advanceTimersByTimeAsync(10);
      }
    };

    const fake = createFakeModbusLink(units());
    const { bus, got, faults, dev } = setup(fake);
    running = bus;
    bus.start();
    await until('first polls', () => (got.get('lel')?.length ?? 0) > 0);
    const base = got.get('lel')!.length;
    await vi.advanceTimersByTimeAsync(1000);
    const healthyRate = (got.get('lel')!.length - base) / 1000;

    fake.setUnit(3, { behaviour: 'dead' });
    await until('the dead unit to back off to its ceiling', () => dev('lel2').currentIntervalMs === 400);
    expect(dev('lel2').fault?.code).toBe('ANJU_ERR_MODBUS_TIMEOUT');
    expect(faults.filter(([id]) => id === 'lel2')).toHaveLength(1); // raised once, not per poll
    const before = { lel: got.get('lel')!.length, lel2: got.get('lel2')!.length, dead: fake.requestsTo(3) };
    await vi.advanceTimersByTimeAsync(1000);
    // The healthy unit keeps most of its rate; a bus that waited out every retry in line would
    // drop to about half.
    expect((got.get('lel')!.length - before.lel) / 1000).toBeGreaterThan(healthyRate * 0.7);
    // Backed off to 400 ms with one retry: about 5 requests a second, not 40.
    expect(fake.requestsTo(3) - before.dead).toBeLessThanOrEqual(10);
    expect(got.get('lel2')!.length).toBe(before.lel2);

    fake.setUnit(3, units()[3]);
    await until('the unit to come back', () => dev('lel2').state === 'ok');
    await until('the fault episode to end (MODBUS_CLEAR_AFTER_GOOD_POLLS answers in a row)', () => dev('lel2').fault === null);
    expect(faults.at(-1)).toEqual(['lel2', null]);
    expect(faults.filter(([id]) => id === 'lel2')).toHaveLength(2); // raised once, cleared once
    expect(dev('lel2').currentIntervalMs).toBe(50);
    await bus.stop();
    running = null;
  });

  it('an exception is a fault with its own code; only "busy" is retried', async () => {
    const fake = createFakeModbusLink({ ...units(), 2: { behaviour: 0x02 } });
    const { bus, dev } = setup(fake);
    running = bus;
    bus.start();
    await waitFor('exception fault', () => dev('co').fault?.code === 'ANJU_ERR_MODBUS_EXCEPTION_02');
    // Polls, not a fixed 200 ms: a loaded machine may run only one or two in that time.
    const polled = dev('co').polls;
    await waitFor('three more polls of the failing unit, four of a healthy one', () => dev('co').polls >= polled + 3 && dev('lel').pollsOk > 3);
    expect(dev('co').retries).toBe(0);
    expect(dev('co').fault).toMatchObject({ exceptionCode: 2, message: 'exception 02: illegal data address' });
    expect(dev('co').currentIntervalMs).toBe(50); // it answers, so it is not backed off
    expect(dev('lel').pollsOk).toBeGreaterThan(3);

    fake.setUnit(2, { behaviour: 0x06 });
    await waitFor('busy fault', () => dev('co').fault?.code === 'ANJU_ERR_MODBUS_EXCEPTION_06');
    expect(dev('co').retries).toBeGreaterThan(0);
  });

  it('reports every device as link-down while the bus is gone, and recovers on its own', async () => {
    const fake = createFakeModbusLink(units());
    const { bus, got, dev } = setup(fake);
    running = bus;
    bus.start();
    await waitFor('first polls', () => (got.get('lel')?.length ?? 0) > 0);
    fake.unplug();
    await waitFor('bus closed', () => !bus.stats().open);
    expect(['lel', 'co', 'lel2'].map((id) => dev(id).fault?.code)).toEqual(Array(3).fill('ANJU_ERR_MODBUS_LINK_DOWN'));
    await sleep(200);
    expect(bus.stats().open).toBe(false);
    fake.plug();
    await waitFor('reconnected and healthy', () => bus.stats().reconnects === 1 && ['lel', 'co', 'lel2'].every((id) => dev(id).state === 'ok'));
  });

  it('one fault episode per device: code changes and single good answers in between raise nothing new (issue 12, finding 13)', async () => {
    const fake = createFakeModbusLink(units());
    // Unit 3 answers each request by this script, then normally: failures of three kinds with single
    // good answers between them, then MODBUS_CLEAR_AFTER_GOOD_POLLS good ones in a row.
    const script: Array<FakeUnit['behaviour']> = [0x02, 'ok', 0x04, 'ok', 'ok', 0x03, ...Array<'ok'>(MODBUS_CLEAR_AFTER_GOOD_POLLS).fill('ok')];
    const link: FakeModbusLink = Object.assign(Object.create(fake) as FakeModbusLink, {
      read(req: Parameters<FakeModbusLink['read']>[0]) {
        if (req.unitId === 3 && script.length > 0) fake.setUnit(3, { ...units()[3], behaviour: script.shift()! });
        return fake.read(req);
      },
    });
    const faults: Array<[string, ModbusFault | null, ModbusFault | undefined]> = [];
    const bus = createModbusBus({
      id: 'test-bus', link: { kind: 'rtu', path: '/dev/null-fake', baudRate: 115_200 }, createLink: () => link, log: pino({ level: 'silent' }),
      devices: [{ id: 'lel2', unitId: 3, profile: p4000x, ...timing }],
      onMeasurements: () => undefined,
      onDeviceFault: (id, f, ended) => faults.push([id, f, ended]),
    });
    running = bus;
    bus.start();
    await waitFor('the script played and the episode ended', () => script.length === 0 && bus.stats().devices[0]!.fault === null);
    expect(faults.map(([, f]) => (f ? f.code : null))).toEqual(['ANJU_ERR_MODBUS_EXCEPTION_02', null]);
    expect(faults[1]![2]).toMatchObject({ firstCode: 'ANJU_ERR_MODBUS_EXCEPTION_02', code: 'ANJU_ERR_MODBUS_EXCEPTION_03', codeChanges: 2, failures: 3, exceptionCode: 3 });
  });

  it('a consumer that throws is counted and logged; polling goes on', async () => {
    const fake = createFakeModbusLink(units());
    let calls = 0;
    const { bus } = setup(fake, () => { calls++; throw new Error('downstream bug'); });
    running = bus;
    bus.start();
    await waitFor('several failed hand-overs', () => calls >= 6);
    expect(bus.stats().handlerErrors).toBeGreaterThanOrEqual(6);
  });

  it('stops without waiting for a request to a silent unit to time out', async () => {
    const fake = createFakeModbusLink({ 1: { behaviour: 'dead' } });
    // A ten-minute timeout: were stop() to wait for the request, the test would time out instead.
    const { bus } = setup(fake, undefined, { ...timing, timeoutMs: 600_000 });
    bus.start();
    await waitFor('a request out', () => fake.requestsTo(1) > 0);
    await bus.stop();
    expect(bus.stats().open).toBe(false);
  });
});
