/**
 * Shared stream builders for the per-model framer robustness tests: a seeded mix of valid,
 * corrupted and truncated frames, false headers and noise, fed in UART-sized reads.
 */
import { expect } from 'vitest';
import type { Measurement } from '../../../src/core/reading.js';
import type { FrameScanner } from '../../../src/drivers/frame-scanner.js';
import type { StreamDriver } from '../../../src/drivers/types.js';
import { prng, randomBytes } from '../../helpers/prng.js';

export interface FuzzSources {
  /** A valid frame whose reading must come out. */
  valid(rand: () => number): Buffer;
  /** A valid frame of another kind, to be corrupted by one byte. */
  other(rand: () => number): Buffer;
  /** The model's header bytes; the stream puts a few random bytes after them. */
  falseHeader: Buffer;
}

export function fuzzStream(rand: () => number, parts: number, src: FuzzSources, settleBytes: number): { stream: Buffer; valid: Buffer[] } {
  const valid: Buffer[] = [];
  const out: Buffer[] = [];
  for (let i = 0; i < parts; i++) {
    const roll = rand();
    if (roll < 0.5) {
      const f = src.valid(rand);
      valid.push(f);
      out.push(f);
    } else if (roll < 0.7) out.push(randomBytes(rand, Math.floor(rand() * 40)));
    else if (roll < 0.8) out.push(src.falseHeader, randomBytes(rand, Math.floor(rand() * 8)));
    else if (roll < 0.9) {
      const f = src.other(rand);
      const at = Math.floor(rand() * f.length);
      f.writeUInt8(f.readUInt8(at) ^ (1 + Math.floor(rand() * 255)), at); // corrupted
      out.push(f);
    } else {
      const f = src.other(rand);
      out.push(f.subarray(0, Math.floor(rand() * (f.length - 1)))); // truncated
    }
  }
  out.push(Buffer.alloc(settleBytes)); // let any pending false candidate resolve
  return { stream: Buffer.concat(out), valid };
}

/** Feeds `stream` in random reads of 1 to 64 bytes, as a UART driver hands them over. */
export function pushInReads(d: StreamDriver, stream: Buffer, rand: () => number): Measurement[] {
  const out: Measurement[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = 1 + Math.floor(rand() * 64);
    out.push(...d.push(stream.subarray(at, at + n)));
    at += n;
  }
  return out;
}

/** Every way to cut `frame` in two reads must give `expected` once, on the second read. */
export function expectSplitsEverywhere(create: () => StreamDriver, frame: Buffer, expected: Measurement[]): void {
  for (let cut = 1; cut < frame.length; cut++) {
    const d = create();
    expect(d.push(frame.subarray(0, cut)), `cut at ${cut}`).toEqual([]);
    expect(d.push(frame.subarray(cut)), `cut at ${cut}`).toEqual(expected);
  }
}

/**
 * Random noise, then `worstCase` (bytes that keep a candidate open as long as possible) repeated:
 * nothing throws, and the carried-over buffer stays below `maxFrameLen`.
 */
export function expectBoundedOnNoise(framer: FrameScanner<unknown>, seed: number, worstCase: Buffer, maxFrameLen: number): void {
  const rand = prng(seed);
  for (let i = 0; i < 500; i++) framer.push(randomBytes(rand, 1 + Math.floor(rand() * 512)));
  for (let i = 0; i < 50; i++) framer.push(worstCase);
  expect((framer as unknown as { pending: Buffer }).pending.length).toBeLessThan(maxFrameLen);
}
