/** One read of a unix tty (src/transports/serial/system-port.ts): end of file is a hang-up, never a retry. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readUnixPort, type FdRead, type UnixPort } from '../../../src/transports/serial/system-port.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

function port(): UnixPort & { poller: EventEmitter; isOpen: boolean } {
  return { fd: 7, isOpen: true, poller: new EventEmitter() };
}

/** A read that answers from a script: a number of bytes, or an errno code. */
function scripted(steps: (number | string)[]): FdRead & { calls: number } {
  const f = Object.assign(async (_fd: number, buffer: Buffer, offset: number) => {
    f.calls++;
    const s = steps.shift();
    if (s === undefined) throw new Error('read called more often than scripted');
    if (typeof s === 'string') throw errno(s);
    buffer.fill(0x41, offset, offset + s);
    return { bytesRead: s };
  }, { calls: 0 });
  return f;
}

describe('readUnixPort', () => {
  it('returns the bytes a read got', async () => {
    const r = await readUnixPort(port(), Buffer.alloc(16), 2, 14, scripted([5]));
    expect(r.bytesRead).toBe(5);
    expect(r.buffer.subarray(2, 7).toString()).toBe('AAAAA');
  });

  it('end of file (0 bytes: the tty hung up) rejects as a disconnect and does not read again', async () => {
    const read = scripted([0, 5]);
    await expect(readUnixPort(port(), Buffer.alloc(16), 0, 16, read)).rejects.toMatchObject({ code: 'EOF', disconnect: true });
    expect(read.calls).toBe(1);
  });

  it('EAGAIN waits until the poller says readable, then reads', async () => {
    const p = port();
    const read = scripted(['EAGAIN', 3]);
    const pending = readUnixPort(p, Buffer.alloc(16), 0, 16, read);
    await new Promise((r) => setImmediate(r));
    expect(read.calls).toBe(1);
    p.poller.emit('readable', null);
    await expect(pending).resolves.toMatchObject({ bytesRead: 3 });
  });

  it('a poller closed while waiting (canceled) and a port closed before reading are not disconnects', async () => {
    const p = port();
    const pending = readUnixPort(p, Buffer.alloc(16), 0, 16, scripted(['EAGAIN']));
    await new Promise((r) => setImmediate(r));
    p.poller.emit('readable', Object.assign(new Error('Canceled'), { canceled: true }));
    await expect(pending).rejects.toMatchObject({ canceled: true });
    p.isOpen = false;
    await expect(readUnixPort(p, Buffer.alloc(16), 0, 16, scripted([]))).rejects.toMatchObject({ canceled: true });
  });

  it('any other error (EBADF, EIO) rejects as it is', async () => {
    await expect(readUnixPort(port(), Buffer.alloc(16), 0, 16, scripted(['EIO']))).rejects.toMatchObject({ code: 'EIO' });
  });
});
