import { describe, expect, it } from 'vitest';
import { createMr60bha1Driver, encodeFrame } from '../../../src/drivers/seeed-mr60bha1/index.js';
import { Mr60Framer, MAX_DATA_LEN } from '../../../src/drivers/seeed-mr60bha1/framer.js';
import { hex } from '../../helpers/hex.js';
import { prng, randomBytes } from '../../helpers/prng.js';

const HEART_89 = hex('53 59 85 02 00 01 59 8D 54 43');
const DIST_107 = hex('53 59 80 04 00 02 00 6B 9D 54 43');

describe('MR60BHA1 framer', () => {
  it('encodes the captured frames byte for byte', () => {
    expect(encodeFrame(0x85, 0x02, [0x59])).toEqual(HEART_89);
    expect(encodeFrame(0x80, 0x04, [0x00, 0x6b])).toEqual(DIST_107);
  });

  it('skips garbage between frames and counts it', () => {
    const d = createMr60bha1Driver();
    const out = d.push(Buffer.concat([hex('00 11 22'), HEART_89, hex('FF 53 00'), DIST_107]));
    expect(out).toEqual([{ metric: 'heartRateBpm', value: 89 }, { metric: 'distanceCm', value: 107 }]);
    expect(d.stats()).toMatchObject({ frames: 2, resyncs: 2, garbageBytes: 6, checksumErrors: 0 });
  });

  it('joins a frame split across reads at every position', () => {
    for (let cut = 1; cut < DIST_107.length; cut++) {
      const d = createMr60bha1Driver();
      expect(d.push(DIST_107.subarray(0, cut))).toEqual([]);
      expect(d.push(DIST_107.subarray(cut))).toEqual([{ metric: 'distanceCm', value: 107 }]);
    }
  });

  it('rejects a bad checksum, counts it, and keeps the next frame', () => {
    const bad = Buffer.from(HEART_89);
    bad[7] = 0x00;
    const d = createMr60bha1Driver();
    expect(d.push(Buffer.concat([bad, DIST_107]))).toEqual([{ metric: 'distanceCm', value: 107 }]);
    expect(d.stats().checksumErrors).toBe(1);
  });

  it('rejects a missing trailer and an impossible length, then resyncs', () => {
    const noTrailer = Buffer.from(HEART_89);
    noTrailer[9] = 0x00;
    const hugeLen = hex(`53 59 80 04 ${(MAX_DATA_LEN + 1).toString(16).padStart(4, '0')}`);
    const d = createMr60bha1Driver();
    expect(d.push(Buffer.concat([noTrailer, hugeLen, DIST_107]))).toEqual([{ metric: 'distanceCm', value: 107 }]);
    expect(d.stats().framingErrors).toBe(2);
  });

  it('finds a valid frame hidden behind a false header', () => {
    // "53 59" then a length that swallows the real frame: the real one must still come out.
    const d = createMr60bha1Driver();
    const out = d.push(Buffer.concat([hex('53 59 80 01 00 08'), DIST_107]));
    expect(out).toEqual([{ metric: 'distanceCm', value: 107 }]);
  });

  it('keeps a frame that follows a frame cut short whose length and checksum happen to fit (issue 17)', () => {
    // A cut breath-rate frame announcing 8 data bytes: with HEART_89 after it, its length ends on
    // HEART_89's trailer and, as its bytes sum to 0 mod 256, the checksum holds too (one cut in 256
    // does). The inner frame is the real one.
    const cut = hex('53 59 81 02 00 08 C9');
    const d = createMr60bha1Driver();
    expect(d.push(Buffer.concat([cut, HEART_89]))).toEqual([{ metric: 'heartRateBpm', value: 89 }]);
    expect(d.stats()).toMatchObject({ frames: 1, framingErrors: 1, garbageBytes: cut.length });
  });

  it('counts valid frames it cannot decode instead of guessing', () => {
    const d = createMr60bha1Driver();
    expect(d.push(encodeFrame(0x07, 0x01, [1]))).toEqual([]);
    expect(d.stats()).toMatchObject({ frames: 1, unknownFrames: 1 });
  });

  it('loses no valid frame in random garbage, corrupted and truncated frames (seeded)', () => {
    const rand = prng(20261129);
    const valid: Buffer[] = [];
    const parts: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const roll = rand();
      if (roll < 0.5) {
        const f = encodeFrame(0x81, 0x02, [1 + Math.floor(rand() * 35)]);
        valid.push(f);
        parts.push(f);
      } else if (roll < 0.7) parts.push(randomBytes(rand, Math.floor(rand() * 40)));
      else if (roll < 0.8) parts.push(hex('53 59'), randomBytes(rand, Math.floor(rand() * 6))); // false headers
      else if (roll < 0.9) {
        const f = encodeFrame(0x85, 0x02, [60 + Math.floor(rand() * 40)]);
        const at = Math.floor(rand() * f.length);
        f.writeUInt8(f.readUInt8(at) ^ (1 + Math.floor(rand() * 255)), at); // corrupted
        parts.push(f);
      } else {
        const f = encodeFrame(0x84, 0x02, [1]);
        parts.push(f.subarray(0, Math.floor(rand() * (f.length - 1)))); // truncated
      }
    }
    parts.push(Buffer.alloc(MAX_DATA_LEN + 16)); // let any pending false candidate resolve
    const stream = Buffer.concat(parts);
    const d = createMr60bha1Driver();
    const out: unknown[] = [];
    let at = 0;
    while (at < stream.length) {
      const n = 1 + Math.floor(rand() * 64); // UART-sized reads
      out.push(...d.push(stream.subarray(at, at + n)));
      at += n;
    }
    const breath = out.filter((m) => (m as { metric: string }).metric === 'breathRatePerMin');
    const expected = valid.map((f) => ({ metric: 'breathRatePerMin', value: f[6] }));
    expect(breath).toEqual(expected);
    expect(d.stats().resyncs).toBeGreaterThan(0);
  });

  it('never throws on pure noise and keeps its buffer bounded', () => {
    const rand = prng(7);
    const framer = new Mr60Framer();
    for (let i = 0; i < 500; i++) framer.push(randomBytes(rand, 1 + Math.floor(rand() * 512)));
    expect((framer as unknown as { pending: Buffer }).pending.length).toBeLessThanOrEqual(MAX_DATA_LEN + 9);
  });
});
