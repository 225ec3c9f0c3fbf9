import { exceptionFailure, linkDownFailure, timeoutFailure, type ModbusLink, type ReadRequest, type ReadResult } from './modbus-link.js';

/** A simulated unit: register values by address, and how it behaves. */
export interface FakeUnit {
  holding?: Record<number, number>;
  input?: Record<number, number>;
  /** "dead": never answers (each request takes its full timeout); a number: answers that exception code. */
  behaviour?: 'ok' | 'dead' | number;
}

export interface FakeModbusLink extends ModbusLink {
  /** Replace or add a unit (registers and behaviour) while the bus runs. */
  setUnit(unitId: number, unit: FakeUnit): void;
  /** The link goes away as if the adapter were pulled; open() fails until plug(). */
  unplug(): void;
  plug(): void;
  /** Requests seen, per unit id. */
  requestsTo(unitId: number): number;
}

/**
 * An in-memory Modbus link for tests of the bus and of the daemon wiring: the same contract as the
 * RTU and TCP links (one request at a time, never rejects, settles within the timeout), with unit
 * behaviour under the test's control. A missing unit behaves like a dead one; a register the unit
 * does not have answers exception 02, as real devices do.
 */
export function createFakeModbusLink(units: Record<number, FakeUnit> = {}, opts: { responseMs?: number } = {}): FakeModbusLink {
  const table = new Map(Object.entries(units).map(([k, v]) => [Number(k), v]));
  const responseMs = opts.responseMs ?? 1;
  const seen = new Map<number, number>();
  let plugged = true;
  let open = false;
  let lostFn: (why: string) => void = () => undefined;
  let inflight: ((r: ReadResult) => void) | null = null;

  const answer = (req: ReadRequest): ReadResult | null => {
    const u = table.get(req.unitId);
    if (!u || u.behaviour === 'dead') return null;
    if (typeof u.behaviour === 'number') return { ok: false, failure: exceptionFailure(u.behaviour) };
    const regs = (req.function === 3 ? u.holding : u.input) ?? {};
    const words: number[] = [];
    for (let a = req.address; a < req.address + req.count; a++) {
      const w = regs[a];
      if (w === undefined) return { ok: false, failure: exceptionFailure(0x02) };
      words.push(w);
    }
    return { ok: true, words };
  };

  return {
    get isOpen() { return open; },
    async open() {
      if (!plugged) return 'no such device (unplugged)';
      open = true;
      return null;
    },
    read(req) {
      seen.set(req.unitId, (seen.get(req.unitId) ?? 0) + 1);
      if (!open) return Promise.resolve({ ok: false, failure: linkDownFailure('not open') });
      return new Promise((resolve) => {
        const r = answer(req);
        const t = setTimeout(() => settle(r ?? { ok: false, failure: timeoutFailure(req.timeoutMs) }), r ? responseMs : req.timeoutMs);
        function settle(x: ReadResult): void { clearTimeout(t); inflight = null; resolve(x); }
        inflight = settle;
      });
    },
    async close() {
      open = false;
      inflight?.({ ok: false, failure: linkDownFailure('closed') });
    },
    onLost(fn) { lostFn = fn; },
    lineCounters: () => ({ crcErrors: 0, garbageBytes: 0 }),
    setUnit(unitId, unit) { table.set(unitId, unit); },
    unplug() {
      plugged = false;
      if (!open) return;
      open = false;
      inflight?.({ ok: false, failure: linkDownFailure('unplugged') });
      lostFn('unplugged');
    },
    plug() { plugged = true; },
    requestsTo: (unitId) => seen.get(unitId) ?? 0,
  };
}
