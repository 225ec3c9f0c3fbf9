import { SerialPort } from 'serialport';

/**
 * A Modbus RTU slave (server) bus simulator for tests, on the far end of a socat pty pair: several
 * unit ids on one line, like detectors daisy-chained on one RS-485 pair. Written from the
 * specification (Modbus over Serial Line v1.02, Modbus Application Protocol v1.1b3) and on purpose
 * sharing no code with src/: it checks every request's CRC-16 with its own table-driven CRC, answers
 * functions 3 and 4, answers exceptions, and can play a dead unit, a garbled answer and line noise.
 */

export type UnitBehaviour =
  | { kind: 'ok' }
  /** Never answers, like a unit without power or with a broken A/B pair. */
  | { kind: 'dead' }
  /** Answers every request with this exception code. */
  | { kind: 'exception'; code: number };

export interface SimUnit {
  holding: Map<number, number>;
  input: Map<number, number>;
  behaviour: UnitBehaviour;
}

export interface RtuSlaveStats {
  /** Well-formed requests (CRC good), per unit id, answered or not. */
  requests: Map<number, number>;
  /** Candidate requests dropped for a bad CRC (noise on the line, or a bug in the master). */
  crcErrors: number;
  responses: number;
}

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

/** Appends the CRC, low byte first. */
export function withCrc(body: number[]): Buffer {
  const crc = crc16(Uint8Array.from(body));
  return Buffer.from([...body, crc & 0xff, crc >>> 8]);
}

export class RtuSlaveSim {
  readonly units = new Map<number, SimUnit>();
  readonly stats: RtuSlaveStats = { requests: new Map(), crcErrors: 0, responses: 0 };
  private port: SerialPort | null = null;
  private buf = Buffer.alloc(0);
  private corruptNext = new Set<number>();
  private nextImage = new Map<number, ReadonlyArray<{ function: 3 | 4; address: number; words: readonly number[] }>>();

  constructor(private readonly path: string, private readonly baudRate = 9600) {}

  /** Adds or replaces a unit with these registers (address -> word). */
  setUnit(unitId: number, regs: { holding?: Record<number, number>; input?: Record<number, number> }, behaviour: UnitBehaviour = { kind: 'ok' }): void {
    const toMap = (r: Record<number, number> = {}) => new Map(Object.entries(r).map(([a, w]) => [Number(a), w]));
    this.units.set(unitId, { holding: toMap(regs.holding), input: toMap(regs.input), behaviour });
  }

  setBehaviour(unitId: number, behaviour: UnitBehaviour): void {
    const u = this.units.get(unitId);
    if (u) u.behaviour = behaviour;
  }

  setRegisters(unitId: number, fn: 3 | 4, address: number, words: readonly number[]): void {
    const u = this.units.get(unitId);
    if (!u) return;
    words.forEach((w, i) => (fn === 3 ? u.holding : u.input).set(address + i, w));
  }

  /**
   * Shows `reads` (the register reads of one poll, in the order the master makes them, as fixtures
   * list them) from the unit's next poll on: they are written when the request for the first of them
   * arrives. setRegisters between two reads of one poll would hand the master half of the old image
   * and half of the new (seen under load: a batch mixing two fixture cases).
   */
  showAtNextPoll(unitId: number, reads: ReadonlyArray<{ function: 3 | 4; address: number; words: readonly number[] }>): void {
    if (reads.length > 0) this.nextImage.set(unitId, reads);
  }

  /** The next answer of this unit goes out with one byte flipped (its CRC then fails). */
  corruptNextAnswer(unitId: number): void {
    this.corruptNext.add(unitId);
  }

  requestsTo(unitId: number): number {
    return this.stats.requests.get(unitId) ?? 0;
  }

  async start(): Promise<void> {
    const p = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false, lock: false });
    await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(err) : resolve())));
    p.on('data', (chunk: Buffer) => this.onData(chunk));
    p.on('error', () => undefined);
    this.port = p;
    this.buf = Buffer.alloc(0);
  }

  async stop(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }

  /** Puts bytes on the line as if noise or another device sent them. */
  inject(bytes: Uint8Array): void {
    this.port?.write(Buffer.from(bytes));
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    // Every request we understand is 8 bytes: unit, function, address, count/value, CRC.
    while (this.buf.length >= 8) {
      const frame = this.buf.subarray(0, 8);
      const crc = frame[6]! | (frame[7]! << 8);
      if (crc !== crc16(frame.subarray(0, 6))) {
        // Not a frame start: resynchronise one byte further on (a real slave waits for silence).
        this.stats.crcErrors++;
        this.buf = this.buf.subarray(1);
        continue;
      }
      this.buf = this.buf.subarray(8);
      this.handle(Buffer.from(frame));
    }
  }

  private handle(req: Buffer): void {
    const unitId = req[0]!;
    const fn = req[1]!;
    this.stats.requests.set(unitId, (this.stats.requests.get(unitId) ?? 0) + 1);
    const u = this.units.get(unitId);
    if (!u || u.behaviour.kind === 'dead') return; // not on the bus: silence
    if (u.behaviour.kind === 'exception') return this.send(unitId, [unitId, fn | 0x80, u.behaviour.code]);
    if (fn !== 3 && fn !== 4) return this.send(unitId, [unitId, fn | 0x80, 0x01]);
    const address = req.readUInt16BE(2);
    const count = req.readUInt16BE(4);
    const image = this.nextImage.get(unitId);
    if (image && image[0]!.function === fn && image[0]!.address === address) {
      this.nextImage.delete(unitId);
      for (const r of image) this.setRegisters(unitId, r.function, r.address, r.words);
    }
    if (count < 1 || count > 125) return this.send(unitId, [unitId, fn | 0x80, 0x03]);
    const regs = fn === 3 ? u.holding : u.input;
    const body = [unitId, fn, count * 2];
    for (let a = address; a < address + count; a++) {
      const w = regs.get(a);
      if (w === undefined) return this.send(unitId, [unitId, fn | 0x80, 0x02]);
      body.push(w >> 8, w & 0xff);
    }
    this.send(unitId, body);
  }

  private send(unitId: number, body: number[]): void {
    const frame = withCrc(body);
    if (this.corruptNext.delete(unitId)) frame[frame.length - 3] = frame[frame.length - 3]! ^ 0x5a;
    this.stats.responses++;
    this.port?.write(frame);
  }
}
