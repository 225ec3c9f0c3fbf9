import type { EventDraft, Severity } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';

/**
 * Breathing rate out of band while the person is present, sustained.
 *
 * Default band from NEWS2 (Royal College of Physicians, National Early Warning Score 2, 2017,
 * chart 1 "respiration rate"): <= 8 /min and >= 25 /min each score 3, the critical band.
 * A single reading never raises: the rate must stay out of band for `sustain_s` (default 60 s),
 * with readings no further apart than `max_gap_s`. The alarm clears once the rate has been back in
 * band for `clear_after_s` (hysteresis in time, so a rate hovering at the limit does not flap).
 *
 * It does not clear when the person leaves or the radar stops reporting: a dispatcher must not be
 * told "all clear" because the sensor lost sight of someone. Only an in-band rate clears it.
 */
export interface BreathingRateSettings {
  readonly enabled: boolean;
  /** At or below this rate is out of band, per minute. */
  readonly low_per_min: number;
  /** At or above this rate is out of band, per minute. */
  readonly high_per_min: number;
  readonly sustain_s: number;
  readonly clear_after_s: number;
  readonly max_gap_s: number;
  readonly severity: Severity;
}

export const breathingRateDefaults: BreathingRateSettings = Object.freeze({
  enabled: true,
  low_per_min: 8,
  high_per_min: 25,
  sustain_s: 60,
  clear_after_s: 10,
  max_gap_s: 30,
  severity: 'critical',
});

export interface BreathingRateState {
  /** Last presence report; null until the radar has said anything. */
  readonly present: boolean | null;
  /** Start of the current out-of-band run (ms), null when none. */
  readonly outSince: number | null;
  /** Time of the last reading in the current run (in or out of band), to detect gaps. */
  readonly lastRateAt: number | null;
  /** Start of the current back-in-band run while the alarm is raised. */
  readonly inSince: number | null;
  /** When the open alarm was raised; null when no alarm is open. */
  readonly raisedAt: number | null;
  /** Extreme rate seen during the open alarm (furthest from the band). */
  readonly worstPerMin: number | null;
}

export const ALARM_TYPE = 'alarm.breathing_rate';

function outOfBand(rate: number, s: BreathingRateSettings): boolean {
  return rate <= s.low_per_min || rate >= s.high_per_min;
}

function worse(a: number | null, b: number, s: BreathingRateSettings): number {
  if (a === null) return b;
  const mid = (s.low_per_min + s.high_per_min) / 2;
  return Math.abs(b - mid) > Math.abs(a - mid) ? b : a;
}

export const breathingRateDetector: Detector<BreathingRateState, BreathingRateSettings> = {
  name: 'breathing_rate',
  metrics: Object.freeze(['presence', 'breathRatePerMin']),

  initialState: () => ({ present: null, outSince: null, lastRateAt: null, inSince: null, raisedAt: null, worstPerMin: null }),

  // Every time here is an instant of the run: all move with the clock.
  rebase: (st, d) => ({
    ...st, outSince: shifted(st.outSince, d), lastRateAt: shifted(st.lastRateAt, d), inSince: shifted(st.inSince, d), raisedAt: shifted(st.raisedAt, d),
  }),

  step(state, reading: Reading, now, s): StepResult<BreathingRateState> {
    if (!s.enabled) return { state, events: NO_EVENTS };

    if (reading.metric === 'presence') {
      const present = reading.value === true;
      if (present === state.present) return { state, events: NO_EVENTS };
      // Leaving ends an out-of-band run (we cannot see the rate any more); an open alarm stays open.
      return { state: { ...state, present, outSince: present ? state.outSince : null, inSince: null }, events: NO_EVENTS };
    }

    if (reading.metric !== 'breathRatePerMin' || typeof reading.value !== 'number') return { state, events: NO_EVENTS };
    const rate = reading.value;
    // Drivers drop "no value" codes; a non-positive rate here is not a measurement either.
    if (!(rate > 0)) return { state, events: NO_EVENTS };
    // Only an explicit "nobody here" blocks: a radar that reports a breathing rate sees someone.
    if (state.present === false) return { state, events: NO_EVENTS };

    const gap = state.lastRateAt !== null && now - state.lastRateAt > s.max_gap_s * 1000;

    if (outOfBand(rate, s)) {
      const outSince = state.outSince === null || gap ? now : state.outSince;
      const next: BreathingRateState = {
        ...state,
        outSince,
        lastRateAt: now,
        inSince: null,
        worstPerMin: state.raisedAt !== null ? worse(state.worstPerMin, rate, s) : null,
      };
      if (state.raisedAt === null && now - outSince >= s.sustain_s * 1000) {
        const event: EventDraft = {
          type: ALARM_TYPE,
          severity: s.severity,
          device: reading.device,
          state: 'raised',
          data: {
            breathRatePerMin: rate,
            direction: rate <= s.low_per_min ? 'low' : 'high',
            lowPerMin: s.low_per_min,
            highPerMin: s.high_per_min,
            outOfBandSinceTs: outSince,
            sustainedS: Math.round((now - outSince) / 1000),
          },
        };
        return { state: { ...next, raisedAt: now, worstPerMin: rate }, events: [event] };
      }
      return { state: next, events: NO_EVENTS };
    }

    // In band.
    if (state.raisedAt === null) return { state: { ...state, outSince: null, lastRateAt: now }, events: NO_EVENTS };
    const inSince = state.inSince === null || gap ? now : state.inSince;
    if (now - inSince >= s.clear_after_s * 1000) {
      const event: EventDraft = {
        type: ALARM_TYPE,
        severity: s.severity,
        device: reading.device,
        state: 'cleared',
        data: {
          breathRatePerMin: rate,
          worstPerMin: state.worstPerMin,
          raisedAtTs: state.raisedAt,
          durationS: Math.round((now - state.raisedAt) / 1000),
        },
      };
      return { state: { ...state, outSince: null, lastRateAt: now, inSince: null, raisedAt: null, worstPerMin: null }, events: [event] };
    }
    return { state: { ...state, outSince: null, lastRateAt: now, inSince }, events: NO_EVENTS };
  },
};
