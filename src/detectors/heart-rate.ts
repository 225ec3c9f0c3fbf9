import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import {
  INITIAL_RADAR_CONTEXT,
  isMoving,
  observeOximeterFlag,
  OXIMETER_METRICS,
  observeRadar,
  rebaseRadarContext,
  type MovementGateSettings,
  type OximeterFlags,
  type RadarContext,
} from './artefact-gates.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';

/**
 * Heart rate out of the NEWS2 bands, sustained: `alarm.heart_rate`, warning or critical.
 *
 * Bands from NEWS2 (Royal College of Physicians, National Early Warning Score 2, 2017, chart 1,
 * "pulse"): <= 40 and >= 131 score 3 (critical); 41-50 score 1 and 111-130 score 2 (warning, as
 * issue #6 groups them); 51-110 is normal here (91-110 scores 1 in NEWS2 but raises nothing alone).
 * Rates are compared as numbers, so 50.5 (an MR60BHA2 float) is normal and 130.5 is warning.
 *
 * Input metrics: `heartRateBpm` (radars; a BLE heart-rate sensor), `pulseRateBpm` (a BLE pulse
 * oximeter). A device reports one or the other; both are the pulse.
 *
 * Sustain: a warning needs `sustain_s` (default 60 s) of clean evidence in the warning-or-critical
 * band, critical `sustain_s` of it in the critical band. Clean evidence is the time between
 * consecutive accepted readings that are both in the band, no further apart than `max_gap_s`, with no
 * gate closing in between. So a gate (below) suspends the stopwatch and it resumes afterwards; a hole
 * longer than `max_gap_s` between accepted readings restarts it. Without gates and with regular
 * readings this is simply "from the first out-of-band reading to now", as for alarm.breathing_rate.
 *
 * One alarm per episode, whose severity can only rise:
 * - `raised` with severity `warning` or `critical` when the first of those is sustained (critical at
 *   once when the critical band is sustained first, never a warning just before it);
 * - at most one more `raised`, with severity `critical` and `escalatedFrom: 'warning'` plus the first
 *   raise's `raisedAtTs`, when an open warning alarm's rate is then sustained in the critical band.
 *   The cloud treats it as the same open alarm (same device and type, not cleared) whose severity
 *   rose. It never falls back to warning: a dispatcher must not be told to relax while the pulse is
 *   still abnormal;
 * - `cleared` (with the highest severity reached) once the rate is back in the normal band for
 *   `clear_after_s`, readings no further apart than `max_gap_s`. Like alarm.breathing_rate, only a
 *   normal rate clears it; the sensor going quiet does not.
 * No other raise while an alarm is open, so one condition never raises twice.
 *
 * Artefact gating: a gated reading is ignored (and suspends the runs, as above):
 * - outside `plausible_min_bpm`..`plausible_max_bpm` (default 30-220): values the modules report
 *   but no resting elderly heart makes, e.g. radar harmonics; the MR60BHA1 only reports a narrow
 *   band of resting rates at all (devices/seeed-mr60bha1/README.md);
 * - 0 or negative: "no value" (the drivers already drop 0);
 * - the radar says nobody is present (`presence: false`);
 * - the radar reports movement (`motion: active`, or `bodyMovement` above `max_body_movement`), and
 *   for `motion_settle_s` after: a radar heart rate during movement is an artefact, so tachycardia
 *   with motion artefacts raises nothing while the same tachycardia at rest does;
 * - no skin contact: the BLE Heart Rate Service driver (devices/ble-heart-rate) emits `skinContact`
 *   (boolean) just before each `heartRateBpm` of a notification whose Flags say contact detection
 *   is supported (Bluetooth SIG, Heart Rate Service 1.0, Heart Rate Measurement, Flags bits 1-2
 *   "Sensor Contact Status"); while the last one is false, heart rates are ignored (a strap on the
 *   table reports a rate from noise). A sensor without contact detection never sends it: not gated;
 * - pulse-oximeter flags (`oximeterQuestionable`, `oximeterInvalid`, `lowPerfusion`,
 *   `sensorDisplaced`, ... see artefact-gates.ts): while any is set, values are ignored.
 */
export interface HeartRateSettings extends MovementGateSettings {
  readonly enabled: boolean;
  /** At or below: critical, bpm. */
  readonly critical_low_bpm: number;
  /** At or below: warning, bpm. Equal to critical_low_bpm: no low warning band. */
  readonly warning_low_bpm: number;
  /** At or above: warning, bpm. Equal to critical_high_bpm: no high warning band. */
  readonly warning_high_bpm: number;
  /** At or above: critical, bpm. */
  readonly critical_high_bpm: number;
  readonly sustain_s: number;
  readonly clear_after_s: number;
  readonly max_gap_s: number;
  /** Readings outside this range are artefacts, bpm. */
  readonly plausible_min_bpm: number;
  readonly plausible_max_bpm: number;
}

export const heartRateDefaults: HeartRateSettings = Object.freeze({
  enabled: true,
  // NEWS2 (RCP 2017), chart 1, pulse: <= 40 scores 3, 41-50 scores 1, 111-130 scores 2, >= 131 scores 3.
  critical_low_bpm: 40,
  warning_low_bpm: 50,
  warning_high_bpm: 111,
  critical_high_bpm: 131,
  // As alarm.breathing_rate: a minute of consistent evidence, so one odd estimate never raises.
  sustain_s: 60,
  // Hysteresis in time: a pulse hovering at 110/112 must not flap. Product choice.
  clear_after_s: 30,
  // The MR60BHA1 refreshes every 1-30 s (Seeed wiki Radar_MR60BHA1, "refresh time").
  max_gap_s: 30,
  // 30 bpm: the lower bound the heart-rate apnea screening also uses (hr-apnea-screening/settings.ts,
  // RR <= 2 s). 220 bpm: above the age-predicted maximum of any adult (220 - age, Fox et al. 1971).
  plausible_min_bpm: 30,
  plausible_max_bpm: 220,
  // Seeed body-movement parameter: above 30 is a body movement (artefact-gates.ts).
  max_body_movement: 30,
  // MR60BHA1 observation set-up time 20 s (Seeed wiki specification).
  motion_settle_s: 20,
});

export type HeartRateSeverity = 'warning' | 'critical';
export type HeartRateBand = 'normal' | HeartRateSeverity;

export interface HeartRateState {
  readonly ctx: RadarContext;
  readonly oximeterFlags: OximeterFlags;
  /** Last `skinContact`; null when the sensor never reported one (radars, sensors without contact detection). */
  readonly skinContact: boolean | null;
  /** Last accepted reading and its band, to apply the gap rule and to time runs. */
  readonly lastAt: number | null;
  readonly lastBand: HeartRateBand | null;
  /** A gate closed since the last accepted reading: the interval up to the next one does not count. */
  readonly interrupted: boolean;
  /** First reading of the current run in the warning-or-critical band, and the clean time accumulated in it. */
  readonly abnormalSince: number | null;
  readonly abnormalMs: number;
  /** The same for the critical band. */
  readonly criticalSince: number | null;
  readonly criticalMs: number;
  /** Clean time of the current run in the normal band. */
  readonly normalMs: number;
  readonly alarm: {
    readonly severity: HeartRateSeverity;
    /** When the alarm was first raised (an escalation keeps it). */
    readonly raisedAt: number;
    readonly worstBpm: number;
  } | null;
}

export const ALARM_TYPE = 'alarm.heart_rate';

const PULSE_METRICS = new Set(['heartRateBpm', 'pulseRateBpm']);

function bandOf(v: number, s: HeartRateSettings): HeartRateSeverity | null {
  if (v <= s.critical_low_bpm || v >= s.critical_high_bpm) return 'critical';
  if (v <= s.warning_low_bpm || v >= s.warning_high_bpm) return 'warning';
  return null;
}

function worse(a: number, b: number, s: HeartRateSettings): number {
  const mid = (s.warning_low_bpm + s.warning_high_bpm) / 2;
  return Math.abs(b - mid) > Math.abs(a - mid) ? b : a;
}

/** Why a pulse reading is not used; null when it is. */
export function heartRateArtefact(st: HeartRateState, v: number, now: number, s: HeartRateSettings): string | null {
  if (!(v > 0)) return 'no_value';
  if (v < s.plausible_min_bpm || v > s.plausible_max_bpm) return 'implausible';
  if (st.ctx.present === false) return 'absent';
  if (isMoving(st.ctx, now, s)) return 'movement';
  if (st.skinContact === false) return 'no_skin_contact';
  if (st.oximeterFlags.length > 0) return 'oximeter_flag';
  return null;
}

function raised(device: string, v: number, severity: HeartRateSeverity, since: number, sustainedMs: number, s: HeartRateSettings, extra: Record<string, unknown> = {}): EventDraft {
  const direction = v <= s.warning_low_bpm ? 'low' : 'high';
  const limitBpm = severity === 'critical' ? (direction === 'low' ? s.critical_low_bpm : s.critical_high_bpm) : direction === 'low' ? s.warning_low_bpm : s.warning_high_bpm;
  return {
    type: ALARM_TYPE,
    severity,
    device,
    state: 'raised',
    data: { heartRateBpm: v, direction, limitBpm, outOfBandSinceTs: since, sustainedS: Math.round(sustainedMs / 1000), ...extra },
  };
}

/** Whether the gates that concern pulse readings (other than the value itself) are closed now. */
function gated(st: HeartRateState, now: number, s: HeartRateSettings): boolean {
  return st.ctx.present === false || isMoving(st.ctx, now, s) || st.skinContact === false || st.oximeterFlags.length > 0;
}

export const heartRateDetector: Detector<HeartRateState, HeartRateSettings> = {
  name: 'heart_rate',
  // Pulse readings, and what gates them: skin contact, oximeter flags, and the radar context's
  // presence and movement (a breathing reading implies presence before the first presence report).
  // Distance and bed state change nothing here (its gate does not use them), nor does time alone.
  metrics: Object.freeze([...PULSE_METRICS, 'skinContact', ...OXIMETER_METRICS, 'presence', 'motion', 'bodyMovement', 'breathRatePerMin', 'breathStatus']),
  scope: 'device',

  initialState: () => ({
    ctx: INITIAL_RADAR_CONTEXT,
    oximeterFlags: [],
    skinContact: null,
    lastAt: null,
    lastBand: null,
    interrupted: false,
    abnormalSince: null,
    abnormalMs: 0,
    criticalSince: null,
    criticalMs: 0,
    normalMs: 0,
    alarm: null,
  }),

  // The instants move; the clean time accumulated in each band (abnormalMs, ...) is a duration.
  rebase: (st, d) => ({
    ...st, ctx: rebaseRadarContext(st.ctx, d), lastAt: shifted(st.lastAt, d), abnormalSince: shifted(st.abnormalSince, d),
    criticalSince: shifted(st.criticalSince, d), alarm: st.alarm === null ? null : { ...st.alarm, raisedAt: st.alarm.raisedAt + d },
  }),

  step(state, reading: Reading, now, s): StepResult<HeartRateState> {
    if (!s.enabled) return { state, events: NO_EVENTS };

    if (!PULSE_METRICS.has(reading.metric) || typeof reading.value !== 'number') {
      // Only what gates pulse readings is kept: skin contact, oximeter flags, presence and movement.
      let next: HeartRateState = state;
      if (reading.metric === 'skinContact') {
        if (typeof reading.value === 'boolean' && reading.value !== state.skinContact) next = { ...state, skinContact: reading.value };
      } else {
        const oximeterFlags = observeOximeterFlag(state.oximeterFlags, reading);
        if (oximeterFlags !== state.oximeterFlags) next = { ...state, oximeterFlags };
        else {
          const ctx = observeRadar(state.ctx, reading, now, s);
          const c = state.ctx;
          if (ctx.present !== c.present || ctx.motionActive !== c.motionActive || ctx.bodyMovement !== c.bodyMovement || ctx.stillSince !== c.stillSince) next = { ...state, ctx };
        }
      }
      // A gate closing suspends the runs: the time until the next accepted reading does not count.
      if (!next.interrupted && next.lastAt !== null && gated(next, now, s)) next = { ...next, interrupted: true };
      return { state: next, events: NO_EVENTS };
    }

    const v = reading.value;
    if (heartRateArtefact(state, v, now, s) !== null) {
      return { state: state.interrupted || state.lastAt === null ? state : { ...state, interrupted: true }, events: NO_EVENTS };
    }

    const band: HeartRateBand = bandOf(v, s) ?? 'normal';
    // A hole longer than max_gap_s restarts every run; a gate in between only suspends them.
    const gap = state.lastAt !== null && now - state.lastAt > s.max_gap_s * 1000;
    const dt = state.lastAt === null || gap || state.interrupted ? 0 : now - state.lastAt;
    let { abnormalSince, abnormalMs, criticalSince, criticalMs, normalMs, alarm } = gap
      ? { ...state, abnormalSince: null, abnormalMs: 0, criticalSince: null, criticalMs: 0, normalMs: 0 }
      : state;
    const prev = gap ? null : state.lastBand;
    if (band === 'normal') {
      abnormalSince = null;
      abnormalMs = 0;
      criticalSince = null;
      criticalMs = 0;
      normalMs = prev === 'normal' ? normalMs + dt : 0;
    } else {
      normalMs = 0;
      if (abnormalSince === null || prev === 'normal' || prev === null) {
        abnormalSince = now;
        abnormalMs = 0;
      } else abnormalMs += dt;
      if (band === 'critical') {
        if (criticalSince === null || prev !== 'critical') {
          criticalSince = now;
          criticalMs = 0;
        } else criticalMs += dt;
      } else {
        criticalSince = null;
        criticalMs = 0;
      }
    }

    const sustainMs = s.sustain_s * 1000;
    const events: EventDraft[] = [];
    if (alarm === null) {
      if (criticalSince !== null && criticalMs >= sustainMs) {
        events.push(raised(reading.device, v, 'critical', criticalSince, criticalMs, s));
        alarm = { severity: 'critical', raisedAt: now, worstBpm: v };
      } else if (abnormalSince !== null && abnormalMs >= sustainMs) {
        events.push(raised(reading.device, v, 'warning', abnormalSince, abnormalMs, s));
        alarm = { severity: 'warning', raisedAt: now, worstBpm: v };
      }
    } else {
      if (band !== 'normal') alarm = { ...alarm, worstBpm: worse(alarm.worstBpm, v, s) };
      if (alarm.severity === 'warning' && criticalSince !== null && criticalMs >= sustainMs) {
        events.push(raised(reading.device, v, 'critical', criticalSince, criticalMs, s, { escalatedFrom: 'warning', raisedAtTs: alarm.raisedAt }));
        alarm = { ...alarm, severity: 'critical' };
      } else if (band === 'normal' && normalMs >= s.clear_after_s * 1000) {
        events.push({
          type: ALARM_TYPE,
          severity: alarm.severity,
          device: reading.device,
          state: 'cleared',
          data: { heartRateBpm: v, worstBpm: alarm.worstBpm, raisedAtTs: alarm.raisedAt, durationS: Math.round((now - alarm.raisedAt) / 1000) },
        });
        alarm = null;
      }
    }
    return {
      // Every field, in initialState's order: one shape whatever the state came from (a spread of
      // restored and fresh states leaves V8's fast path; see apnea.ts).
      state: {
        ctx: state.ctx, oximeterFlags: state.oximeterFlags, skinContact: state.skinContact,
        lastAt: now, lastBand: band, interrupted: false, abnormalSince, abnormalMs, criticalSince, criticalMs, normalMs, alarm,
      },
      events: events.length > 0 ? events : NO_EVENTS,
    };
  },
};
