import type { Measurement } from '../../core/reading.js';
import type { Ld2410Frame } from './framer.js';
import { parseReport } from './report.js';

/** Target state byte → `targetState` value (bit 0 = moving target, bit 1 = still target). */
const TARGET_STATE = ['none', 'moving', 'still', 'moving-and-still'] as const;
const MOVING = 1;
const STILL = 2;

/**
 * `null` means "a valid frame we do not decode" (command ACKs, out-of-range reports); `[]` would
 * mean "decoded, nothing to report" and does not occur: every good report says at least whether
 * someone is there.
 *
 * A distance or energy is only reported for a target the radar says is there: with state 0 the
 * module still sends the last distances, which describe nobody. Per-gate energies of engineering
 * reports are parsed (see report.ts) but not emitted: a measurement holds one number, and 18
 * per-gate values at the report rate would flood the store for what is a tuning aid.
 */
export function decodeFrame(frame: Ld2410Frame): Measurement[] | null {
  if (frame.kind === 'command') return null;
  const r = parseReport(frame.payload);
  if (r === null) return null;
  const s = r.targetState;
  const out: Measurement[] = [
    { metric: 'presence', value: s !== 0 },
    { metric: 'targetState', value: TARGET_STATE[s] },
  ];
  if (s & MOVING) {
    out.push({ metric: 'movingDistanceCm', value: r.movingDistanceCm }, { metric: 'movingEnergy', value: r.movingEnergy });
  }
  if (s & STILL) {
    out.push({ metric: 'stillDistanceCm', value: r.stillDistanceCm }, { metric: 'stillEnergy', value: r.stillEnergy });
  }
  if (s !== 0) out.push({ metric: 'detectionDistanceCm', value: r.detectionDistanceCm });
  return out;
}
