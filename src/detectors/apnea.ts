import type { EventDraft, Severity } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import {
  bedGate,
  INITIAL_RADAR_CONTEXT,
  isBreathEvidence,
  isHeartReading,
  isNoBreathStatus,
  monitoredInBed,
  observeRadar,
  rebaseRadarContext,
  type BedGateSettings,
  type RadarContext,
} from './artefact-gates.js';
import { accrue, countEvent, EMPTY_NIGHT_BOOK, indexBand, rebaseNightBook, summarizeNight, type IndexBand, type NightBook, type NightSummary } from './night-index.js';
import { NO_EVENTS, shifted, type Detector, type Mutable, type StepResult } from './types.js';

/**
 * Apnea: breathing ceases while the person is present and in bed (radar).
 *
 * The rule follows the AASM idea (Berry et al., "Rules for scoring respiratory events in sleep:
 * update of the 2007 AASM Manual", J Clin Sleep Med 2012;8(5):597-619): an apnea is a cessation of
 * breathing lasting >= 10 s. Each one is logged when it ends as `event.apnea` (info) with its
 * duration; a pause reaching `alarm_after_s` (default 20 s) raises a critical `alarm.apnea` once,
 * cleared when breathing is seen again. Events per hour in bed give the nightly apnea index.
 *
 * What counts as cessation, given what the radars report (devices/*, profile.json):
 *
 * 1. `breathStatus: none` (MR60BHA1, 0x81 0x01 value 4, `BREATH_NONE` "radar detection nothing" in
 *    Seeed's Arduino library: the module sees no breathing) while the person is present, in bed and
 *    still. The pause starts at that reading; the MR60BHA1 refreshes its reports every 1-30 s (Seeed
 *    wiki Radar_MR60BHA1, "refresh time"), so a duration is as the module saw it, to within one
 *    refresh. It holds until the module reports breathing again (below); we assume the module does
 *    not send a positive rate while it says none (its rate of 0 is "no value").
 * 2. Silence of the breathing readings while the heart is still measured: no `breathRatePerMin` (and
 *    no breathing `breathStatus`) while the same radar keeps reporting `heartRateBpm` no further
 *    apart than `silence_max_interval_s`. This counts only for a radar that normally reports its
 *    rate at least that often: the MR60BHA2 sends both rates ~8 times a second
 *    (github.com/duramson/mr60bha2-radar PROTOCOL.md), so ten seconds without a breathing rate means
 *    the module had no breathing to measure (its 0.0 "no value" is dropped by the driver), while the
 *    heart rate going on shows it still measures the chest. When both stop (the person moves, stands
 *    beside the bed, or the module lost them, and the MR60BHA2 has no motion report to tell), it is
 *    not an apnea: that is alarm.vital_signs_lost's business. An MR60BHA1 reporting every few seconds
 *    is not judged by silence: a missing report there is normal. The cadence is learnt from the
 *    readings (a running mean of the intervals between rates), so one setting serves both models.
 *    The pause starts at the last breathing reading (or when the heart readings started, if later).
 *
 * Not cessation: a rate of 0 (the drivers drop it: it means "no value", e.g. the ~20 s set-up after
 * someone lies down, or nobody within 1.5 m), a quiet device (`device_quiet_s` without any reading:
 * that is device supervision's business), anything while the gates below are closed.
 * Breathing resumes with a positive `breathRatePerMin` or a `breathStatus` of normal / high / low.
 * `breathPhase` (MR60BHA2, ~8 Hz) is not used yet: an AASM-style amplitude criterion (>= 90 % drop
 * of the excursion) needs captures to tune against; until then it only proves the radar is alive.
 *
 * Limitation, for whoever reads the index: a radar sees chest movement, not airflow. During an
 * obstructive apnea the chest keeps moving against the closed airway, so the module may go on
 * reporting breathing; this detector sees pauses of breathing movement (central apneas, complete
 * stops). Its index is a lower bound of the AHI, not a diagnosis.
 *
 * Artefact gating (shared with vital_signs_lost, artefact-gates.ts): the person must be reported
 * present and in bed, within `max_distance_cm`, not moving (`motion: active` or `bodyMovement` above
 * `max_body_movement`, plus `motion_settle_s` after), and the radar alive. A gate closing ends the
 * pause in progress: a movement ending a pause that already lasted `min_pause_s` is logged
 * (`endedBy: movement`: obstructive events typically end with an arousal movement); anything else
 * (leaving the bed, absence, out of range, device quiet) discards it. An open alarm is cleared only
 * by breathing: leaving or a quiet radar does not tell a dispatcher "all clear".
 */
export interface ApneaSettings extends BedGateSettings {
  readonly enabled: boolean;
  /** A cessation at least this long is an apnea, seconds. */
  readonly min_pause_s: number;
  /** A cessation this long raises `alarm.apnea`, seconds. */
  readonly alarm_after_s: number;
  readonly severity: Severity;
  /** Silence of the breathing readings counts only for a radar reporting them (and heart rates during the silence) at least this often, seconds. */
  readonly silence_max_interval_s: number;
  /** No reading at all from the radar for this long: we cannot judge breathing, seconds. */
  readonly device_quiet_s: number;
  /** Being in bed again after this long out of it starts a new night for the index, seconds. */
  readonly new_night_after_s: number;
}

export const apneaDefaults: ApneaSettings = Object.freeze({
  enabled: true,
  // AASM 2012 (Berry et al., J Clin Sleep Med 2012;8(5):597-619): an apnea lasts >= 10 s.
  min_pause_s: 10,
  // Issue #6: a prolonged pause (e.g. >= 20 s) is critical. Bedside monitors offer the same kind of
  // delay for their apnea alarm (e.g. Mindray BeneVision N1 operator's manual, A.14.2: "zero RR alarm
  // delay" 10-40 s).
  alarm_after_s: 20,
  severity: 'critical',
  // 2 s: five missed reports in the 10 s an apnea needs. The MR60BHA2 reports ~8 Hz (PROTOCOL.md above).
  silence_max_interval_s: 2,
  // The MR60BHA1 refreshes every 1-30 s (Seeed wiki Radar_MR60BHA1 specification, "refresh time").
  device_quiet_s: 30,
  // Seeed body-movement parameter: above 30 is a body movement, not a micro-movement (artefact-gates.ts).
  max_body_movement: 30,
  // MR60BHA1 observation set-up time 20 s (Seeed wiki specification).
  motion_settle_s: 20,
  // MR60BHA2 vital-sign range ~1.5 m (Seeed wiki, MR60BHA2 kit).
  max_distance_cm: 150,
  assume_in_bed_without_bed_state: true,
  // 4 h out of bed separates two nights; a night-time toilet trip (minutes) does not. Product choice.
  new_night_after_s: 4 * 3600,
});

export type PauseSource = 'breathStatus' | 'rateSilence';

export interface ApneaState {
  /** Device id, learnt from the first reading: `tick` has no reading to take it from. */
  readonly device: string | null;
  readonly ctx: RadarContext;
  /** Last reading showing breathing. */
  readonly lastBreathAt: number | null;
  /** Last `breathRatePerMin`, and the running mean interval between them (the radar's cadence). */
  readonly lastRateAt: number | null;
  readonly rateIntervalMs: number | null;
  /** First `breathStatus: none` of the current run; null once breathing is seen. */
  readonly noBreathSince: number | null;
  /** Last `heartRateBpm`, and the start of the current run of them with no hole longer than silence_max_interval_s. */
  readonly lastHeartAt: number | null;
  readonly heartSince: number | null;
  /** Since when the gates have been open without interruption; null while closed. */
  readonly eligibleSince: number | null;
  readonly alarm: { readonly raisedAt: number; readonly pauseStart: number; readonly source: PauseSource } | null;
  readonly nights: NightBook;
}

export const ALARM_TYPE = 'alarm.apnea';
export const EVENT_TYPE = 'event.apnea';

/** Weight of a new interval in the running mean of the rate cadence (an 8-sample exponential mean). */
const CADENCE_WEIGHT = 1 / 8;

interface Pause {
  readonly start: number;
  readonly source: PauseSource;
}

/** The cessation in progress at `now` (of any length), or null. */
function currentPause(st: ApneaState, now: number, s: ApneaSettings): Pause | null {
  if (st.eligibleSince === null) return null;
  let best: Pause | null = null;
  if (st.noBreathSince !== null) best = { start: Math.max(st.noBreathSince, st.eligibleSince), source: 'breathStatus' };
  const silenceMs = s.silence_max_interval_s * 1000;
  const heartGoesOn = st.heartSince !== null && st.lastHeartAt !== null && now - st.lastHeartAt <= silenceMs;
  if (heartGoesOn && st.rateIntervalMs !== null && st.rateIntervalMs <= silenceMs) {
    const start = Math.max(st.lastBreathAt ?? st.eligibleSince, st.eligibleSince, st.heartSince ?? now);
    if (best === null || start < best.start) best = { start, source: 'rateSilence' };
  }
  return best;
}

function apneaEvent(st: ApneaState, p: Pause, now: number, endedBy: 'breathing' | 'movement'): EventDraft {
  return {
    type: EVENT_TYPE,
    severity: 'info',
    device: st.device,
    state: 'info',
    data: { pauseStartTs: p.start, durationS: Math.round((now - p.start) / 1000), source: p.source, endedBy },
  };
}

/**
 * Gates, alarm threshold and time in bed at `now`; shared by step (after the reading) and tick.
 * Updates `st`, a copy the caller owns (one copy per step instead of one per changed field: this
 * runs on every reading of every radar, twice with the sleep report's copy).
 */
function finish(st: Mutable<ApneaState>, now: number, s: ApneaSettings, events: EventDraft[]): void {
  const quietMs = s.device_quiet_s * 1000;
  const gate = bedGate(st.ctx, now, s, quietMs);
  if (gate !== null) {
    if (st.eligibleSince !== null) {
      const p = currentPause(st, now, s);
      if (p !== null && gate === 'movement' && now - p.start >= s.min_pause_s * 1000) {
        events.push(apneaEvent(st, p, now, 'movement'));
        st.nights = countEvent(st.nights, now, now - p.start);
      }
      st.eligibleSince = null;
    }
  } else {
    if (st.eligibleSince === null) st.eligibleSince = now;
    if (st.alarm === null) {
      const p = currentPause(st, now, s);
      if (p !== null && now - p.start >= s.alarm_after_s * 1000) {
        events.push({
          type: ALARM_TYPE,
          severity: s.severity,
          device: st.device,
          state: 'raised',
          data: { pauseStartTs: p.start, pauseS: Math.round((now - p.start) / 1000), source: p.source, alarmAfterS: s.alarm_after_s },
        });
        st.alarm = { raisedAt: now, pauseStart: p.start, source: p.source };
      }
    }
  }
  // Time in bed: monitoredInBed(ctx, now) is exactly "no gate but movement", the gate just computed.
  st.nights = accrue(st.nights, now, gate === null || gate === 'movement', quietMs, s.new_night_after_s * 1000);
}

/**
 * A working copy of the state, written out field by field (in initialState's order, which is also
 * the JSON order): a spread copies states of several shapes (fresh, restored, the sleep report's
 * copy) and falls off V8's fast path; this literal always builds the same shape.
 */
function copyOf(s: ApneaState, device: string | null): Mutable<ApneaState> {
  return {
    device, ctx: s.ctx, lastBreathAt: s.lastBreathAt, lastRateAt: s.lastRateAt, rateIntervalMs: s.rateIntervalMs, noBreathSince: s.noBreathSince,
    lastHeartAt: s.lastHeartAt, heartSince: s.heartSince, eligibleSince: s.eligibleSince, alarm: s.alarm, nights: s.nights,
  };
}

const result = (st: ApneaState, events: EventDraft[]): StepResult<ApneaState> => ({ state: st, events: events.length > 0 ? events : NO_EVENTS });

export const apneaDetector: Detector<ApneaState, ApneaSettings> = {
  name: 'apnea',
  scope: 'device',

  initialState: () => ({
    device: null,
    ctx: INITIAL_RADAR_CONTEXT,
    lastBreathAt: null,
    lastRateAt: null,
    rateIntervalMs: null,
    noBreathSince: null,
    lastHeartAt: null,
    heartSince: null,
    eligibleSince: null,
    alarm: null,
    nights: EMPTY_NIGHT_BOOK,
  }),

  // Every time here is an instant (the cadence, rateIntervalMs, is a duration): all move.
  rebase(st, d): ApneaState {
    return {
      device: st.device, ctx: rebaseRadarContext(st.ctx, d), lastBreathAt: shifted(st.lastBreathAt, d), lastRateAt: shifted(st.lastRateAt, d),
      rateIntervalMs: st.rateIntervalMs, noBreathSince: shifted(st.noBreathSince, d), lastHeartAt: shifted(st.lastHeartAt, d),
      heartSince: shifted(st.heartSince, d), eligibleSince: shifted(st.eligibleSince, d),
      alarm: st.alarm === null ? null : { raisedAt: st.alarm.raisedAt + d, pauseStart: st.alarm.pauseStart + d, source: st.alarm.source },
      nights: rebaseNightBook(st.nights, d),
    };
  },

  step(state, reading: Reading, now, s): StepResult<ApneaState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const events: EventDraft[] = [];
    // The radar context takes the time of every reading (lastAnyAt), so nearly every reading changes
    // the state: one copy, updated field by field below.
    const st = copyOf(state, reading.device);
    const last = st.ctx.lastAnyAt;

    // A radar silent for longer than device_quiet_s may have missed anything: drop the pause in progress.
    if (last !== null && now - last > s.device_quiet_s * 1000 && st.eligibleSince !== null) st.eligibleSince = null;

    if (isBreathEvidence(reading)) {
      // Judged on the state before this reading: the pause ran up to now.
      const p = currentPause(st, now, s);
      if (p !== null && now - p.start >= s.min_pause_s * 1000) {
        events.push(apneaEvent(st, p, now, 'breathing'));
        st.nights = countEvent(st.nights, now, now - p.start);
      }
      if (st.alarm !== null) {
        events.push({
          type: ALARM_TYPE,
          severity: s.severity,
          device: st.device,
          state: 'cleared',
          data: {
            pauseStartTs: st.alarm.pauseStart,
            raisedAtTs: st.alarm.raisedAt,
            pauseS: Math.round((now - st.alarm.pauseStart) / 1000),
            durationS: Math.round((now - st.alarm.raisedAt) / 1000),
            clearedBy: reading.metric,
          },
        });
      }
      if (reading.metric === 'breathRatePerMin') {
        const interval = st.lastRateAt === null ? null : now - st.lastRateAt;
        // Intervals as long as an apnea are pauses, not the cadence.
        if (interval !== null && interval < s.min_pause_s * 1000) {
          st.rateIntervalMs = st.rateIntervalMs === null ? interval : st.rateIntervalMs + (interval - st.rateIntervalMs) * CADENCE_WEIGHT;
        }
        st.lastRateAt = now;
      }
      st.lastBreathAt = now;
      st.noBreathSince = null;
      st.alarm = null;
    } else if (isNoBreathStatus(reading) && st.noBreathSince === null) {
      st.noBreathSince = now;
    }

    if (isHeartReading(reading)) {
      if (st.lastHeartAt === null || now - st.lastHeartAt > s.silence_max_interval_s * 1000) st.heartSince = now;
      st.lastHeartAt = now;
    }
    st.ctx = observeRadar(st.ctx, reading, now, s);
    finish(st, now, s, events);
    return result(st, events);
  },

  tick(state, now, s): StepResult<ApneaState> {
    if (!s.enabled || state.device === null) return { state, events: NO_EVENTS };
    const events: EventDraft[] = [];
    const st = copyOf(state, state.device);
    finish(st, now, s, events);
    // Unchanged (nothing but the gates' verdict, which stayed): the same object, so nothing to save.
    const same = st.eligibleSince === state.eligibleSince && st.alarm === state.alarm && st.nights === state.nights;
    return result(same ? state : st, events);
  },
};

/** Band of an apnea index (events per hour): < 5 normal, 5-15 mild, 15-30 moderate, >= 30 severe. */
export function apneaIndexBand(perHour: number): IndexBand {
  return indexBand(perHour);
}

export interface ApneaSummary {
  /** The night in progress (or the last one, until the next starts); null before any time in bed. */
  readonly night: NightSummary | null;
  readonly previousNight: NightSummary | null;
}

/** The nightly apnea index and its band, for the sleep report: `apneaSummary(state).night.perHour`. */
export function apneaSummary(state: ApneaState): ApneaSummary {
  return { night: summarizeNight(state.nights.current), previousNight: summarizeNight(state.nights.previous) };
}
