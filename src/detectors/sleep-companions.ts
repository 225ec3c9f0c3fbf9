import { apneaDetector, type ApneaSettings, type ApneaState } from './apnea.js';
import {
  createHrApneaState, finishNight, isCurrentHrApneaState, rebaseHrApneaState, resolveHrApneaSettings, summarise, type HrApneaSettings, type HrApneaState,
} from './hr-apnea-screening/index.js';
import { summarizeNight, type NightTally } from './night-index.js';

/**
 * What the sleep report (sleep-report.ts) takes from two other detectors' code, which it runs for
 * the night inside its own state: the apnea detector (apnea.ts) for the apnea index, and the
 * heart-rate apnea screener (hr-apnea-screening/) for the night's class. Pure.
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

/** The companions of a night (the apnea copy, the HR screener and its origin). */
export interface Companions {
  apnea: ApneaState | null;
  hr: HrApneaState | null;
  hrOriginS: number | null;
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
export function rebaseCompanions(c: Companions, deltaMs: number, apnea: ApneaSettings): void {
  if (c.apnea !== null) c.apnea = apneaDetector.rebase!(c.apnea, deltaMs, apnea);
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
  if (apnea === null) return null;
  const { current, previous } = apnea.nights;
  let t: NightTally | null = current;
  if (previous !== null) {
    t = current === null ? previous : {
      startedAt: previous.startedAt, lastAt: current.lastAt, monitoredMs: previous.monitoredMs + current.monitoredMs,
      events: previous.events + current.events, eventMs: previous.eventMs + current.eventMs,
      longestEventMs: Math.max(previous.longestEventMs, current.longestEventMs),
    };
  }
  const n = t === null ? null : summarizeNight(t);
  if (n === null) return null;
  return { events: n.events, monitoredS: n.monitoredS, perHour: n.perHour, band: n.band, longestEventS: n.longestEventS };
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
