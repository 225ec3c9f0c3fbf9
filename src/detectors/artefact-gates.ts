import type { Reading } from '../core/reading.js';
import { shifted } from './types.js';

/**
 * Artefact gates shared by the vital-sign detectors (apnea, heart_rate, vital_signs_lost, spo2):
 * what a bedside radar last said about the person (presence, bed, distance, movement, liveness)
 * and what a pulse oximeter says about its own signal. Pure and plain JSON, like the detectors.
 *
 * Radar metrics (devices/seeed-mr60bha1, devices/seeed-mr60bha2 profile.json):
 * - `presence` boolean (both radars). Reported on change by the MR60BHA1, ~8 Hz by the MR60BHA2
 *   (github.com/duramson/mr60bha2-radar PROTOCOL.md).
 * - `bedState` `in` | `out` | `none` (MR60BHA1 only; `none` = "not determined", which Seeed's library
 *   labels "display in real-time detection mode", i.e. the module's sleep function is off).
 * - `motion` `none` | `still` | `active` and `bodyMovement` 0-100 (MR60BHA1 only).
 * - `distanceCm` (both).
 * Latched: each value holds until the module reports a new one.
 */
export type BedState = 'in' | 'out' | 'none';

export interface RadarContext {
  /** Last presence report; null until the radar said anything (or a vital sign implied someone). */
  readonly present: boolean | null;
  /** Last bed state; null when this radar never reports one (the MR60BHA2 has no bed state). */
  readonly bedState: BedState | null;
  readonly distanceCm: number | null;
  /** Last `motion` report was `active`. */
  readonly motionActive: boolean;
  readonly bodyMovement: number | null;
  /** When the last movement ended (both indicators quiet again); null while moving or if never moved. */
  readonly stillSince: number | null;
  /** Receive time of the last reading of any metric from this device: proof the module is alive. */
  readonly lastAnyAt: number | null;
}

export const INITIAL_RADAR_CONTEXT: RadarContext = Object.freeze({
  present: null,
  bedState: null,
  distanceCm: null,
  motionActive: false,
  bodyMovement: null,
  stillSince: null,
  lastAnyAt: null,
});

export interface MovementGateSettings {
  /**
   * `bodyMovement` above this is movement. Seeed's body-movement parameter: 0 nobody, 1 still
   * (breathing only), 2-30 micro-movements (head or limbs only), 31-60 slower body movements, 61-100
   * rapid ones (Seeed's 24 GHz radar user manuals, MR24HPB1 section 6.2 "description of the output of
   * the body motion amplitude parameter"; the MR60BHA1 reports the same 0-100 scale, 0 none, 1 still,
   * 2-100 increasing movement: devices/seeed-mr60bha1/README.md). Micro-movements are let through:
   * a sleeper moves a hand without spoiling the chest signal for long.
   */
  readonly max_body_movement: number;
  /**
   * After movement ends, radar vital signs stay unreliable this long: the MR60BHA1 needs about
   * 20 s to settle on a person ("observation set-up time", Seeed wiki Radar_MR60BHA1 specification).
   */
  readonly motion_settle_s: number;
}

export interface BedGateSettings extends MovementGateSettings {
  /**
   * A `distanceCm` above this means the person is beyond the vital-sign range: the MR60BHA2 measures
   * vital signs within about 1.5 m (Seeed wiki, MR60BHA2 kit) and the MR60BHA1 is mounted for
   * 0.4-1.5 m (devices/seeed-mr60bha1/README.md). Without distance reports there is no limit.
   */
  readonly max_distance_cm: number;
  /**
   * Without a bed state (MR60BHA2, or an MR60BHA1 with its sleep function off: `none`), treat a
   * present person as in bed: both READMEs mount the radar over the bed. Turn off for a radar that
   * also sees a chair or the floor, at the price of no apnea / vital-signs-lost detection for it.
   */
  readonly assume_in_bed_without_bed_state: boolean;
}

const BREATHING_STATUSES = new Set(['normal', 'high', 'low']);

/**
 * A reading that shows breathing: a positive rate (0 is "no value" and the drivers drop it; a
 * non-positive rate here is not a measurement either), or the MR60BHA1's own status saying
 * normal / high / low. `breathStatus: none` is the opposite (see isNoBreathStatus).
 */
export function isBreathEvidence(r: Reading): boolean {
  if (r.metric === 'breathRatePerMin') return typeof r.value === 'number' && r.value > 0;
  if (r.metric === 'breathStatus') return typeof r.value === 'string' && BREATHING_STATUSES.has(r.value);
  return false;
}

/** MR60BHA1 0x81 0x01 value 4: the module detects no breathing ("radar detection nothing" in Seeed's library). */
export function isNoBreathStatus(r: Reading): boolean {
  return r.metric === 'breathStatus' && r.value === 'none';
}

export function isHeartReading(r: Reading): boolean {
  return r.metric === 'heartRateBpm' && typeof r.value === 'number' && r.value > 0;
}

function movingIndicators(motionActive: boolean, bodyMovement: number | null, s: MovementGateSettings): boolean {
  return motionActive || (bodyMovement !== null && bodyMovement > s.max_body_movement);
}

/** The context after a wall-clock step of `deltaMs` (Detector.rebase): its two instants move. */
export function rebaseRadarContext(ctx: RadarContext, deltaMs: number): RadarContext {
  return { ...ctx, stillSince: shifted(ctx.stillSince, deltaMs), lastAnyAt: shifted(ctx.lastAnyAt, deltaMs) };
}

/** Folds one reading into the radar context. Returns the same object when nothing changed (time included). */
export function observeRadar(ctx: RadarContext, r: Reading, now: number, s: MovementGateSettings): RadarContext {
  let { present, bedState, distanceCm, motionActive, bodyMovement } = ctx;
  switch (r.metric) {
    case 'presence':
      if (typeof r.value === 'boolean') present = r.value;
      break;
    case 'bedState':
      if (r.value === 'in' || r.value === 'out' || r.value === 'none') bedState = r.value;
      break;
    case 'distanceCm':
      if (typeof r.value === 'number' && Number.isFinite(r.value)) distanceCm = r.value;
      break;
    case 'motion':
      if (typeof r.value === 'string') motionActive = r.value === 'active';
      break;
    case 'bodyMovement':
      if (typeof r.value === 'number') bodyMovement = r.value;
      break;
    default:
      // A radar that measures a breath or a heartbeat sees someone, even before its first presence report.
      if (present === null && (isBreathEvidence(r) || isHeartReading(r))) present = true;
  }
  const wasMoving = movingIndicators(ctx.motionActive, ctx.bodyMovement, s);
  const moving = movingIndicators(motionActive, bodyMovement, s);
  const stillSince = moving ? null : wasMoving ? now : ctx.stillSince;
  // A radar sends several reports a second with the same receive time: most change nothing.
  if (
    ctx.lastAnyAt === now && present === ctx.present && bedState === ctx.bedState && distanceCm === ctx.distanceCm &&
    motionActive === ctx.motionActive && bodyMovement === ctx.bodyMovement && stillSince === ctx.stillSince
  ) return ctx;
  return { present, bedState, distanceCm, motionActive, bodyMovement, stillSince, lastAnyAt: now };
}

/** Moving now, or moved less than `motion_settle_s` ago. */
export function isMoving(ctx: RadarContext, now: number, s: MovementGateSettings): boolean {
  if (movingIndicators(ctx.motionActive, ctx.bodyMovement, s)) return true;
  return ctx.stillSince !== null && now - ctx.stillSince < s.motion_settle_s * 1000;
}

export type GateReason = 'absent' | 'out_of_bed' | 'out_of_range' | 'movement' | 'device_quiet';

export function inBed(ctx: RadarContext, s: BedGateSettings): boolean {
  if (ctx.bedState === 'in') return true;
  if (ctx.bedState === 'out') return false;
  return s.assume_in_bed_without_bed_state;
}

/**
 * Why breathing cannot be judged right now, or null when it can: the person must be reported
 * present, in bed, within range, not moving, and the radar must have sent something within `quietMs`.
 * Order matters only for the reason reported.
 */
export function bedGate(ctx: RadarContext, now: number, s: BedGateSettings, quietMs: number): GateReason | null {
  if (ctx.lastAnyAt === null || now - ctx.lastAnyAt > quietMs) return 'device_quiet';
  if (ctx.present !== true) return 'absent';
  if (!inBed(ctx, s)) return 'out_of_bed';
  if (ctx.distanceCm !== null && ctx.distanceCm > s.max_distance_cm) return 'out_of_range';
  if (isMoving(ctx, now, s)) return 'movement';
  return null;
}

/** The person is where we watch them (present, in bed, in range, radar alive), moving or not: time in bed. */
export function monitoredInBed(ctx: RadarContext, now: number, s: BedGateSettings, quietMs: number): boolean {
  const g = bedGate(ctx, now, s, quietMs);
  return g === null || g === 'movement';
}

/**
 * Pulse-oximeter status flags, as the BLE PLX driver emits them (devices/ble-pulse-oximeter,
 * src/drivers/ble-gatt/plx.ts): one boolean reading per flag each time the measurement carries the
 * status field, before `spo2Percent` / `pulseRateBpm` of the same notification. Bluetooth SIG, Pulse
 * Oximeter Service 1.0.1, PLX Continuous / Spot-check Measurement:
 * - `oximeterQuestionable`: Measurement Status bit 14 "questionable measurement detected";
 * - `oximeterInvalid`: Measurement Status bit 15 "invalid measurement detected";
 * - `oximeterUnavailable`: Measurement Status bit 13 "measurement unavailable";
 * - `lowPerfusion`: Device and Sensor Status bit 5 "low perfusion detected";
 * - `sensorDisplaced`: Device and Sensor Status bit 13 "sensor displaced";
 * - `sensorNotOnUser`: Device and Sensor Status bit 11 "sensor unconnected to user" (no finger);
 * - `sensorDisconnected`: Device and Sensor Status bit 15 "sensor disconnected";
 * - `oximeterMalfunction`: Device and Sensor Status bit 1 or 14 (equipment / sensor malfunction).
 * And one derived from the raw Measurement Status word (`oximeterMeasurementStatus`):
 * - `oximeterNotLive`: bit 9 "data from measurement storage", 10 "for demonstration" or 11 "for
 *   testing": not the resident's saturation now, so it must not alarm or count.
 * A flag holds until reported false (or, for the derived one, until a word without those bits).
 * Any flag set gates the values that follow.
 */
export const OXIMETER_FLAG_METRICS = [
  'oximeterQuestionable',
  'oximeterInvalid',
  'oximeterUnavailable',
  'lowPerfusion',
  'sensorDisplaced',
  'sensorNotOnUser',
  'sensorDisconnected',
  'oximeterMalfunction',
] as const;
/** Every metric observeOximeterFlag reads: the flags and the PLX Measurement Status. */
export const OXIMETER_METRICS: readonly string[] = Object.freeze([...OXIMETER_FLAG_METRICS, 'oximeterMeasurementStatus']);
export const OXIMETER_GATE_FLAGS = [...OXIMETER_FLAG_METRICS, 'oximeterNotLive'] as const;
export type OximeterFlag = (typeof OXIMETER_GATE_FLAGS)[number];

/** The flags currently set, in OXIMETER_GATE_FLAGS order; empty when the signal is good. */
export type OximeterFlags = readonly OximeterFlag[];

/** Measurement Status bits 9-11: from storage, demonstration, testing. */
const NOT_LIVE_BITS = (1 << 9) | (1 << 10) | (1 << 11);

function flagOf(r: Reading): [OximeterFlag, boolean] | null {
  if (r.metric === 'oximeterMeasurementStatus') return typeof r.value === 'number' ? ['oximeterNotLive', (r.value & NOT_LIVE_BITS) !== 0] : null;
  if (!(OXIMETER_FLAG_METRICS as readonly string[]).includes(r.metric) || typeof r.value !== 'boolean') return null;
  return [r.metric as OximeterFlag, r.value];
}

export function observeOximeterFlag(flags: OximeterFlags, r: Reading): OximeterFlags {
  const f = flagOf(r);
  if (f === null) return flags;
  const [flag, set] = f;
  if (set === flags.includes(flag)) return flags;
  return OXIMETER_GATE_FLAGS.filter((x) => (x === flag ? set : flags.includes(x)));
}
