import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';

/**
 * Every port the daemon opens on real hardware (a radar's serial line, a Modbus RTU bus, the
 * cellular modem) goes through `openSerialPort`: serialport's own class with one change to how
 * its Linux binding reads.
 *
 * Why: when a USB serial adapter is pulled out (or a pty's other end goes away), the kernel hangs
 * the tty up and read() returns 0, end of file. serialport's binding (@serialport/bindings-cpp
 * 13, unix-read) takes 0 bytes as "nothing yet" and reads again at once, forever: the port stays
 * "open", no 'close' ever comes, a libuv thread spins at 100 % CPU, and a re-plugged radar is never
 * read again (bindings-cpp issue 162; the fix there, PR 164, was not released). Seen here in
 * faults-smoke's serial-unplug on a loaded machine, and in 1 of 6 bare unplugs of a socat pty.
 * Here a read of 0 bytes is a disconnect: the stream closes with a DisconnectedError, the
 * transport's 'close' handler runs and the link supervisor reopens the port when it is back.
 * (The ports are opened with VMIN=1, so a live line never reads 0 bytes.)
 */
export function openSerialPort(o: { path: string; baudRate: number; highWaterMark?: number; dataBits?: 5 | 6 | 7 | 8; parity?: 'none' | 'even' | 'odd'; stopBits?: 1 | 1.5 | 2 }): SerialPort {
  const options = { ...o, autoOpen: false, lock: true, binding: HANGUP_AWARE_BINDING };
  // serialport's options type leaves `binding` out, but its constructor takes it (`{ binding: DetectedBinding, ...options }`).
  return new SerialPort(options as ConstructorParameters<typeof SerialPort>[0]);
}

type Binding = typeof SerialPort.binding;
type ReadResult = { buffer: Buffer; bytesRead: number };

/** The parts of bindings-cpp's unix port binding the read needs (LinuxPortBinding: fd, isOpen, poller). */
export interface UnixPort {
  readonly fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable', fn: (err?: Error | null) => void): unknown };
}

export type FdRead = (fd: number, buffer: Buffer, offset: number, length: number) => Promise<{ bytesRead: number }>;
const readFd: FdRead = (fd, buffer, offset, length) => promisify(fsRead)(fd, buffer, offset, length, null);

/** A binding error that @serialport/stream treats as "closed on purpose" (no disconnect). */
const canceled = (message: string): Error => Object.assign(new Error(message), { canceled: true });

const RETRY_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/**
 * One read of a unix tty: data, or a wait until it is readable, or an error. 0 bytes (end of file,
 * the tty hung up) is an error with `disconnect`, never a retry.
 */
export async function readUnixPort(port: UnixPort, buffer: Buffer, offset: number, length: number, read: FdRead = readFd): Promise<ReadResult> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled('Port is not open');
    try {
      const { bytesRead } = await read(port.fd, buffer, offset, length);
      if (bytesRead > 0) return { buffer, bytesRead };
    } catch (err) {
      // Any other error closes the stream as a disconnect (@serialport/stream: every error not `canceled`).
      if (!RETRY_CODES.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      if (!port.isOpen) throw canceled('Port is not open');
      await new Promise<void>((resolve, reject) => { port.poller.once('readable', (pe) => (pe ? reject(pe) : resolve())); });
      continue;
    }
    throw Object.assign(new Error('the serial device hung up (read returned end of file: unplugged?)'), { disconnect: true, code: 'EOF' });
  }
}

const isUnixPort = (p: unknown): p is UnixPort => {
  const u = p as Partial<UnixPort>;
  return typeof u.fd === 'number' && typeof u.poller?.once === 'function';
};

/** serialport's detected binding, typed only as far as it is used here (its own type is a union per OS). */
interface BindingLike {
  list(): Promise<unknown>;
  open(options: unknown): Promise<{ read(buffer: Buffer, offset: number, length: number): Promise<ReadResult> }>;
}
const base = SerialPort.binding as unknown as BindingLike;

const HANGUP_AWARE_BINDING = {
  list: () => base.list(),
  async open(options: unknown) {
    const port = await base.open(options);
    // Only the unix binding reads this way; anything else keeps its own read.
    if (isUnixPort(port)) port.read = (buffer, offset, length) => readUnixPort(port, buffer, offset, length);
    return port;
  },
} satisfies BindingLike as unknown as Binding;
