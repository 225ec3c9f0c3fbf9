import type { Logger } from 'pino';
import { ErrorCodes } from '../../core/errors.js';
import type { BackoffPolicy } from '../../core/backoff.js';
import { createLinkSupervisor, type LinkRetryStatus } from '../link-supervisor.js';
import { openSerialPort } from './system-port.js';

/** The part of serialport's stream API we use; SerialPort and SerialPortMock both provide it. */
export interface PortLike {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'close', fn: (err?: Error & { disconnected?: boolean }) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  removeAllListeners(): this;
}

/** `highWaterMark`: bytes of the port's read buffer (see READ_BUFFER_BYTES). */
export type OpenPort = (opts: { path: string; baudRate: number; highWaterMark: number }) => PortLike;

/**
 * Read buffer per port. serialport's default is 64 KB, allocated per port and kept while it is open
 * (30 ports: ~2 MB of the memory bench's heap). A radar at 115200 baud sends at most ~11.5 KB/s in
 * frames of tens of bytes, so 4 KB still takes in more than a quarter second's worth per read.
 */
export const READ_BUFFER_BYTES = 4096;

/** Real hardware (and socat ptys): exclusive open, so two daemons never share a radar. */
export const openSystemPort: OpenPort = ({ path, baudRate, highWaterMark }) => openSerialPort({ path, baudRate, highWaterMark });

export interface SerialStats {
  path: string;
  open: boolean;
  bytes: number;
  opens: number;
  reconnects: number;
  /** Chunks whose processing threw (a bug, never bad bytes); logged with ANJU_ERR_INGEST_FAILED. */
  handlerErrors: number;
  lastError: string | null;
  /** The link supervisor's bookkeeping: problem (`open-failed`, `lost`), failures, the next retry. */
  retry: Readonly<LinkRetryStatus>;
}

/**
 * Reopening a port: full jitter up to 1 s. A port that is missing fails at once, so attempts cost
 * nothing; a re-plugged radar is read again within a second, as before the supervisor (fixed 1 s).
 */
export const SERIAL_RECONNECT: BackoffPolicy = { minMs: 1000, maxMs: 1000, jitter: 'full' };

export interface SerialTransport {
  start(): void;
  stop(): Promise<void>;
  stats(): Readonly<SerialStats>;
}

export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  openPort: OpenPort;
  onData: (chunk: Buffer) => void;
  log: Logger;
  /** Waits between attempts to (re)open the port; default SERIAL_RECONNECT. */
  reconnect?: BackoffPolicy;
  /** Monotonic ms clock for the retry bookkeeping; default performance.now. */
  now?: () => number;
}

/**
 * Keeps one serial port open: opens it, and when it fails or goes away (adapter unplugged, pty
 * closed) the link supervisor tries again after its backoff until it is back. Never throws into the daemon: a missing
 * port is a status ("not open", last error), logged once per outage.
 */
export function createSerialTransport(o: SerialTransportOptions): SerialTransport {
  const sup = createLinkSupervisor({ policy: o.reconnect ?? SERIAL_RECONNECT, attempt: () => attempt(), now: o.now ?? (() => performance.now()) });
  const st: SerialStats = { path: o.path, open: false, bytes: 0, opens: 0, reconnects: 0, handlerErrors: 0, lastError: null, retry: sup.status() };
  let port: PortLike | null = null;
  let stopped = false;
  let outageLogged = false;

  const lost = (why: string): void => {
    if (!st.open && port === null) return;
    st.open = false;
    st.lastError = why;
    const p = port;
    port = null;
    p?.removeAllListeners();
    if (p?.isOpen) p.close(() => undefined);
    if (!stopped) {
      o.log.warn({ code: ErrorCodes.SERIAL_LOST, path: o.path, err: why }, 'serial port lost; reopening');
      outageLogged = true;
      sup.failed('lost', why);
    }
  };

  function attempt(): void {
    if (stopped) return;
    const p = o.openPort({ path: o.path, baudRate: o.baudRate, highWaterMark: READ_BUFFER_BYTES });
    port = p;
    p.on('error', (err) => lost(err.message));
    p.on('close', (err) => lost(err?.message ?? 'closed'));
    p.on('data', (chunk) => {
      st.bytes += chunk.length;
      try {
        o.onData(chunk);
      } catch (err) {
        // Drivers never throw on bytes; this is a bug downstream. Keep reading the port.
        st.handlerErrors++;
        o.log.error({ code: ErrorCodes.INGEST_FAILED, path: o.path, err }, 'processing serial data failed');
      }
    });
    p.open((err) => {
      if (stopped) { if (p.isOpen) p.close(); return; }
      if (err) {
        st.lastError = err.message;
        p.removeAllListeners();
        port = null;
        if (!outageLogged) o.log.warn({ code: ErrorCodes.SERIAL_OPEN, path: o.path, err: err.message }, 'cannot open serial port; retrying');
        outageLogged = true;
        sup.failed('open-failed', err.message);
        return;
      }
      if (st.opens > 0) st.reconnects++;
      st.opens++;
      st.open = true;
      st.lastError = null;
      sup.up();
      outageLogged = false;
      o.log.info({ path: o.path, baudRate: o.baudRate, reconnects: st.reconnects }, 'serial port open');
    });
  }

  return {
    start: attempt,
    async stop() {
      stopped = true;
      sup.stop();
      const p = port;
      port = null;
      st.open = false;
      if (!p) return;
      p.removeAllListeners();
      p.on('error', () => undefined);
      if (p.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
    stats: () => st,
  };
}
