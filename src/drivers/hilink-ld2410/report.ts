import { encodeFrame, REPORT_CHECK, REPORT_HEAD, REPORT_TAIL } from './framer.js';

/**
 * The target report inside an LD2410 "F4 F3 F2 F1" frame, byte by byte (offsets in the payload):
 *
 *   0  type: 02 basic, 01 engineering        1  head AA
 *   2  target state: 0 none, 1 moving, 2 still, 3 moving and still
 *   3  moving target distance, cm (u16 LE)   5  moving target energy, 0-100
 *   6  still target distance, cm (u16 LE)    8  still target energy, 0-100
 *   9  detection distance, cm (u16 LE)
 *   engineering only, from 11:
 *      N = max moving gate, M = max still gate, N+1 moving gate energies, M+1 still gate energies,
 *      then "additional information" (on firmware 2.04 and later: light level 0-255, OUT pin state)
 *   last two bytes: tail 55, check 00
 *
 * Sources: Hi-Link "HLK-LD2410 Serial communication protocol" V1.02 §2.3 (reported data frame,
 * target data composition, engineering mode); aio-ld2410 (morian/aio-ld2410) for the two
 * additional bytes of newer firmware, which Hi-Link documents only in a Chinese V1.06 revision.
 */
export const REPORT_TYPE = { ENGINEERING: 0x01, BASIC: 0x02 } as const;

/** The LD2410 has gates 0 to 8 (0.75 m or 0.2 m each); a larger max gate is not this radar. */
export const MAX_GATE = 8;

export interface GateEnergies {
  readonly maxMovingGate: number;
  readonly maxStillGate: number;
  /** Energy per gate 0..maxMovingGate, 0-100. */
  readonly movingEnergy: readonly number[];
  /** Energy per gate 0..maxStillGate, 0-100. */
  readonly stillEnergy: readonly number[];
  /** Bytes between the gate energies and the tail: light level and OUT pin on firmware ≥ 2.04. */
  readonly additional: readonly number[];
}

export interface Ld2410Report {
  readonly targetState: 0 | 1 | 2 | 3;
  readonly movingDistanceCm: number;
  readonly movingEnergy: number;
  readonly stillDistanceCm: number;
  readonly stillEnergy: number;
  readonly detectionDistanceCm: number;
  /** Present in engineering reports only. */
  readonly gates?: GateEnergies;
}

/** type + head + 9 bytes of target data */
const BASIC_END = 11;
/** tail + check */
const TAIL_LEN = 2;
const MAX_ENERGY = 100;

const isTargetState = (s: number): s is Ld2410Report['targetState'] => s >= 0 && s <= 3;

function parseGates(p: Buffer): GateEnergies | null {
  const end = p.length - TAIL_LEN;
  const maxMovingGate = p[BASIC_END];
  const maxStillGate = p[BASIC_END + 1];
  if (maxMovingGate === undefined || maxStillGate === undefined) return null;
  if (maxMovingGate > MAX_GATE || maxStillGate > MAX_GATE) return null;
  const movingAt = BASIC_END + 2;
  const stillAt = movingAt + maxMovingGate + 1;
  const additionalAt = stillAt + maxStillGate + 1;
  if (additionalAt > end) return null;
  return {
    maxMovingGate,
    maxStillGate,
    movingEnergy: [...p.subarray(movingAt, stillAt)],
    stillEnergy: [...p.subarray(stillAt, additionalAt)],
    additional: [...p.subarray(additionalAt, end)],
  };
}

/**
 * Parses a report payload (as the framer passes it up: type … 55 00). `null` when a value is
 * outside its documented range or the engineering part does not fit: the protocol has no checksum,
 * so these range checks are the only defence against a corrupted byte inside a well-framed report.
 */
export function parseReport(p: Buffer): Ld2410Report | null {
  const type = p[0];
  if (type !== REPORT_TYPE.BASIC && type !== REPORT_TYPE.ENGINEERING) return null;
  if (p.length < BASIC_END + TAIL_LEN) return null;
  const targetState = p[2]!;
  const movingEnergy = p[5]!;
  const stillEnergy = p[8]!;
  if (!isTargetState(targetState) || movingEnergy > MAX_ENERGY || stillEnergy > MAX_ENERGY) return null;
  const report: Ld2410Report = {
    targetState,
    movingDistanceCm: p.readUInt16LE(3),
    movingEnergy,
    stillDistanceCm: p.readUInt16LE(6),
    stillEnergy,
    detectionDistanceCm: p.readUInt16LE(9),
  };
  if (type === REPORT_TYPE.BASIC) return report;
  const gates = parseGates(p);
  return gates === null ? null : { ...report, gates };
}

/** Builds a whole report frame: for fixtures, tests and simulated homes. */
export function encodeReport(r: Ld2410Report): Buffer {
  const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
  const g = r.gates;
  const payload = [
    g ? REPORT_TYPE.ENGINEERING : REPORT_TYPE.BASIC,
    REPORT_HEAD,
    r.targetState,
    ...u16(r.movingDistanceCm),
    r.movingEnergy,
    ...u16(r.stillDistanceCm),
    r.stillEnergy,
    ...u16(r.detectionDistanceCm),
    ...(g ? [g.maxMovingGate, g.maxStillGate, ...g.movingEnergy, ...g.stillEnergy, ...g.additional] : []),
    REPORT_TAIL,
    REPORT_CHECK,
  ];
  return encodeFrame('report', payload);
}
