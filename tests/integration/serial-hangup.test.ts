/**
 * A tty that hangs up (USB adapter pulled, the pty's other end gone) reads 0 bytes, end of file.
 * serialport's Linux binding read again at once on 0 bytes, forever: the port stayed "open" with a
 * thread spinning and a re-plugged radar was never read again (src/transports/serial/system-port.ts).
 * Which of EBADF or end of file a pulled pty gives depends on timing (a pull while a frame is being
 * read: about 1 in 6 here), so the line is pulled many times, each time right after a frame was
 * written: every pull must be noticed, and every plug read again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createSerialTransport, openSystemPort, type SerialTransport } from '../../src/transports/serial/serial-transport.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait.js';

const PULLS = 60;

describe('a serial line pulled and plugged back, again and again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-hangup-'));
  let pty: PtyPair | undefined;
  let t: SerialTransport | undefined;
  afterAll(async () => {
    await t?.stop();
    await pty?.unplug();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`notices each of ${PULLS} pulls (the port closes) and reads the line again after each plug`, async () => {
    pty = await createPtyPair(dir);
    let bytes = 0;
    t = createSerialTransport({
      path: pty.devicePath, baudRate: 115200, openPort: openSystemPort, onData: (c) => { bytes += c.length; },
      log: pino({ level: 'silent' }), reconnect: { minMs: 20, maxMs: 20, jitter: 'none' },
    });
    t.start();
    const hangups: string[] = [];
    for (let i = 0; i < PULLS; i++) {
      const opens = t.stats().opens;
      await waitFor(`pull ${i}: the port open`, () => t!.stats().open, 10_000);
      const before = bytes;
      pty.write(Buffer.from('radar frame'));
      await waitFor(`pull ${i}: the line read`, () => bytes > before, 10_000);
      // Pulled while a frame is on its way: the read in flight then finds the tty hung up (end of file).
      pty.write(Buffer.from('radar frame'));
      await pty.unplug();
      await waitFor(`pull ${i}: the pull noticed (port closed)`, () => !t!.stats().open, 10_000, () => JSON.stringify(t!.stats()));
      hangups.push(t.stats().lastError ?? '');
      await pty.plug();
      await waitFor(`pull ${i}: the port reopened`, () => t!.stats().open && t!.stats().opens > opens, 10_000, () => JSON.stringify(t!.stats()));
    }
    expect(t.stats().reconnects).toBe(PULLS);
    // Which way each pull ended (EBADF while a read waited, or the hang-up's end of file), for the record.
    expect(hangups.every((h) => h.length > 0)).toBe(true);
  });
});
