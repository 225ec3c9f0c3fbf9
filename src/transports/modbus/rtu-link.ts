import { EventEmitter } from 'node:events';
import { openSerialPort } from '../serial/system-port.js';
import { ModbusRTU, type ModbusRTUClient } from './modbus-serial-client.js';
import { RtuResponseFramer } from './rtu-response-framer.js';
import { runRead } from './run-read.js';
import { linkDownFailure, type ModbusLink, type ReadRequest, type ReadResult } from './modbus-link.js';

export interface RtuLineSettings {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

/** The part of serialport's stream API we use (SerialPort, or a test double). */
export interface RtuSerialPort {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer): boolean;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'close', fn: (err?: Error & { disconnected?: boolean }) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  removeAllListeners(): this;
}

export type OpenRtuPort = (s: RtuLineSettings) => RtuSerialPort;

/** Real adapters and socat ptys: exclusive open, so two daemons never drive one bus. */
export const openSystemRtuPort: OpenRtuPort = (s) =>
  openSerialPort({ path: s.path, baudRate: s.baudRate, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits });

/**
 * The "port" object modbus-serial's ModbusRTU drives (open/close/write/isOpen, emits whole response
 * frames as 'data'). We give it our own instead of its RTUBufferedPort because that one keeps
 * bytes across requests (a late answer can be taken for the next one) and hands frames with a bad
 * CRC to the request; ours drops everything before each request and resynchronises by CRC.
 */
class FramedRtuPort extends EventEmitter {
  // ModbusRTU stores its transaction ids on the port object.
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  constructor(private readonly sp: RtuSerialPort, private readonly framer: RtuResponseFramer) {
    super();
    sp.on('data', (chunk) => {
      const frame = framer.push(chunk);
      if (frame) this.emit('data', frame);
    });
  }

  get isOpen(): boolean {
    return this.sp.isOpen;
  }

  open(cb: (err: Error | null) => void): void {
    this.sp.open(cb);
  }

  close(cb?: (err?: Error | null) => void): void {
    if (this.sp.isOpen) this.sp.close((err) => cb?.(err));
    else cb?.(null);
  }

  write(data: Buffer): void {
    // Requests we send are reads (function 3 or 4): the normal answer is 5 + 2 * count bytes.
    const fc = data[1] ?? 0;
    const count = data.length >= 6 ? data.readUInt16BE(4) : 0;
    this.framer.expect({ unitId: data[0] ?? 0, functionCode: fc, length: fc === 3 || fc === 4 ? 5 + 2 * count : 8 });
    this.sp.write(data);
  }
}

/**
 * Modbus RTU over a serial port (an RS-485 adapter). A new port object per opening, like the
 * serial transport: after an unplug, the old one is dead for good.
 */
export function createRtuLink(settings: RtuLineSettings, openPort: OpenRtuPort = openSystemRtuPort): ModbusLink {
  const framer = new RtuResponseFramer();
  let sp: RtuSerialPort | null = null;
  let client: ModbusRTUClient | null = null;
  let lostFn: (why: string) => void = () => undefined;
  let inflight: ((r: ReadResult) => void) | null = null;

  /** Forgets the current port (closing it) and settles an in-flight read as link-down. */
  const drop = (why: string, notify: boolean): Promise<void> => {
    const p = sp;
    if (!p) return Promise.resolve();
    sp = null;
    client = null;
    framer.cancel();
    p.removeAllListeners();
    p.on('error', () => undefined);
    const closed = p.isOpen ? new Promise<void>((r) => p.close(() => r())) : Promise.resolve();
    inflight?.({ ok: false, failure: linkDownFailure(why) });
    if (notify) lostFn(why);
    return closed;
  };

  return {
    get isOpen() {
      return sp?.isOpen === true && client !== null;
    },
    open() {
      return drop('reopening', false).then(() => new Promise((resolve) => {
        let p: RtuSerialPort;
        try {
          p = openPort(settings);
        } catch (err) {
          // serialport throws synchronously on bad settings (e.g. an unsupported baud rate).
          resolve(err instanceof Error ? err.message : String(err));
          return;
        }
        const port = new FramedRtuPort(p, framer);
        const c = new ModbusRTU(port);
        // ModbusRTU re-emits port errors; an 'error' without a listener would crash the daemon.
        c.on('error', () => undefined);
        sp = p;
        p.on('close', (err) => { if (sp === p) drop(err?.message ?? 'port closed', true); });
        p.on('error', (err) => { if (sp === p) drop(err.message, true); });
        c.open((err: Error | null) => {
          if (sp !== p) { resolve('closed while opening'); return; }
          if (err) {
            sp = null;
            p.removeAllListeners();
            p.on('error', () => undefined);
            resolve(err.message);
            return;
          }
          client = c;
          resolve(null);
        });
      }));
    },
    read(req: ReadRequest): Promise<ReadResult> {
      const c = client;
      if (!c || !sp?.isOpen) return Promise.resolve({ ok: false, failure: linkDownFailure('port not open') });
      return runRead(c, req, {
        sawCrcError: () => framer.sawCrcError(),
        onSettled: () => framer.cancel(),
        setInflight: (fn) => { inflight = fn; },
      });
    },
    close: () => drop('closed', false),
    onLost(fn) {
      lostFn = fn;
    },
    lineCounters: () => ({ ...framer.counters() }),
  };
}
