/**
 * One contract for every Modbus link (GUIDE convention 7): the RTU link over a pty with the slave
 * simulator, the TCP link against ServerTCP, and the in-memory fake the daemon's tests can use all
 * pass the same suite. The bus relies on exactly these promises: words for a healthy unit, a
 * timeout (not a hang) for a silent one, exceptions with their code, link-down when closed, and
 * never a rejected promise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeModbusLink, type FakeModbusLink, type ModbusLink } from '../../src/transports/modbus/index.js';
import { createRtuLink } from '../../src/transports/modbus/rtu-link.js';
import { createTcpLink } from '../../src/transports/modbus/tcp-link.js';
import { RtuSlaveSim, type UnitBehaviour } from '../helpers/modbus-rtu-slave.js';
import { startTcpSlave, type TcpSlaveSim } from '../helpers/modbus-tcp-slave.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

interface Harness {
  link: ModbusLink;
  /** Unit 1: holding 0..2 = 10, 20, 30 and input 5 = 0xBEEF; its behaviour as given. */
  setUnit1(behaviour: UnitBehaviour): void;
  cleanup(): Promise<void>;
}

function describeLinkContract(name: string, make: () => Promise<Harness>): void {
  describe(`modbus link contract: ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await make();
      expect(await h.link.open()).toBeNull();
    });
    afterAll(async () => h?.cleanup());

    // A healthy unit answers within milliseconds; the generous timeout only keeps a loaded machine
    // (test and simulator share one event loop) from turning a late answer into a timeout. The
    // silent unit is read with a short one.
    const req = { unitId: 1, function: 3 as const, address: 0, count: 3, timeoutMs: 5000 };
    const SILENT_TIMEOUT_MS = 200;

    it('reads holding and input registers', async () => {
      h.setUnit1({ kind: 'ok' });
      expect(await h.link.read(req)).toEqual({ ok: true, words: [10, 20, 30] });
      expect(await h.link.read({ ...req, function: 4, address: 5, count: 1 })).toEqual({ ok: true, words: [0xbeef] });
    });

    it('answers exception 02 for a register the unit lacks, and passes other exception codes on', async () => {
      h.setUnit1({ kind: 'ok' });
      const r = await h.link.read({ ...req, address: 1, count: 5 });
      expect(r).toEqual({ ok: false, failure: expect.objectContaining({ kind: 'exception', exceptionCode: 2, code: 'ANJU_ERR_MODBUS_EXCEPTION_02' }) });
      h.setUnit1({ kind: 'exception', code: 0x06 });
      expect(await h.link.read(req)).toEqual({ ok: false, failure: expect.objectContaining({ kind: 'exception', exceptionCode: 6, code: 'ANJU_ERR_MODBUS_EXCEPTION_06' }) });
    });

    it('times out on a silent unit within about its timeout, then works again', async () => {
      h.setUnit1({ kind: 'dead' });
      const t0 = Date.now();
      const r = await h.link.read({ ...req, timeoutMs: SILENT_TIMEOUT_MS });
      expect(r).toEqual({ ok: false, failure: expect.objectContaining({ kind: 'timeout', code: 'ANJU_ERR_MODBUS_TIMEOUT' }) });
      // It waited its timeout (no early give-up); that it did not hang is the test's own timeout.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
      h.setUnit1({ kind: 'ok' });
      expect(await h.link.read(req)).toEqual({ ok: true, words: [10, 20, 30] });
    });

    it('settles an in-flight read as link-down when closed, and answers link-down while closed', async () => {
      h.setUnit1({ kind: 'dead' });
      const pending = h.link.read({ ...req, timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 50));
      await h.link.close();
      // link-down, not the timeout a 5 s wait would have ended in: settled by the close itself.
      expect(await pending).toEqual({ ok: false, failure: expect.objectContaining({ kind: 'link-down', code: 'ANJU_ERR_MODBUS_LINK_DOWN' }) });
      expect(h.link.isOpen).toBe(false);
      expect(await h.link.read(req)).toEqual({ ok: false, failure: expect.objectContaining({ kind: 'link-down' }) });
      expect(await h.link.open()).toBeNull();
      h.setUnit1({ kind: 'ok' });
      expect(await h.link.read(req)).toEqual({ ok: true, words: [10, 20, 30] });
    });
  });
}

const unit1 = { holding: { 0: 10, 1: 20, 2: 30 }, input: { 5: 0xbeef } };

describeLinkContract('fake (in-memory)', async () => {
  const link: FakeModbusLink = createFakeModbusLink({ 1: unit1 });
  return {
    link,
    setUnit1: (b) => link.setUnit(1, { ...unit1, behaviour: b.kind === 'ok' ? 'ok' : b.kind === 'dead' ? 'dead' : b.code }),
    cleanup: () => link.close(),
  };
});

describeLinkContract('RTU over a pty', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modbus-contract-'));
  const pty: PtyPair = await createPtyPair(dir, 'rs485');
  const sim = new RtuSlaveSim(pty.simPath);
  sim.setUnit(1, unit1);
  await sim.start();
  const link = createRtuLink({ path: pty.devicePath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
  return {
    link,
    setUnit1: (b) => sim.setBehaviour(1, b),
    cleanup: async () => { await link.close(); await sim.stop(); await pty.unplug(); rmSync(dir, { recursive: true, force: true }); },
  };
});

describeLinkContract('TCP to ServerTCP', async () => {
  const server: TcpSlaveSim = await startTcpSlave();
  server.setUnit(1, unit1);
  const link = createTcpLink({ host: '127.0.0.1', port: server.port, connectTimeoutMs: 1000 });
  return {
    link,
    setUnit1: (b) => server.setBehaviour(1, b),
    cleanup: async () => { await link.close(); await server.close(); },
  };
});
