/**
 * Modbus TCP against a real server on 127.0.0.1 (modbus-serial's ServerTCP, answering for three
 * unit ids like an RS-485 gateway): fixtures decode exactly, exceptions and silent units become
 * faults without stalling the others, and a dropped connection or a rebooted gateway is
 * reconnected, visible in the stats. Transport and decoder run in-process.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/core/reading.js';
import { modbusModels, type ModbusModel } from '../../src/drivers/modbus-registry.js';
import { createModbusBus, type ModbusBus } from '../../src/transports/modbus/index.js';
import { loadRegisterFixture, type RegisterFixtureFile } from '../helpers/modbus-fixtures.js';
import { startTcpSlave, type TcpSlaveSim } from '../helpers/modbus-tcp-slave.js';
import { sleep, waitFor } from '../helpers/wait.js';

interface Unit { id: string; unitId: number; model: ModbusModel; fixture: RegisterFixtureFile }

const UNITS: Unit[] = [
  { id: 'lel-kitchen', unitId: 1, model: 'gas-detector-4000x', fixture: loadRegisterFixture('gas-detector-4000x') },
  { id: 'co-boiler', unitId: 2, model: 'gas-module-6000h', fixture: loadRegisterFixture('gas-module-6000h') },
  { id: 'generic-hall', unitId: 3, model: 'modbus-generic', fixture: loadRegisterFixture('modbus-generic') },
];
const timing = { pollIntervalMs: 200, timeoutMs: 150, retries: 1, retryBackoffMs: 20, maxBackoffMs: 1000 };

/** The registers of fixture case `i` of a unit, as the server's register table. */
function registersOf(u: Unit, i: number) {
  const c = u.fixture.cases[i % u.fixture.cases.length]!;
  const holding: Record<number, number> = {};
  const input: Record<number, number> = {};
  for (const r of c.registers) r.words.forEach((w, k) => ((r.function === 3 ? holding : input)[r.address + k] = w));
  return { regs: { holding, input }, expect: c.expect };
}

describe('modbus TCP bus', () => {
  let server: TcpSlaveSim;
  let bus: ModbusBus;
  const batches = new Map<string, Array<{ seq: number; m: Measurement[] }>>();
  let seq = 0;
  const dev = (id: string) => bus.stats().devices.find((d) => d.id === id)!;
  const since = (id: string, mark: number) => (batches.get(id) ?? []).filter((b) => b.seq > mark).map((b) => b.m);
  const load = (s: TcpSlaveSim, i: number) => UNITS.map((u) => { const r = registersOf(u, i); s.setUnit(u.unitId, r.regs); return r.expect; });

  beforeAll(async () => {
    server = await startTcpSlave();
    load(server, 0);
    bus = createModbusBus({
      id: 'tcp-test',
      link: { kind: 'tcp', host: '127.0.0.1', port: server.port, connectTimeoutMs: 1000 },
      devices: UNITS.map((u) => ({ id: u.id, unitId: u.unitId, model: u.model, profile: modbusModels[u.model]!.profile, ...timing })),
      onMeasurements: (id, m) => batches.set(id, [...(batches.get(id) ?? []), { seq: ++seq, m }]),
      log: pino({ level: 'silent' }),
    });
    bus.start();
    await waitFor('first poll of every unit', () => UNITS.every((u) => batches.has(u.id)), 10_000);
  });

  afterAll(async () => {
    await bus?.stop();
    await server?.close();
  });

  it('decodes every fixture of three models exactly, from three unit ids behind one connection', async () => {
    const rounds = Math.max(...UNITS.map((u) => u.fixture.cases.length));
    for (let i = 0; i < rounds; i++) {
      const mark = seq;
      const expected = load(server, i);
      await waitFor(`round ${i}`, () => UNITS.every((u, k) => since(u.id, mark).some((m) => JSON.stringify(m) === JSON.stringify(expected[k]))), 10_000);
    }
    expect(bus.stats()).toMatchObject({ kind: 'tcp', open: true, timeouts: 0, exceptions: 0 });
  });

  it('exceptions and a silent unit are faults with stable codes; the healthy unit keeps polling', async () => {
    server.setBehaviour(2, { kind: 'exception', code: 0x04 });
    server.setBehaviour(3, { kind: 'dead' });
    await waitFor('faults', () => dev('co-boiler').fault?.code === 'ANJU_ERR_MODBUS_EXCEPTION_04' && dev('generic-hall').fault?.code === 'ANJU_ERR_MODBUS_TIMEOUT');
    const mark = seq;
    await sleep(2000);
    expect(since('lel-kitchen', mark).length).toBeGreaterThanOrEqual(6); // 10 at 200 ms
    server.setBehaviour(2, { kind: 'ok' });
    server.setBehaviour(3, { kind: 'ok' });
    await waitFor('both back', () => dev('co-boiler').state === 'ok' && dev('generic-hall').state === 'ok', 5000);
  });

  it('reconnects after the gateway drops the connection, and after it reboots', async () => {
    server.dropConnections();
    await waitFor('reconnected', () => bus.stats().reconnects >= 1 && bus.stats().open, 5000);
    let mark = seq;
    await waitFor('polling again', () => UNITS.every((u) => since(u.id, mark).length > 0), 5000);

    const port = server.port;
    await server.close();
    await waitFor('every device link-down', () => UNITS.every((u) => dev(u.id).fault?.code === 'ANJU_ERR_MODBUS_LINK_DOWN'), 5000);
    // Back soon after the slave reboots: no reopen wait is longer than the cap (1 s by default), read
    // from the supervisor's bookkeeping rather than timed against a wall clock a loaded machine stretches.
    const delays = new Set<number>();
    await waitFor('three failed reopens', () => {
      const r = bus.stats().retry;
      if (r.retryDelayMs !== null) delays.add(r.retryDelayMs);
      return r.failures >= 3;
    });
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    server = await startTcpSlave(port);
    load(server, 0);
    mark = seq;
    await waitFor('back after the reboot', () => bus.stats().open && UNITS.every((u) => dev(u.id).state === 'ok' && since(u.id, mark).length > 0));
    expect(bus.stats().reconnects).toBeGreaterThanOrEqual(2);
  });
});
