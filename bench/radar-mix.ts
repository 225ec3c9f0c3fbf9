import { encodeFrame } from '../src/drivers/seeed-mr60bha1/index.js';

/**
 * What one MR60BHA1 sleep radar sends in one second of a night, as real frames.
 *
 * Cadence (an upper-end estimate; the module reports most values about once a second while
 * someone is in range): presence, motion, body movement, distance, breath status, breath rate,
 * heart rate and the two waveform frames (ctrl 0x81/0x85, cmd 0x05, 5 samples each) every second;
 * bed state and sleep state every 5 s; the module heartbeat every 10 s.
 * That is ~9.5 frames/s and ~7.5 readings/s (waveform frames decode to no reading).
 */
export const FRAMES_PER_S = 9.5;

export interface SecondOptions {
  /** Breath rate this second, per minute (in band by default; out of band to raise alarms). */
  breathRatePerMin?: number;
}

export function radarSecond(s: number, rnd: () => number, o: SecondOptions = {}): Buffer[] {
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const wave = (): number[] => Array.from({ length: 5 }, () => int(0, 255));
  const distanceCm = int(95, 125);
  const frames = [
    encodeFrame(0x80, 0x01, [1]), // presence: someone there
    encodeFrame(0x80, 0x02, [1]), // motion: still
    encodeFrame(0x80, 0x03, [int(1, 12)]), // body movement
    encodeFrame(0x80, 0x04, [distanceCm >> 8, distanceCm & 0xff]),
    encodeFrame(0x81, 0x01, [1]), // breath status: normal
    encodeFrame(0x81, 0x02, [o.breathRatePerMin ?? int(13, 17)]),
    encodeFrame(0x85, 0x02, [int(58, 74)]), // heart rate
    encodeFrame(0x81, 0x05, wave()), // breathing waveform
    encodeFrame(0x85, 0x05, wave()), // heart waveform
  ];
  if (s % 5 === 0) frames.push(encodeFrame(0x84, 0x01, [1]), encodeFrame(0x84, 0x02, [1])); // in bed, light sleep
  if (s % 10 === 0) frames.push(encodeFrame(0x01, 0x01, [0x0f])); // module heartbeat
  return frames;
}

/** A byte stream cut the way a UART read cuts it: chunks of 32..64 bytes, each tagged with its second. */
export interface TimedChunk {
  readonly second: number;
  readonly bytes: Buffer;
}

export function uartChunks(seconds: number, rnd: () => number, o: SecondOptions = {}): TimedChunk[] {
  const perSecond: Buffer[] = [];
  const startOf: number[] = [];
  let offset = 0;
  for (let s = 0; s < seconds; s++) {
    const b = Buffer.concat(radarSecond(s, rnd, o));
    startOf.push(offset);
    perSecond.push(b);
    offset += b.length;
  }
  const stream = Buffer.concat(perSecond);
  const out: TimedChunk[] = [];
  let second = 0;
  for (let at = 0; at < stream.length;) {
    const n = 32 + Math.floor(rnd() * 33);
    // A chunk belongs to the second in which its last byte arrived: that is when a read returns.
    const end = Math.min(at + n, stream.length);
    while (second + 1 < seconds && startOf[second + 1]! < end) second++;
    out.push({ second, bytes: stream.subarray(at, end) });
    at = end;
  }
  return out;
}
