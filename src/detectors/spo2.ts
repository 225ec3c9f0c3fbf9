import type { EventDraft, Severity } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { observeOximeterFlag, OXIMETER_METRICS, type OximeterFlags } from './artefact-gates.js';
import { accrue, countEvent, EMPTY_NIGHT_BOOK, indexBand, rebaseNightBook, summarizeNight, type IndexBand, type NightBook, type NightSummary } from './night-index.js';
import { baselineOf, emptyRing, rebaseRing, ringAdd, type Spo2Ring } from './spo2-ring.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';
export type { Spo2Ring };

/**
 * SpO2 from a pulse oximeter: a sustained low saturation is `alarm.spo2` (critical); each
 * desaturation is `event.desaturation`, and their rate per hour is the nightly ODI.
 *
 * Metrics, as the BLE pulse-oximeter driver emits them (devices/ble-pulse-oximeter; Bluetooth SIG,
 * Pulse Oximeter Service 1.0.1, PLX Continuous Measurement 0x2A5F / Spot-check 0x2A5E):
 * - `spo2Percent`: the normal-response SpO2 (continuous) or a spot check's result, percent; NaN /
 *   NRes on the wire are not reported, and 0 is treated as "no value", as for the radars.
 * - `pulseRateBpm`: its pulse rate; used by the heart_rate detector, not here.
 * - status booleans emitted before the values of the same measurement: `oximeterQuestionable`,
 *   `oximeterInvalid`, `lowPerfusion`, `sensorDisplaced` (and `oximeterUnavailable`,
 *   `sensorNotOnUser`, `sensorDisconnected`, `oximeterMalfunction`, and stored / demo / test data from
 *   the raw `oximeterMeasurementStatus`; artefact-gates.ts). While any is set, SpO2 values are
 *   ignored, exactly as if they had not come.
 * Values outside `plausible_min_percent`..100 are ignored too.
 *
 * Alarm: SpO2 <= `critical_at_or_below_percent` (default 91: NEWS2 SpO2 scale 1, Royal College of
 * Physicians 2017, chart 1: <= 91 % scores 3) for `sustain_s`, readings no further apart than
 * `max_gap_s`: raised once; cleared after `clear_after_s` above it. For a resident with hypercapnic
 * respiratory failure a clinician sets the scale-2 limit instead (NEWS2 scale 2: <= 83 % scores 3).
 * Only a reading above the limit clears it; the probe coming off does not.
 *
 * Desaturation (AASM 2012, Berry et al., J Clin Sleep Med 2012;8(5):597-619, the >= 3 % rule of
 * hypopnea scoring): SpO2 at least `desaturation_drop_percent` below the baseline for at least
 * `desaturation_min_s`.
 * - Baseline: the highest 10-second mean SpO2 of the last `baseline_window_s` (default 120 s), the
 *   current 10 s excluded, needing at least 3 such means. A mean, not a single value, so one spurious
 *   100 % does not turn every later 97 % into a "drop"; the highest, so a slow series of dips does not
 *   drag the baseline down with it. Kept in a ring of 10-second buckets: O(1), bounded.
 * - The baseline is frozen when a desaturation starts (scored against the pre-event baseline); it
 *   starts at the first reading at or below baseline - drop and ends at the first reading above
 *   that, its duration between the two. Logged only if it lasted `desaturation_min_s` and was seen
 *   through: a hole of more than `max_gap_s` in the valid readings (probe off, flags set) discards it.
 * - A desaturation below the alarm limit is still an event; the alarm needs `sustain_s`.
 * ODI: desaturations per hour of valid oximetry (intervals between valid readings no longer than
 * `max_gap_s`), per night as for the apnea index (night-index.ts).
 */
export interface Spo2Settings {
  readonly enabled: boolean;
  readonly critical_at_or_below_percent: number;
  readonly severity: Severity;
  readonly sustain_s: number;
  readonly clear_after_s: number;
  readonly max_gap_s: number;
  readonly desaturation_drop_percent: number;
  readonly desaturation_min_s: number;
  readonly baseline_window_s: number;
  readonly plausible_min_percent: number;
  readonly new_night_after_s: number;
}

export const spo2Defaults: Spo2Settings = Object.freeze({
  enabled: true,
  // NEWS2 SpO2 scale 1 (RCP 2017, chart 1): <= 91 % scores 3.
  critical_at_or_below_percent: 91,
  severity: 'critical',
  // As alarm.breathing_rate and alarm.heart_rate: a minute of evidence. The dips of an apnoeic night
  // (tens of seconds) are counted as desaturations, not alarmed one by one.
  sustain_s: 60,
  // Hysteresis in time so a saturation hovering at the limit does not flap. Product choice.
  clear_after_s: 30,
  // BLE oximeters send a continuous measurement about once a second; 10 s is ten lost ones.
  max_gap_s: 10,
  // AASM 2012 (Berry et al.): >= 3 % desaturation, event >= 10 s.
  desaturation_drop_percent: 3,
  desaturation_min_s: 10,
  // Issue #6: baseline from the last 2-5 minutes; 2 min keeps it close to the current night state.
  baseline_window_s: 120,
  // Oximeter accuracy is specified over 70-100 % (ISO 80601-2-61); below 50 % a reading is almost
  // always a probe artefact, and a real fall that deep passes the alarm limit on its way down.
  plausible_min_percent: 50,
  // 4 h without valid oximetry separates two nights (as apnea.ts). Product choice.
  new_night_after_s: 4 * 3600,
});

export interface Spo2State {
  readonly oximeterFlags: OximeterFlags;
  /** Last valid (accepted) SpO2 reading: when, and its value. */
  readonly lastValidAt: number | null;
  readonly lastValidPercent: number | null;
  /** Start of the current run at or below the alarm limit. */
  readonly lowSince: number | null;
  /** Start of the current run above the limit while the alarm is open. */
  readonly normalSince: number | null;
  readonly alarm: { readonly raisedAt: number; readonly lowestPercent: number } | null;
  readonly ring: Spo2Ring;
  readonly desat: { readonly start: number; readonly baseline: number; readonly nadir: number } | null;
  readonly nights: NightBook;
}

export const ALARM_TYPE = 'alarm.spo2';
export const EVENT_TYPE = 'event.desaturation';

/** Tolerance for comparing a reading with a mean (floating point). */
const EPS = 1e-9;

function ringSize(s: Spo2Settings): number {
  return Math.ceil(s.baseline_window_s / 10) + 1;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export const spo2Detector: Detector<Spo2State, Spo2Settings> = {
  name: 'spo2',
  // The saturation, and the oximeter's flags that gate it; nothing else changes the state.
  metrics: Object.freeze(['spo2Percent', ...OXIMETER_METRICS]),
  scope: 'device',

  initialState: () => ({
    oximeterFlags: [],
    lastValidAt: null,
    lastValidPercent: null,
    lowSince: null,
    normalSince: null,
    alarm: null,
    ring: { k: [], sum: [], n: [] },
    desat: null,
    nights: EMPTY_NIGHT_BOOK,
  }),

  // Every time here is an instant (the ring's buckets are numbered by time): all move.
  rebase: (st, d) => ({
    oximeterFlags: st.oximeterFlags, lastValidAt: shifted(st.lastValidAt, d), lastValidPercent: st.lastValidPercent,
    lowSince: shifted(st.lowSince, d), normalSince: shifted(st.normalSince, d),
    alarm: st.alarm === null ? null : { ...st.alarm, raisedAt: st.alarm.raisedAt + d }, ring: rebaseRing(st.ring, d),
    desat: st.desat === null ? null : { ...st.desat, start: st.desat.start + d }, nights: rebaseNightBook(st.nights, d),
  }),

  step(state, reading: Reading, now, s): StepResult<Spo2State> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    if (reading.metric !== 'spo2Percent') {
      const oximeterFlags = observeOximeterFlag(state.oximeterFlags, reading);
      return { state: oximeterFlags === state.oximeterFlags ? state : { ...state, oximeterFlags }, events: NO_EVENTS };
    }
    const v = reading.value;
    const gapMs = s.max_gap_s * 1000;
    const nightMs = s.new_night_after_s * 1000;
    if (typeof v !== 'number' || !(v >= s.plausible_min_percent && v <= 100) || state.oximeterFlags.length > 0) {
      // Not a measurement: no evidence either way. Only the monitored time stops here.
      const nights = accrue(state.nights, now, false, gapMs, nightMs);
      return { state: nights === state.nights ? state : { ...state, nights }, events: NO_EVENTS };
    }

    const events: EventDraft[] = [];
    const gap = state.lastValidAt !== null && now - state.lastValidAt > gapMs;
    let nights = accrue(state.nights, now, true, gapMs, nightMs);
    let { lowSince, normalSince, alarm, desat } = gap ? { ...state, lowSince: null, normalSince: null, desat: null } : state;

    // Desaturation events.
    if (desat !== null) {
      if (v <= desat.baseline - s.desaturation_drop_percent + EPS) {
        if (v < desat.nadir) desat = { ...desat, nadir: v };
      } else {
        const durationMs = now - desat.start;
        if (durationMs >= s.desaturation_min_s * 1000) {
          events.push({
            type: EVENT_TYPE,
            severity: 'info',
            device: reading.device,
            state: 'info',
            data: {
              startTs: desat.start,
              durationS: Math.round(durationMs / 1000),
              baselinePercent: round1(desat.baseline),
              nadirPercent: desat.nadir,
              depthPercent: round1(desat.baseline - desat.nadir),
            },
          });
          nights = countEvent(nights, now, durationMs);
        }
        desat = null;
      }
    }
    const ring = state.ring.k.length === ringSize(s) ? state.ring : emptyRing(ringSize(s));
    // A desaturation must be seen to start: the previous valid reading, without a hole, was above the
    // threshold. A probe put back on (or valid again) on an already low value is no observed fall.
    if (desat === null && !gap && state.lastValidPercent !== null) {
      const baseline = baselineOf(ring, now);
      const threshold = baseline === null ? null : baseline - s.desaturation_drop_percent + EPS;
      if (threshold !== null && v <= threshold && state.lastValidPercent > threshold) desat = { start: now, baseline: baseline!, nadir: v };
    }

    // Sustained low saturation.
    if (v <= s.critical_at_or_below_percent) {
      lowSince ??= now;
      normalSince = null;
      if (alarm === null && now - lowSince >= s.sustain_s * 1000) {
        events.push({
          type: ALARM_TYPE,
          severity: s.severity,
          device: reading.device,
          state: 'raised',
          data: { spo2Percent: v, thresholdPercent: s.critical_at_or_below_percent, lowSinceTs: lowSince, sustainedS: Math.round((now - lowSince) / 1000) },
        });
        alarm = { raisedAt: now, lowestPercent: v };
      } else if (alarm !== null && v < alarm.lowestPercent) {
        alarm = { ...alarm, lowestPercent: v };
      }
    } else {
      lowSince = null;
      if (alarm !== null) {
        normalSince ??= now;
        if (now - normalSince >= s.clear_after_s * 1000) {
          events.push({
            type: ALARM_TYPE,
            severity: s.severity,
            device: reading.device,
            state: 'cleared',
            data: { spo2Percent: v, lowestPercent: alarm.lowestPercent, raisedAtTs: alarm.raisedAt, durationS: Math.round((now - alarm.raisedAt) / 1000) },
          });
          alarm = null;
          normalSince = null;
        }
      }
    }

    return {
      state: { ...state, lastValidAt: now, lastValidPercent: v, lowSince, normalSince, alarm, ring: ringAdd(ring, now, v), desat, nights },
      events: events.length > 0 ? events : NO_EVENTS,
    };
  },
};

/** Band of an ODI (desaturations per hour), with the AHI cut-offs: < 5, 5-15, 15-30, >= 30. */
export function odiBand(perHour: number): IndexBand {
  return indexBand(perHour);
}

export interface OdiSummary {
  readonly night: NightSummary | null;
  readonly previousNight: NightSummary | null;
}

/** The nightly ODI and its band, for the sleep report: `odiSummary(state).night.perHour`. */
export function odiSummary(state: Spo2State): OdiSummary {
  return { night: summarizeNight(state.nights.current), previousNight: summarizeNight(state.nights.previous) };
}
