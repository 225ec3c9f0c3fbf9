import type { Reading } from '../core/reading.js';
import { apneaDetector, type ApneaSettings, type ApneaState } from './apnea.js';
import { apneaRisk } from './apnea-risk.js';
import { isBreathEvidence, isHeartReading, type RadarContext } from './artefact-gates.js';
import {
  createHrApneaState, finishNight, isCurrentHrApneaState, pushBeat, rebaseHrApneaState, resolveHrApneaSettings, summarise, type HrApneaSettings, type HrApneaState,
} from './hr-apnea-screening/index.js';
import { summarizeNight, type NightBook, type NightTally } from './night-index.js';
import { spo2Detector, type Spo2Settings, type Spo2State } from './spo2.js';

/**
 * What the sleep report (sleep-report.ts) takes from other detectors' code, which it runs for the
 * night inside its own state: the apnea detector (apnea.ts) for the apnea index, the heart-rate
 * apnea screener (hr-apnea-screening/) for the night's class, and the SpO2 detector (spo2.ts) on a
 * paired oximeter's readings for the ODI (issue 18). Pure.
 */

/**
 * The screening class needs this many analysed minutes: the classes (A >= 100 apnea minutes, B 5-99,
 * C < 5) are per whole night (PhysioNet Apnea-ECG recordings last 7-10 h), and a C from half an
 * hour of signal would be false reassurance.
 */
export const MIN_SCREENED_MINUTES = 60;

// The settings of the last night asked for: one object per night, not one per heart-rate reading.
// The cache holds no time and changes no result, so the functions stay pure.
let lastSettings: HrApneaSettings | null = null;

/** The screener's settings for a night whose minute 0 starts at `originS` (epoch seconds). */
export function hrScreeningSettings(originS: number | null): HrApneaSettings {
  const o = originS ?? 0;
  if (lastSettings === null || lastSettings.originS !== o) lastSettings = resolveHrApneaSettings({ originS: o });
  return lastSettings;
}

/** The companions of a night (the apnea copy, the HR screener and its origin, the SpO2 copy). */
export interface Companions {
  apnea: ApneaState | null;
  hr: HrApneaState | null;
  hrOriginS: number | null;
  /** The SpO2 detector's state on the paired oximeter's readings; absent in states saved before issue 18. */
  spo2?: Spo2State | null;
  /**
   * A breathing reading came during the open night: without one the apnea copy's index (it counts
   * monitored time on any vital sign) says nothing about breathing, and the risk leaves it out.
   * Absent in states saved before issue 18: then the index is left out of that night's risk.
   */
  nightBreath?: boolean;
}

/**
 * A night opens: the apnea copy starts from what this radar has shown so far (its context), with an
 * empty index; the screener's minute 0 is the minute the night started in; the SpO2 copy exists when
 * an oximeter is paired with the bed.
 */
export function openCompanions(c: Companions, device: string | null, now: number, ctx: RadarContext, oximeterPaired: boolean): void {
  c.apnea = { ...apneaDetector.initialState(), device, ctx };
  c.hr = createHrApneaState();
  c.hrOriginS = Math.floor(now / 60_000) * 60;
  c.nightBreath = false;
  c.spo2 = oximeterPaired ? spo2Detector.initialState() : null;
}

export function closeCompanions(c: Companions): void {
  c.apnea = null;
  c.hr = null;
  c.hrOriginS = null;
  c.nightBreath = false;
  c.spo2 = null;
}

/** The bed radar's own reading during the open night (`isIn`: she is in bed now). */
export function feedCompanions(c: Companions, r: Reading, now: number, isIn: boolean, apnea: ApneaSettings): void {
  if (c.apnea !== null) c.apnea = apneaDetector.step(c.apnea, r, now, apnea).state;
  if (!c.nightBreath && (isBreathEvidence(r) || r.metric === 'breathStatus')) c.nightBreath = true;
  if (c.hr !== null && isIn && isHeartReading(r)) pushBeat(currentScreener(c)!, now / 1000, r.value as number, hrScreeningSettings(c.hrOriginS));
}

/** The paired oximeter's reading during the open night; the copy's own events are the oximeter's spo2 detector's to emit. */
export function feedOximetry(c: Companions, r: Reading, now: number, spo2: Spo2Settings): void {
  if (c.spo2 != null) c.spo2 = spo2Detector.step(c.spo2, r, now, spo2).state;
}

/** The night's figures from the companions, for report.sleep (finishes the screener in place). */
export function companionFigures(c: Companions) {
  const apnea = apneaIndexOfNight(c.apnea);
  const hrApneaScreening = screeningOfNight(currentScreener(c), c.hrOriginS);
  const odi = odiOfNight(c.spo2);
  // One risk from the channels this night had (apnea-risk.ts, issue 18).
  return { apnea, hrApneaScreening, odi, apneaRisk: apneaRisk({ apneaIndex: c.nightBreath === true ? apnea : null, odi, hrScreening: hrApneaScreening }) };
}

/**
 * The night's screener, fit to be fed: a state restored from a snapshot of an older layout (the daemon
 * upgraded during the night) is replaced, in place, by a fresh one with the same origin. The minutes
 * before the upgrade then count as not analysable ('-'), which the report says; feeding the old
 * layout to the new code would throw on every heart-rate reading.
 */
export function currentScreener(c: Companions): HrApneaState | null {
  if (c.hr !== null && !isCurrentHrApneaState(c.hr)) c.hr = createHrApneaState();
  return c.hr;
}

/**
 * After a wall-clock step of `deltaMs` (the sleep report's rebase), in place: the apnea copy moves by
 * the apnea detector's own rebase, the screener's beat times and its origin (seconds) by the step.
 */
export function rebaseCompanions(c: Companions, deltaMs: number, apnea: ApneaSettings, spo2: Spo2Settings): void {
  if (c.apnea !== null) c.apnea = apneaDetector.rebase!(c.apnea, deltaMs, apnea);
  if (c.spo2 != null) c.spo2 = spo2Detector.rebase!(c.spo2, deltaMs, spo2);
  const hr = currentScreener(c);
  if (hr !== null) rebaseHrApneaState(hr, deltaMs / 1000);
  if (c.hrOriginS !== null) c.hrOriginS += deltaMs / 1000;
}

/**
 * The apnea index of the night from the apnea detector's copy: its tally summarised as the apnea
 * detector summarises its own (night-index.ts `summarizeNight`). The copy starts each night with an
 * empty book; if its own night boundary (apnea.new_night_after_s without monitoring) fell inside the
 * report's night, the two tallies are added. null when nothing was monitored (or apnea is disabled).
 */
export function apneaIndexOfNight(apnea: ApneaState | null) {
  const n = apnea === null ? null : summarizeNight(tallyOfNight(apnea.nights));
  if (n === null) return null;
  return { events: n.events, monitoredS: n.monitoredS, perHour: n.perHour, band: n.band, longestEventS: n.longestEventS };
}

/**
 * The copy's tally of the report's night: it starts each night with an empty book; if its own night
 * boundary (new_night_after_s without monitoring) fell inside the report's night, the two tallies are
 * added.
 */
function tallyOfNight(book: NightBook): NightTally | null {
  const { current, previous } = book;
  if (previous === null) return current;
  if (current === null) return previous;
  return {
    startedAt: previous.startedAt, lastAt: current.lastAt, monitoredMs: previous.monitoredMs + current.monitoredMs,
    events: previous.events + current.events, eventMs: previous.eventMs + current.eventMs,
    longestEventMs: Math.max(previous.longestEventMs, current.longestEventMs),
  };
}

/**
 * The ODI of the night from the SpO2 copy fed with the paired oximeter's readings: desaturations per
 * hour of valid oximetry (spo2.ts, the detector's own rule and settings). null without a paired
 * oximeter or without any valid oximetry that night.
 */
export function odiOfNight(spo2: Spo2State | null | undefined) {
  const n = spo2 == null ? null : summarizeNight(tallyOfNight(spo2.nights));
  if (n === null || n.monitoredS === 0) return null;
  return { events: n.events, monitoredS: n.monitoredS, perHour: n.perHour, band: n.band };
}

/** Finishes the night's screening (flushes the screener in place) and summarises it; null without one. */
export function screeningOfNight(hr: HrApneaState | null, originS: number | null) {
  if (hr === null) return null;
  const hs = hrScreeningSettings(originS);
  finishNight(hr, hs);
  const r = summarise(hr, hs);
  return {
    cls: r.minutesAnalysed >= MIN_SCREENED_MINUTES ? r.cls : null,
    apneaMinutes: r.apneaMinutes,
    minutesAnalysed: r.minutesAnalysed,
    minutesRejected: r.minutesRejected,
    startMinuteTs: (originS ?? 0) * 1000,
    // One character per minute from startMinuteTs: A apnea, N normal, - not analysable.
    minutes: hr.codes,
  };
}
