import { ServerTCP } from 'modbus-serial';
import { freePort } from './peers.js';
import type { UnitBehaviour } from './modbus-rtu-slave.js';

/**
 * A Modbus TCP server for tests on 127.0.0.1: modbus-serial's own ServerTCP (an implementation
 * independent of our client code path), answering for several unit ids like an RS-485 gateway.
 */
export interface TcpSlaveSim {
  readonly port: number;
  setUnit(unitId: number, regs: { holding?: Record<number, number>; input?: Record<number, number> }, behaviour?: UnitBehaviour): void;
  setBehaviour(unitId: number, behaviour: UnitBehaviour): void;
  requestsTo(unitId: number): number;
  /** Drops every open connection (a gateway rebooting), keeps listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

type Cb<T> = (err: Error | null, value?: T) => void;

/** Starts a server on `port` (a free one by default; pass the old one to simulate a gateway reboot). */
export async function startTcpSlave(port?: number): Promise<TcpSlaveSim> {
  port ??= await freePort();
  const units = new Map<number, { holding: Map<number, number>; input: Map<number, number>; behaviour: UnitBehaviour }>();
  const requests = new Map<number, number>();

  const read = (kind: 'holding' | 'input', addr: number, length: number, unitID: number, cb: Cb<number[]>): void => {
    requests.set(unitID, (requests.get(unitID) ?? 0) + 1);
    const u = units.get(unitID);
    if (!u || u.behaviour.kind === 'dead') return; // never call back: the client times out
    if (u.behaviour.kind === 'exception') { cb(Object.assign(new Error('exception'), { modbusErrorCode: u.behaviour.code })); return; }
    const words: number[] = [];
    for (let a = addr; a < addr + length; a++) {
      const w = u[kind].get(a);
      if (w === undefined) { cb(Object.assign(new Error('illegal address'), { modbusErrorCode: 2 })); return; }
      words.push(w);
    }
    cb(null, words);
  };

  const vector = {
    getHoldingRegister: (addr: number, unitID: number, cb: Cb<number>) => read('holding', addr, 1, unitID, (e, v) => cb(e, v?.[0])),
    getMultipleHoldingRegisters: (addr: number, length: number, unitID: number, cb: Cb<number[]>) => read('holding', addr, length, unitID, cb),
    getInputRegister: (addr: number, unitID: number, cb: Cb<number>) => read('input', addr, 1, unitID, (e, v) => cb(e, v?.[0])),
    getMultipleInputRegisters: (addr: number, length: number, unitID: number, cb: Cb<number[]>) => read('input', addr, length, unitID, cb),
  };
  // unitID 255: answer every unit id (the vector decides which exist), as a gateway does.
  const server = new ServerTCP(vector as never, { host: '127.0.0.1', port, unitID: 255 });
  server.on('error', () => undefined);
  server.on('socketError', () => undefined);
  await new Promise<void>((resolve) => server.on('initialized', () => resolve()));

  const toMap = (r: Record<number, number> = {}) => new Map(Object.entries(r).map(([a, w]) => [Number(a), w]));
  return {
    port,
    setUnit(unitId, regs, behaviour = { kind: 'ok' }) {
      units.set(unitId, { holding: toMap(regs.holding), input: toMap(regs.input), behaviour });
    },
    setBehaviour(unitId, behaviour) {
      const u = units.get(unitId);
      if (u) u.behaviour = behaviour;
    },
    requestsTo: (unitId) => requests.get(unitId) ?? 0,
    dropConnections() {
      for (const sock of server.socks.keys()) (sock as unknown as { destroy(): void }).destroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const sock of server.socks.keys()) (sock as unknown as { destroy(): void }).destroy();
      server.close(() => resolve());
    }),
  };
}
