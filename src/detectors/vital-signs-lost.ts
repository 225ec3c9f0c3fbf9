import type { EventDraft, Severity } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import {
  bedGate,
  INITIAL_RADAR_CONTEXT,
  isBreathEvidence,
  isHeartReading,
  observeRadar,
  rebaseRadarContext,
  type BedGateSettings,
  type RadarContext,
} from './artefact-gates.js';
import { NO_EVENTS, shifted, type Detector, type Mutable, type StepResult } from './types.js';

/**
 * "Vital signs lost": the radar sees the person in bed but measures neither breathing nor a heart
 * beat for `lost_after_s` (default 60 s): critical `alarm.vital_signs_lost` (issue #6: its own alarm).
 *
 * - Vital-sign readings: a positive `breathRatePerMin` or `heartRateBpm`, or `breathStatus` normal /
 *   high / low. `breathStatus: none` is not one; 0 is "no value" and dropped by the drivers.
 * - The timer runs only while the gates are open (artefact-gates.ts, as for apnea): present, in bed
 *   (or a radar without bed state over the bed), within `max_distance_cm`, not moving (movement is
 *   itself a sign of life, and the radar cannot measure through it: the timer restarts after it and
 *   `motion_settle_s`), and the radar alive: some reading within `device_quiet_s`. A radar that
 *   goes completely silent is device supervision's `device.*` event, not this alarm; the MR60BHA1
 *   keeps sending presence, motion and movement reports, the MR60BHA2 presence, distance and phases,
 *   so "alive but no vital signs" is observable on both.
 * - Raised once when the gates have been open and no vital sign has come for `lost_after_s`,
 *   counted from the later of the last vital sign and the opening of the gates. Tick-driven, so it
 *   fires even when nothing arrives.
 * - Cleared only by a vital-sign reading. Leaving the bed, absence or silence do not clear it: the
 *   radar that lost the chest might be seeing someone else; the carer's acknowledgement closes it.
 *
 * Limitation: if the module itself decides nobody is present when breathing stops (radars infer
 * presence partly from breathing movement), the gate closes and this alarm cannot fire; the
 * inactivity detector is the backstop.
 */
export interface VitalSignsLostSettings extends BedGateSettings {
  readonly enabled: boolean;
  readonly lost_after_s: number;
  readonly severity: Severity;
  readonly device_quiet_s: number;
}

export const vitalSignsLostDefaults: VitalSignsLostSettings = Object.freeze({
  enabled: true,
  // Issue #6 brief: 60 s without breath or heart readings. Longer than the apnea alarm (20 s), so a
  // pause of breathing alone raises alarm.apnea first and this one only when the heart is not seen either.
  lost_after_s: 60,
  severity: 'critical',
  // The MR60BHA1 refreshes every 1-30 s (Seeed wiki Radar_MR60BHA1, "refresh time").
  device_quiet_s: 30,
  // Seeed body-movement parameter: above 30 is a body movement (artefact-gates.ts).
  max_body_movement: 30,
  // MR60BHA1 observation set-up time 20 s (Seeed wiki specification).
  motion_settle_s: 20,
  // MR60BHA2 vital-sign range ~1.5 m (Seeed wiki, MR60BHA2 kit).
  max_distance_cm: 150,
  assume_in_bed_without_bed_state: true,
});

export interface VitalSignsLostState {
  /** Device id, learnt from the first reading: `tick` has no reading to take it from. */
  readonly device: string | null;
  readonly ctx: RadarContext;
  readonly lastVitalAt: number | null;
  /** Since when the gates have been open without interruption; null while closed. */
  readonly eligibleSince: number | null;
  readonly alarm: { readonly raisedAt: number; readonly lostSince: number } | null;
}

export const ALARM_TYPE = 'alarm.vital_signs_lost';

/** Gates and the alarm at `now`; updates `st`, a copy the caller owns (one copy per reading). */
function finish(st: Mutable<VitalSignsLostState>, now: number, s: VitalSignsLostSettings, events: EventDraft[]): void {
  if (bedGate(st.ctx, now, s, s.device_quiet_s * 1000) !== null) {
    st.eligibleSince = null;
  } else {
    const eligibleSince = (st.eligibleSince ??= now);
    const lostSince = Math.max(st.lastVitalAt ?? eligibleSince, eligibleSince);
    if (st.alarm === null && now - lostSince >= s.lost_after_s * 1000) {
      events.push({
        type: ALARM_TYPE,
        severity: s.severity,
        device: st.device,
        state: 'raised',
        data: { lostSinceTs: lostSince, lastVitalSignTs: st.lastVitalAt, silentS: Math.round((now - lostSince) / 1000), lostAfterS: s.lost_after_s },
      });
      st.alarm = { raisedAt: now, lostSince };
    }
  }
}

/** A working copy, field by field in initialState's (and JSON's) order: one shape, V8's fast path (see apnea.ts). */
function copyOf(s: VitalSignsLostState, device: string | null): Mutable<VitalSignsLostState> {
  return { device, ctx: s.ctx, lastVitalAt: s.lastVitalAt, eligibleSince: s.eligibleSince, alarm: s.alarm };
}

const result = (st: VitalSignsLostState, events: EventDraft[]): StepResult<VitalSignsLostState> => ({ state: st, events: events.length > 0 ? events : NO_EVENTS });

export const vitalSignsLostDetector: Detector<VitalSignsLostState, VitalSignsLostSettings> = {
  name: 'vital_signs_lost',
  scope: 'device',

  initialState: () => ({ device: null, ctx: INITIAL_RADAR_CONTEXT, lastVitalAt: null, eligibleSince: null, alarm: null }),

  // Every time here is an instant: all move with the clock.
  rebase: (st, d) => ({
    device: st.device, ctx: rebaseRadarContext(st.ctx, d), lastVitalAt: shifted(st.lastVitalAt, d), eligibleSince: shifted(st.eligibleSince, d),
    alarm: st.alarm === null ? null : { raisedAt: st.alarm.raisedAt + d, lostSince: st.alarm.lostSince + d },
  }),

  step(state, reading: Reading, now, s): StepResult<VitalSignsLostState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    // The radar context takes the time of every reading (lastAnyAt), so nearly every reading changes
    // the state: one copy, updated field by field.
    const st = copyOf(state, reading.device);
    // A radar silent for longer than device_quiet_s: the timer restarts from its next reading.
    const last = st.ctx.lastAnyAt;
    if (last !== null && now - last > s.device_quiet_s * 1000) st.eligibleSince = null;
    const events: EventDraft[] = [];
    if (isBreathEvidence(reading) || isHeartReading(reading)) {
      if (st.alarm !== null) {
        events.push({
          type: ALARM_TYPE,
          severity: s.severity,
          device: st.device,
          state: 'cleared',
          data: { lostSinceTs: st.alarm.lostSince, raisedAtTs: st.alarm.raisedAt, durationS: Math.round((now - st.alarm.raisedAt) / 1000), clearedBy: reading.metric },
        });
      }
      st.lastVitalAt = now;
      st.alarm = null;
    }
    st.ctx = observeRadar(st.ctx, reading, now, s);
    finish(st, now, s, events);
    return result(st, events);
  },

  tick(state, now, s): StepResult<VitalSignsLostState> {
    if (!s.enabled || state.device === null) return { state, events: NO_EVENTS };
    const events: EventDraft[] = [];
    const st = copyOf(state, state.device);
    finish(st, now, s, events);
    // Nothing changed: the same object, so nothing to save.
    return result(st.eligibleSince === state.eligibleSince && st.alarm === state.alarm ? state : st, events);
  },
};
