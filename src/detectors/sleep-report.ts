import type { EventDraft } from '../core/event.js';
import type { MeasurementValue, Reading } from '../core/reading.js';
import { apneaDefaults, apneaDetector, type ApneaSettings, type ApneaState } from './apnea.js';
import { INITIAL_RADAR_CONTEXT, inBed, isBreathEvidence, isHeartReading, observeRadar, OXIMETER_METRICS, rebaseRadarContext, type RadarContext } from './artefact-gates.js';
import type { HrApneaState } from './hr-apnea-screening/index.js';
import { nextWindowEnd, offsetMinAt, parseHhMm } from './local-time.js';
import { closeCompanions, companionFigures, feedCompanions, feedOximetry, openCompanions, rebaseCompanions } from './sleep-companions.js';
import { spo2Defaults, type Spo2Settings, type Spo2State } from './spo2.js';
import {
  accountTo, addVital, breakStillness, leaveBed, openNight, rebaseNight, returnToBed, sleepFigures,
  type NightBook, type Scoring, type SleepStage, type VitalSlot,
} from './sleep-scoring.js';
import { NO_EVENTS, type Detector, type StepResult } from './types.js';
import type { SleepReportConfig } from './settings/sleep-report.js';
export type { SleepReportConfig };

/**
 * Sleep report (issue 6, detector 8): one `report.sleep` event (info) per night, on the bed radar
 * (device scope; a couple's two beds are two reports).
 *
 * The night. It starts when the person is in bed (below) and no night is open. It ends, and the
 * report goes out from `tick`, at the first of:
 * - out of bed for `end_after_out_s` (default 1 h): she got up for good; the night ends at that exit
 *   (the final rise). A night-time toilet trip (minutes) does not end it.
 * - the local time `report_by` (default 12:00; null = off): for a bed-bound resident who never gets
 *   up, and for a radar that lost the bed state. The night ends then (or at her exit, if she was
 *   already out); if she is still in bed a new night starts at once (`endedBy: report_by`).
 * A night with less than `min_in_bed_s` in bed (default 3 h) produces no report: a nap, or lying
 * down for a while in the evening. Hub downtime during the night is "no data", not sleep or wake.
 *
 * In bed: the radar says `bedState: in` (MR60BHA1), or, without a bed state (MR60BHA2, or the
 * MR60BHA1's sleep function off), a present person when apnea's `assume_in_bed_without_bed_state`
 * (one definition of "in bed" for all vital-sign detectors: artefact-gates.ts `inBed`); and never
 * while the radar says `presence: false` (nobody in its field over the bed is nobody in the bed, as
 * for night_wandering). Only a device that is a bed radar counts: one that reported a bed state, or
 * presence and a breathing rate/status: so a living-room presence radar (LD2410) or a heart-rate
 * strap never makes a "night". Out-of-bed episodes: out for at least `min_out_of_bed_s`.
 *
 * Sleep or wake (definitions of TIB, SOL, TST, WASO: sleep-scoring.ts):
 * - The module's own stage when it sends one (MR60BHA1 `sleepState`, in sleep mode): deep or light
 *   is sleep, awake is wake; it holds until the module says otherwise (`none`, undetermined: back to
 *   the fallback). Back in bed after an exit she is awake until the module reports a stage again.
 *   The module's method is not published; its stages are taken as they come.
 * - Otherwise, from movement (MR60BHA1 `motion` and `bodyMovement`): a still stretch in bed (no
 *   `motion: active`, `bodyMovement` <= `max_body_movement`) of at least `asleep_after_still_s`
 *   (default 5 min) is sleep from its start; movement is wake. This is the actigraphy principle
 *   (immobility = sleep; Sadeh, "The role and validity of actigraphy in sleep medicine", Sleep Med
 *   Rev 2011;15(4):259-267; sleep onset as the first 5-20 min of immobility is the usual rule there).
 *   Like actigraphy it overestimates sleep: lying awake and still counts as sleep.
 * - A radar reporting neither (MR60BHA2): the time is in bed but `unscored`; TST covers only scored
 *   time, and `scoredBy` in the report says how much was scored by what.
 *
 * Also in the report, for the same night:
 * - average heart and breathing rate while asleep (readings that came while the time was scored as sleep);
 * - the apnea index: counted by the apnea detector's own code with its own settings (`detectors.apnea`,
 *   bound in pipeline/bindings.ts), run inside this state for the night (sleep-companions.ts). One
 *   rule, one code path: the `event.apnea` events of the night and this count
 *   are the same pauses (the embedded copy's events are not emitted again);
 * - the heart-rate apnea screening (hr-apnea-screening/): the streaming screener fed with the
 *   radar's `heartRateBpm` while she is in bed, finished at the end of the night: apnea minutes,
 *   minutes analysed, the per-minute flags and the class (A >= 100 apnea minutes, B 5-99, C < 5;
 *   null when fewer than 60 minutes could be analysed: the classes are per whole night, PhysioNet
 *   Apnea-ECG recordings last 7-10 h). A radar reporting less often than every ~4 s gives none;
 * - the module's own night summary (MR60BHA1 `night*` metrics and `sleepRating`, sent when the
 *   person gets up), if one came during the night, for comparison;
 * - the ODI of a paired pulse oximeter (the SpO2 detector's code and settings, run on its readings
 *   during the night; `companions`), null without one;
 * - one sleep-apnea risk (low / possible / likely / unknown) combining the apnea index, the ODI and
 *   the screening, with the channels it used and a confidence (apnea-risk.ts, issue 18).
 *
 * State is plain JSON, updated in place (`updatesInPlace`): the screener's buffers (~3,600 numbers,
 * fixed) must be, and the rest is too (copying it per reading cost more than the step's work). The
 * screener and the apnea copy exist only while a night is open. Memory is bounded:
 * fixed-size fields, one character per minute of screening (at most 24 h: the screener's maxMinutes).
 */

export const sleepReportDefaults = Object.freeze({
  enabled: true,
  // Naps of older adults mostly last under 1-2 h; a night below 3 h in bed is not reported. Product choice.
  min_in_bed_s: 3 * 3600,
  // Out of bed for an hour: up for the day. A toilet trip or a glass of water takes minutes
  // (night_wandering alarms after 20 min; this only decides where the night ends). Product choice.
  end_after_out_s: 3600,
  // A bed state flickering out and in as she turns over is not an episode. Product choice.
  min_out_of_bed_s: 60,
  // Actigraphy scores sleep onset after 5-20 min of immobility (Sadeh 2011, above); 5 min is the example.
  asleep_after_still_s: 300,
  // Seeed body-movement scale: 1 still, 2-30 micro-movements (head or limbs), above 30 body movement
  // (artefact-gates.ts). Sleepers make micro-movements.
  max_body_movement: 30,
  // The silence after which device supervision calls a radar offline (device-supervision.ts, class radar).
  device_quiet_s: 120,
  report_by: '12:00' as string | null,
  timezone: null as string | null,
  timezone_offset_min: 0,
});

const D = sleepReportDefaults;

/**
 * What the detector runs with: its settings plus the apnea and SpO2 detectors' (so the index and the
 * ODI follow one rule each), and the devices paired with this bed (a pulse oximeter worn by the person
 * in it: pipeline/bindings.ts pairs one in the same room as a single bed radar).
 */
export type SleepReportSettings = SleepReportConfig & { readonly apnea?: ApneaSettings; readonly spo2?: Spo2Settings; readonly companions?: readonly string[] };

/**
 * Updated in place (the detector says so: `updatesInPlace`): the screener's buffers must be, and a
 * copy of this object per reading would cost more than the rest of the step.
 */
export interface SleepReportState {
  device: string | null;
  /** This device sent a radar metric: from then on every reading is looked at. */
  radar: boolean;
  /** Bed-radar evidence (see the comment above): a bed state; presence; breathing readings; movement reports. */
  sawBedState: boolean;
  sawPresence: boolean;
  sawBreath: boolean;
  sawMovement: boolean;
  ctx: RadarContext;
  /** The module's current sleep stage for this stretch in bed; null: none (fallback). */
  stage: SleepStage | null;
  night: NightBook | null;
  /** When the open night ends at the latest (report_by), ms; null when off or no night. */
  cutTs: number | null;
  /** The module's night summary received during the open night, by metric. */
  module: Record<string, MeasurementValue> | null;
  moduleTs: number | null;
  /** The apnea detector's state, run for this night only. */
  apnea: ApneaState | null;
  /** Heart-rate apnea screener of the night; minute 0 starts at hrOriginS. */
  hr: HrApneaState | null;
  hrOriginS: number | null;
  /** The SpO2 copy on the paired oximeter's readings (sleep-companions.ts; absent before issue 18). */
  spo2?: Spo2State | null;
  /** A breathing reading came during the open night (sleep-companions.ts; absent before issue 18). */
  nightBreath?: boolean;
}

export const REPORT_TYPE = 'report.sleep';

/** Metrics that make a device worth following: what the bed radars send (devices/seeed-mr60bha1, -mr60bha2). */
const RADAR_METRICS = new Set([
  'presence', 'bedState', 'motion', 'bodyMovement', 'distanceCm', 'breathStatus', 'breathRatePerMin', 'heartRateBpm', 'sleepState', 'moduleHeartbeat',
]);

/** MR60BHA1 night summary (0x84 0x0D, devices/seeed-mr60bha1/README.md) and its sleep rating (0x84 0x10). */
const MODULE_SUMMARY_METRICS = new Set([
  'nightSleepScore', 'nightTotalSleepMin', 'nightAwakePct', 'nightLightPct', 'nightDeepPct', 'nightOutOfBedMin',
  'nightOutOfBedCount', 'nightTurnovers', 'nightAvgBreathPerMin', 'nightAvgHeartBpm', 'nightApneaCount', 'sleepRating',
]);

const apneaSettingsOf = (s: SleepReportSettings): ApneaSettings => s.apnea ?? apneaDefaults;
const spo2SettingsOf = (s: SleepReportSettings): Spo2Settings => s.spo2 ?? spo2Defaults;
/** The paired oximeter's metrics the report takes (its SpO2 and the flags that gate it, as spo2.ts). */
const COMPANION_METRICS = Object.freeze(['spo2Percent', ...OXIMETER_METRICS]);

/** Movement as the fallback sees it (no settle time: asleep_after_still_s is the settling). */
const moving = (ctx: RadarContext, s: SleepReportSettings): boolean => ctx.motionActive || (ctx.bodyMovement !== null && ctx.bodyMovement > s.max_body_movement);

function isBedRadar(st: SleepReportState): boolean {
  return st.sawBedState || (st.sawPresence && st.sawBreath);
}

function inBedNow(st: SleepReportState, s: SleepReportSettings): boolean {
  if (!isBedRadar(st) || st.ctx.present === false) return false;
  if (st.ctx.bedState === 'in') return true;
  return st.ctx.present === true && inBed(st.ctx, apneaSettingsOf(s));
}

/** How time is scored now (scoring(...).by, without building the scoring). */
function scoredBy(st: SleepReportState): Scoring['by'] {
  return st.stage !== null ? 'stage' : st.sawMovement ? 'movement' : 'none';
}

function scoring(st: SleepReportState, s: SleepReportSettings): Scoring {
  if (st.stage !== null) return { by: 'stage', stage: st.stage };
  if (st.sawMovement) return { by: 'movement', moving: moving(st.ctx, s) };
  return { by: 'none' };
}

function vitalSlot(st: SleepReportState, n: NightBook, s: SleepReportSettings): VitalSlot {
  if (n.outSince !== null) return null;
  if (st.stage !== null) return st.stage === 'awake' ? null : 'asleep';
  if (!st.sawMovement || moving(st.ctx, s)) return null;
  return n.stillAsleep ? 'asleep' : 'still';
}

function account(st: SleepReportState, to: number, s: SleepReportSettings): void {
  if (st.night === null) return;
  const aliveUntil = (st.ctx.lastAnyAt ?? st.night.accountedTo) + s.device_quiet_s * 1000;
  st.night = accountTo(st.night, to, aliveUntil, scoring(st, s), s.asleep_after_still_s * 1000);
}

/** `ctx`: the radar context before the reading that is about to be fed to the apnea copy. */
function startNight(st: SleepReportState, now: number, s: SleepReportSettings, ctx: RadarContext): void {
  st.night = openNight(now);
  st.cutTs = s.report_by === null ? null : nextWindowEnd(now, offsetMinAt(now, s), parseHhMm(s.report_by));
  st.module = null;
  st.moduleTs = null;
  openCompanions(st, st.device, now, ctx, (s.companions?.length ?? 0) > 0);
}

/** Ends the open night at `endTs`, and pushes the report if the night counts. */
function closeNight(st: SleepReportState, endTs: number, endedBy: 'out_of_bed' | 'report_by', s: SleepReportSettings, out: EventDraft[]): void {
  const n = st.night;
  if (n === null) return;
  if (n.inBedMs >= s.min_in_bed_s * 1000) {
    out.push({
      type: REPORT_TYPE,
      severity: 'info',
      device: st.device,
      state: 'info',
      data: {
        ...sleepFigures(n, endTs),
        endedBy,
        ...companionFigures(st), // apnea, hrApneaScreening, odi, apneaRisk

        module: st.module === null ? null : { ...st.module, receivedTs: st.moduleTs },
      },
    });
  }
  st.night = null;
  st.cutTs = null;
  st.module = null;
  st.moduleTs = null;
  closeCompanions(st);
}

/** Time passing: accounts up to `now` and ends the night when it is due. */
function advance(st: SleepReportState, now: number, s: SleepReportSettings, out: EventDraft[]): void {
  const n = st.night;
  if (n === null) return;
  const outDue = n.outSince === null ? Infinity : n.outSince + s.end_after_out_s * 1000;
  const cutDue = st.cutTs ?? Infinity;
  if (now < outDue && now < cutDue) return account(st, now, s);
  if (outDue <= cutDue) {
    account(st, now, s);
    return closeNight(st, n.outSince!, 'out_of_bed', s, out);
  }
  account(st, cutDue, s);
  closeNight(st, n.outSince ?? cutDue, 'report_by', s, out);
  // Still in bed at report_by: the next night starts now (a bed-bound resident gets one report a day).
  if (n.outSince === null && inBedNow(st, s)) {
    startNight(st, cutDue, s, st.ctx);
    account(st, now, s);
  }
}

/** Folds the reading into the evidence, the context and the module's words. */
function observe(st: SleepReportState, r: Reading, now: number, s: SleepReportSettings): void {
  const m = r.metric;
  st.device = r.device;
  if (m === 'bedState') st.sawBedState ||= r.value === 'in' || r.value === 'out';
  else if (m === 'presence') st.sawPresence ||= typeof r.value === 'boolean';
  else if (m === 'motion' || m === 'bodyMovement') st.sawMovement ||= typeof r.value === (m === 'motion' ? 'string' : 'number');
  else if (m === 'sleepState' && typeof r.value === 'string') st.stage = r.value === 'deep' || r.value === 'light' || r.value === 'awake' ? r.value : null;
  if (!st.sawBreath) st.sawBreath = isBreathEvidence(r) || (m === 'breathStatus' && r.value === 'none');
  st.ctx = observeRadar(st.ctx, r, now, apneaSettingsOf(s));
}

function onReading(st: SleepReportState, r: Reading, now: number, s: SleepReportSettings): void {
  const ctxBefore = st.ctx;
  const wasIn = st.night !== null && st.night.outSince === null;
  const wasMoving = moving(st.ctx, s);
  const wasScoredBy = scoredBy(st);
  observe(st, r, now, s);

  let n = st.night;
  if (n !== null) {
    // A change of how the time is scored ends a pending still stretch (it was not confirmed as sleep).
    const by = scoredBy(st);
    if (by !== wasScoredBy || (by === 'movement' && !wasMoving && moving(st.ctx, s))) n = breakStillness(n);
    if (MODULE_SUMMARY_METRICS.has(r.metric)) {
      st.module = { ...st.module, [r.metric]: r.value };
      st.moduleTs = now;
    }
    if (isHeartReading(r) || (r.metric === 'breathRatePerMin' && isBreathEvidence(r))) {
      n = addVital(n, r.metric === 'heartRateBpm' ? 'heart' : 'breath', r.value as number, vitalSlot(st, n, s));
    }
    st.night = n;
  }

  const isIn = inBedNow(st, s);
  if (n === null) {
    if (isIn) startNight(st, now, s, ctxBefore);
  } else if (wasIn && !isIn) {
    st.night = leaveBed(n, now);
    // Back in bed she is awake until the module says she sleeps (it reports stages on change); a
    // radar that never sent a stage stays on the fallback.
    if (st.stage !== null) st.stage = 'awake';
  } else if (!wasIn && isIn) {
    st.night = returnToBed(n, now, s.min_out_of_bed_s * 1000);
  }

  if (st.night !== null) {
    feedCompanions(st, r, now, isIn, apneaSettingsOf(s));
  }
}

/** A paired oximeter's reading: time up to it first, then the night's SpO2 copy takes it. */
function onCompanion(st: SleepReportState, r: Reading, now: number, s: SleepReportSettings): StepResult<SleepReportState> {
  if (st.night === null) return { state: st, events: NO_EVENTS };
  const out: EventDraft[] = [];
  advance(st, now, s, out);
  // The copy's own events (desaturations, alarm.spo2) are the oximeter's spo2 detector's to emit.
  if (st.night !== null) feedOximetry(st, r, now, spo2SettingsOf(s));
  return { state: st, events: out.length > 0 ? out : NO_EVENTS };
}

/**
 * After a wall-clock step (Detector.rebase), in place: the radar's and the night's instants and the
 * companions move with the clock; the night's report_by cut is the calendar's, found again from the
 * moved start of the night as startNight found it.
 */
function rebase(st: SleepReportState, d: number, s: SleepReportSettings): SleepReportState {
  st.ctx = rebaseRadarContext(st.ctx, d);
  if (st.moduleTs !== null) st.moduleTs += d;
  rebaseCompanions(st, d, apneaSettingsOf(s), spo2SettingsOf(s));
  if (st.night !== null) {
    st.night = rebaseNight(st.night, d);
    st.cutTs = s.report_by === null ? null : nextWindowEnd(st.night.startTs, offsetMinAt(st.night.startTs, s), parseHhMm(s.report_by));
  }
  return st;
}

export const sleepReportDetector: Detector<SleepReportState, SleepReportSettings> = {
  name: 'sleep_report',
  scope: 'device',
  updatesInPlace: true,
  companionMetrics: COMPANION_METRICS,
  rebase,

  initialState: () => ({
    device: null, radar: false, sawBedState: false, sawPresence: false, sawBreath: false, sawMovement: false,
    ctx: INITIAL_RADAR_CONTEXT, stage: null, night: null, cutTs: null, module: null, moduleTs: null, apnea: null, hr: null, hrOriginS: null, nightBreath: false, spo2: null,
  }),

  step(st, r, now, s): StepResult<SleepReportState> {
    if (!s.enabled) return { state: st, events: NO_EVENTS };
    // The paired oximeter (ingest offers its COMPANION_METRICS here): oximetry for the night's ODI.
    if (s.companions !== undefined && r.device !== st.device && s.companions.includes(r.device)) return onCompanion(st, r, now, s);
    // Door contacts, smoke detectors, oximeters: nothing for a sleep report; no work.
    if (!st.radar && !RADAR_METRICS.has(r.metric)) return { state: st, events: NO_EVENTS };
    st.radar = true;
    const out: EventDraft[] = [];
    // Time up to this reading first, scored as things were before it.
    advance(st, now, s, out);
    onReading(st, r, now, s);
    return { state: st, events: out.length > 0 ? out : NO_EVENTS };
  },

  tick(st, now, s): StepResult<SleepReportState> {
    if (!s.enabled || st.night === null) return { state: st, events: NO_EVENTS };
    const out: EventDraft[] = [];
    if (st.apnea !== null) st.apnea = apneaDetector.tick!(st.apnea, now, apneaSettingsOf(s)).state;
    advance(st, now, s, out);
    return { state: st, events: out.length > 0 ? out : NO_EVENTS };
  },
};
