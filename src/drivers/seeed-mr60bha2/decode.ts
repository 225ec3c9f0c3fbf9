import type { Measurement } from '../../core/reading.js';
import type { TinyFrame } from './framer.js';

/**
 * Meaning of MR60BHA2 frames by type. Payload numbers are little-endian (float32 / u32), the
 * header is big-endian. Sources, see devices/seeed-mr60bha2/README.md: Seeed's Arduino library
 * (SEEED_MR60BHA2.h/.cpp: type codes, 0x0A13 = three floats, 0x0A16 = u32 range flag then a float)
 * and ESPHome's seeed_mr60bha2 component (same layouts; distance published in cm).
 */
export const TYPE = {
  /** total, breath and heart phase: 3 × float32 */
  PHASES: 0x0a13,
  /** breaths per minute: float32; 0.0 when nobody is in vital-sign range */
  BREATH_RATE: 0x0a14,
  /** beats per minute: float32; 0.0 when nobody is in vital-sign range */
  HEART_RATE: 0x0a15,
  /** u32 range flag (0 = no target) then float32 distance in cm */
  DISTANCE: 0x0a16,
  /** someone present: 0 / 1 as a 1-, 2- or 4-byte little-endian integer (firmware differ) */
  PRESENCE: 0x0f09,
} as const;

type Decoded = Measurement[] | null;

const one = (metric: string, value: Measurement['value']): Measurement[] => [{ metric, value }];

/**
 * A float32 as the shortest decimal that maps back to the same float32, so 72.3 on the wire is
 * 72.3 here and not 72.30000305175781. -0 becomes 0. NaN and infinities pass through (callers
 * reject them).
 */
export function readFloat32(data: Buffer, offset: number): number {
  const f = data.readFloatLE(offset);
  if (!Number.isFinite(f)) return f;
  // 9 significant digits always round-trip a float32, so the loop always returns.
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest === 0 ? 0 : shortest;
  }
  return Number(f.toPrecision(9));
}

/** A rate: 0 means "no value" (nobody in range yet), not "stopped"; negatives and NaN are corrupt. */
function rate(metric: string, data: Buffer): Decoded {
  if (data.length < 4) return null;
  const v = readFloat32(data, 0);
  if (!Number.isFinite(v) || v < 0) return null;
  return v === 0 ? [] : one(metric, v);
}

/** Little-endian unsigned integer of 1 to 4 bytes (the presence payload width differs by firmware). */
function uintLe(data: Buffer): number | undefined {
  return data.length >= 1 && data.length <= 4 ? data.readUIntLE(0, data.length) : undefined;
}

/** `null` means "a valid frame we do not decode"; `[]` means "decoded, nothing to report". */
export function decodeFrame(frame: TinyFrame): Decoded {
  const { type, data } = frame;
  switch (type) {
    case TYPE.BREATH_RATE:
      return rate('breathRatePerMin', data);
    case TYPE.HEART_RATE:
      return rate('heartRateBpm', data);
    case TYPE.PHASES: {
      if (data.length < 12) return null;
      const [total, breath, heart] = [readFloat32(data, 0), readFloat32(data, 4), readFloat32(data, 8)];
      if (![total, breath, heart].every(Number.isFinite)) return null;
      return [
        { metric: 'totalPhase', value: total },
        { metric: 'breathPhase', value: breath },
        { metric: 'heartPhase', value: heart },
      ];
    }
    case TYPE.DISTANCE: {
      // The flag comes first (Seeed's library reads it as `_rangeFlag`, ESPHome checks data[0]).
      if (data.length < 4) return null;
      if (data.readUInt32LE(0) === 0) return []; // no target: nothing to report
      if (data.length < 8) return null;
      // Already centimetres on the wire (ESPHome publishes it unconverted with unit cm).
      const cm = readFloat32(data, 4);
      return Number.isFinite(cm) && cm >= 0 ? one('distanceCm', cm) : null;
    }
    case TYPE.PRESENCE: {
      const v = uintLe(data);
      return v === 0 || v === 1 ? one('presence', v === 1) : null;
    }
    default:
      // Point clouds (0x0A04, 0x0A08), firmware version (0xFFFF), the firmware's debug text
      // (0x0100) and undocumented types: valid frames, counted as unknown.
      return null;
  }
}
