import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeQr, reedSolomon, type QrCode } from '../../../src/provision/qr-code.js';
import { renderQrText } from '../../../src/provision/qr-terminal.js';
import { requireBinary } from '../../helpers/peers.js';
import { prng } from '../../helpers/prng.js';

/**
 * Our QR encoder is checked by an independent decoder, zbarimg (Debian's zbar-tools): every code it
 * makes, rendered as an image, must decode to exactly the bytes that went in. Codes are read back
 * from the terminal text `anjuctl init` prints, so the half-block rendering is checked too.
 */
const zbarimg = requireBinary('zbarimg', 'zbar-tools');
const dir = mkdtempSync(join(tmpdir(), 'anju-qr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules drawn by renderQrText, back as a matrix (quiet zone included). */
function modulesFromText(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
    const chars = [...line];
    rows.push(chars.map((ch) => ch === '█' || ch === '▀'));
    rows.push(chars.map((ch) => ch === '█' || ch === '▄'));
  }
  // An odd number of rows: the last line's lower half is not part of the code.
  return rows.slice(0, rows[0]!.length);
}

/** A plain PBM image (P1), each module `scale` pixels. */
function pbm(modules: boolean[][], scale = 4): string {
  const n = modules.length;
  const out: string[] = [`P1\n${n * scale} ${n * scale}`];
  for (const row of modules) {
    const line = row.flatMap((m) => new Array<string>(scale).fill(m ? '1' : '0')).join(' ');
    for (let i = 0; i < scale; i++) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

let n = 0;
function decode(qr: QrCode): Buffer {
  const file = join(dir, `qr-${n++}.pbm`);
  writeFileSync(file, pbm(modulesFromText(renderQrText(qr, { ansi: true }))));
  // --raw: the payload bytes only; binary: no charset guessing on them.
  return execFileSync(zbarimg, ['--quiet', '--raw', '-Sbinary', file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('QR encoder (byte mode, level M, versions 1-10)', () => {
  it('Reed-Solomon: the remainder of the ISO 18004 Annex I example (version 1-M, "01234567")', () => {
    const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
    expect(reedSolomon(data, 10)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it('what anjuctl init shows: decoded by zbarimg to the same text', () => {
    const text = 'anju:provision?hub=hub-7K3M9QX2AB&csr_sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    const qr = encodeQr(Buffer.from(text));
    expect(qr.version).toBe(7);
    expect(decode(qr).toString('utf8')).toBe(text);
  });

  it('every version from 1 to 10, at its capacity and one byte into it, random bytes', () => {
    const rnd = prng(13);
    // Byte-mode capacities of versions 1-10 at level M.
    const capacity = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213];
    capacity.forEach((cap, i) => {
      for (const len of [cap, (capacity[i - 1] ?? 0) + 1]) {
        const bytes = Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256)));
        const qr = encodeQr(bytes);
        expect(qr.version, `${len} bytes`).toBe(i + 1);
        expect(decode(qr).equals(bytes), `version ${i + 1}, ${len} bytes`).toBe(true);
      }
    });
    expect(() => encodeQr(Buffer.alloc(214))).toThrow(RangeError);
  });

  it('every mask, and the empty text', () => {
    for (let mask = 0; mask < 8; mask++) {
      const text = `hub-mask-${mask}`;
      const qr = encodeQr(Buffer.from(text), { mask });
      expect(qr.mask).toBe(mask);
      expect(decode(qr).toString(), `mask ${mask}`).toBe(text);
    }
    expect(decode(encodeQr(Buffer.alloc(0))).length).toBe(0);
  });
});
