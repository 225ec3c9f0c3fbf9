import { describe, expect, it } from 'vitest';
import { createMr60bha2Driver, encodeFrame } from '../../../src/drivers/seeed-mr60bha2/index.js';
import { MAX_DATA_LEN, Mr60bha2Framer, xorChecksum } from '../../../src/drivers/seeed-mr60bha2/framer.js';
import { readFloat32 } from '../../../src/drivers/seeed-mr60bha2/decode.js';
import { hex } from '../../helpers/hex.js';
import { prng } from '../../helpers/prng.js';
import { expectBoundedOnNoise, expectSplitsEverywhere, fuzzStream, pushInReads } from './framer-robustness.js';

const BREATH_16 = hex('01 00 00 00 04 0A 14 E4 00 00 80 41 3E');
const HEART_72 = hex('01 00 00 00 04 0A 15 E5 00 00 90 42 2D');
const PRESENT = hex('01 00 02 00 01 0F 09 FB 01 FE');

const f32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeFloatLE(v, 4 * i));
  return b;
};

describe('MR60BHA2 framer', () => {
  it('encodes the issue vectors byte for byte', () => {
    expect(encodeFrame(0x0a14, f32(16))).toEqual(BREATH_16);
    expect(encodeFrame(0x0a15, f32(72))).toEqual(HEART_72);
    expect(encodeFrame(0x0f09, [1], 2)).toEqual(PRESENT);
    expect(xorChecksum(BREATH_16, 7)).toBe(0xe4);
  });

  it('skips garbage between frames and counts it', () => {
    const d = createMr60bha2Driver();
    const out = d.push(Buffer.concat([hex('00 11 22'), BREATH_16, hex('FF 01 00'), HEART_72]));
    expect(out).toEqual([{ metric: 'breathRatePerMin', value: 16 }, { metric: 'heartRateBpm', value: 72 }]);
    // "01" followed by a header whose checksum fails is noise, not a checksum error.
    expect(d.stats()).toMatchObject({ frames: 2, resyncs: 2, garbageBytes: 6, checksumErrors: 0, framingErrors: 0 });
  });

  it('joins a frame split across reads at every position', () => {
    expectSplitsEverywhere(createMr60bha2Driver, HEART_72, [{ metric: 'heartRateBpm', value: 72 }]);
    expectSplitsEverywhere(createMr60bha2Driver, PRESENT, [{ metric: 'presence', value: true }]);
  });

  it('rejects a bad data checksum, counts it, and keeps the next frame', () => {
    const bad = Buffer.from(BREATH_16);
    bad.writeUInt8(bad.readUInt8(12) ^ 0x01, 12);
    const d = createMr60bha2Driver();
    expect(d.push(Buffer.concat([bad, HEART_72]))).toEqual([{ metric: 'heartRateBpm', value: 72 }]);
    expect(d.stats()).toMatchObject({ checksumErrors: 1, framingErrors: 0, frames: 1 });
  });

  it('treats a bad header checksum as noise and keeps the next frame', () => {
    const bad = Buffer.from(BREATH_16);
    bad.writeUInt8(bad.readUInt8(7) ^ 0xff, 7);
    const d = createMr60bha2Driver();
    expect(d.push(Buffer.concat([bad, HEART_72]))).toEqual([{ metric: 'heartRateBpm', value: 72 }]);
    expect(d.stats()).toMatchObject({ checksumErrors: 0, framingErrors: 0, garbageBytes: bad.length });
  });

  it('rejects an impossible length behind a good header checksum, then resyncs', () => {
    const header = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x0a, 0x14, 0]); // len 512
    header[7] = xorChecksum(header, 7);
    expect(header.readUInt16BE(3)).toBeGreaterThan(MAX_DATA_LEN);
    const d = createMr60bha2Driver();
    expect(d.push(Buffer.concat([header, BREATH_16]))).toEqual([{ metric: 'breathRatePerMin', value: 16 }]);
    expect(d.stats().framingErrors).toBe(1);
  });

  it('finds a valid frame hidden behind a false header', () => {
    // A header with a good checksum whose length swallows the real frame: the real one must come out.
    const header = Buffer.from([0x01, 0x12, 0x34, 0x00, 0x0a, 0x0a, 0x15, 0]);
    header[7] = xorChecksum(header, 7);
    const d = createMr60bha2Driver();
    expect(d.push(Buffer.concat([header, HEART_72]))).toEqual([{ metric: 'heartRateBpm', value: 72 }]);
    expect(d.stats().checksumErrors).toBe(1);
  });

  it('counts valid frames it cannot decode, and values it rejects, instead of guessing', () => {
    const d = createMr60bha2Driver();
    const frames = [
      encodeFrame(0x0a04, [0, 0, 0, 0]), // point cloud: not decoded
      encodeFrame(0x0a14, f32(-3)), // negative rate
      encodeFrame(0x0a15, f32(Number.NaN)),
      encodeFrame(0x0f09, [2]), // presence is 0 or 1
      encodeFrame(0x0a13, f32(1, 2)), // phases need 3 floats
      encodeFrame(0x0a16, [1, 0, 0, 0]), // flag says target but no distance
    ];
    expect(d.push(Buffer.concat(frames))).toEqual([]);
    expect(d.stats()).toMatchObject({ frames: frames.length, unknownFrames: frames.length, checksumErrors: 0 });
  });

  it('shows float32 values as their shortest decimal', () => {
    expect(readFloat32(f32(72.3), 0)).toBe(72.3);
    expect(readFloat32(f32(-0), 0)).toBe(0);
    expect(readFloat32(f32(1 / 3), 0)).toBe(0.33333334);
    expect(createMr60bha2Driver().push(encodeFrame(0x0a14, f32(14.7)))).toEqual([{ metric: 'breathRatePerMin', value: 14.7 }]);
  });

  it('loses no valid frame in random garbage, corrupted and truncated frames (seeded)', () => {
    const rand = prng(20261130);
    const { stream, valid } = fuzzStream(
      rand,
      2000,
      {
        valid: (r) => encodeFrame(0x0a14, f32(1 + Math.floor(r() * 40)), Math.floor(r() * 0x10000)),
        other: (r) => encodeFrame(0x0a15, f32(50 + Math.floor(r() * 50)), Math.floor(r() * 0x10000)),
        falseHeader: hex('01'),
      },
      MAX_DATA_LEN + 16,
    );
    const d = createMr60bha2Driver();
    const out = pushInReads(d, stream, rand);
    const breath = out.filter((m) => m.metric === 'breathRatePerMin');
    expect(breath).toEqual(valid.map((f) => ({ metric: 'breathRatePerMin', value: f.readFloatLE(8) })));
    expect(d.stats().resyncs).toBeGreaterThan(0);
    expect(d.stats().bytes).toBe(stream.length);
  });

  it('never throws on pure noise and keeps its buffer bounded', () => {
    // All-0x01 noise is the worst case for a one-byte start marker; the longest frame is 8 + 256 + 1.
    expectBoundedOnNoise(new Mr60bha2Framer(), 11, Buffer.alloc(97, 0x01), MAX_DATA_LEN + 9);
  });
  it('keeps a frame that follows a frame cut short, when the cut frame would end inside it (fuzz counterexample, issue 17)', () => {
    // npm run fuzz found it, one byte per read: a header announcing 12 data bytes and 4 of them,
    // then a whole frame; the cut frame's end falls on that frame's ninth byte, whose value passes
    // as its checksum. The frame inside is pending (header checked) when the cut one completes, so
    // the cut one waits, then gives way.
    const cut = hex('01 00 00 00 0C 00 00 F2 5A 3D C0 6E');
    const frame = hex('01 00 00 00 01 00 00 FF C9 36');
    const d = new Mr60bha2Framer();
    const stream = Buffer.concat([cut, frame]);
    const frames = [...stream].flatMap((b) => d.push(Buffer.from([b])));
    expect(frames).toEqual(new Mr60bha2Framer().push(frame));
    expect(d.stats()).toMatchObject({ frames: 1, framingErrors: 1, garbageBytes: cut.length });
  });
});
