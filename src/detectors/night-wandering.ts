import type { EventDraft, Severity } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { currentWindow, offsetMinAt, parseHhMm } from './local-time.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';
import type { NightWanderingSettings } from './settings/night-wandering.js';
export type { NightWanderingSettings };

/**
 * Night wandering (issue 6, detector 7): out of bed at night for too long, `alarm.night_wandering`.
 *
 * Scope: device, on the bed radar (the MR60BHA1 reports `bedState`). Out of bed is a property of one
 * bed, so one state per bed radar is exact and needs no device list; a couple's two beds are two
 * independent detectors. (Where she wanders to is other sensors' business: absence sees the door.)
 *
 * - A bed exit is a change from in bed to out of bed. In bed: `bedState: in` (and, with
 *   `absent_is_out_of_bed`, the radar not saying `presence: false`). Out of bed: `bedState: out`, or
 *   `presence: false` from the bed radar with `absent_is_out_of_bed` (nobody in the field over the bed
 *   is nobody in the bed). `bedState: none` (undetermined) changes nothing.
 * - Only exits inside the night window [night_start, night_end) local time start an episode, as
 *   telecare bed-occupancy sensors do (Tunstall's bed occupancy sensor "detects if the bed is
 *   occupied or unoccupied during pre-set times"; Wandsworth's WATCH service: "set to work between
 *   certain times ... will not work if the user decides to have an afternoon nap").
 * - Out of bed for longer than `max_out_of_bed_s` (default 1200 s) raises `alarm.night_wandering`
 *   (default warning). Telecare bed sensors alert when the user "does not return within a pre-set
 *   period, typically around 30 minutes" (telecare.ie); 20 min is the issue's default, sooner for a
 *   person at risk of falling.
 * - Cleared when she is back in bed, or when the night window ends (with `clearedBy` saying which).
 *   An episode that reaches max_out_of_bed_s only after the night ended does not raise.
 */

export const nightWanderingDefaults = Object.freeze({
  enabled: true,
  night_start: '23:00',
  night_end: '06:00',
  max_out_of_bed_s: 1200,
  severity: 'warning' as Severity,
  /** The bed radar's `presence: false` means out of bed (it only watches the bed). */
  absent_is_out_of_bed: true,
  timezone: null as string | null,
  timezone_offset_min: 0,
});

const D = nightWanderingDefaults;

export interface NightWanderingState {
  readonly device: string | null;
  readonly bed: 'in' | 'out' | null;
  readonly present: boolean | null;
  /** Bed exit that started the current night episode (ms); null when none. */
  readonly exitAt: number | null;
  /** End of the night in which that exit happened (ms). */
  readonly nightEndTs: number | null;
  readonly raisedAt: number | null;
}

type BedStatus = 'in' | 'out' | null;

function status(bed: NightWanderingState['bed'], present: boolean | null, s: NightWanderingSettings): BedStatus {
  if (s.absent_is_out_of_bed && present === false) return 'out';
  return bed;
}

const durationS = (now: number, at: number) => Math.round((now - at) / 1000);

function event(st: NightWanderingState, s: NightWanderingSettings, state: 'raised' | 'cleared', data: Record<string, unknown>): EventDraft {
  return { type: 'alarm.night_wandering', severity: s.severity, device: st.device, state, data };
}

function advance(st: NightWanderingState, now: number, s: NightWanderingSettings, out: EventDraft[]): NightWanderingState {
  const { exitAt, nightEndTs } = st;
  if (exitAt === null || nightEndTs === null) return st;
  const dueAt = exitAt + s.max_out_of_bed_s * 1000;
  if (st.raisedAt === null && now > dueAt && dueAt < nightEndTs) {
    out.push(event(st, s, 'raised', { outOfBedSinceTs: exitAt, outOfBedS: durationS(now, exitAt), maxOutOfBedS: s.max_out_of_bed_s, nightStart: s.night_start, nightEnd: s.night_end }));
    st = { ...st, raisedAt: now };
  }
  if (now >= nightEndTs) {
    if (st.raisedAt !== null) {
      out.push(event(st, s, 'cleared', { clearedBy: 'night_ended', raisedAtTs: st.raisedAt, durationS: durationS(now, st.raisedAt), outOfBedS: durationS(now, exitAt) }));
    }
    st = { ...st, exitAt: null, nightEndTs: null, raisedAt: null };
  }
  return st;
}

/**
 * After a wall-clock step (Detector.rebase): the exit and the raise move with the clock; the end of
 * the night is the calendar's, so it is found again for the moved exit. An exit that was not at
 * night by the corrected clock is no episode: dropped, or, with its alarm already raised, ended now
 * (the next step or tick clears it as `night_ended`).
 */
function rebase(st: NightWanderingState, d: number, s: NightWanderingSettings): NightWanderingState {
  const exitAt = shifted(st.exitAt, d);
  const raisedAt = shifted(st.raisedAt, d);
  if (exitAt === null) return { ...st, raisedAt };
  const night = currentWindow(exitAt, offsetMinAt(exitAt, s), parseHhMm(s.night_start), parseHhMm(s.night_end));
  if (night !== null) return { ...st, exitAt, nightEndTs: night.endTs, raisedAt };
  return raisedAt === null ? { ...st, exitAt: null, nightEndTs: null, raisedAt: null } : { ...st, exitAt, nightEndTs: exitAt, raisedAt };
}

export const nightWanderingDetector: Detector<NightWanderingState, NightWanderingSettings> = {
  name: 'night_wandering',
  scope: 'device',

  initialState: () => ({ device: null, bed: null, present: null, exitAt: null, nightEndTs: null, raisedAt: null }),
  rebase,

  step(state, r: Reading, now, s): StepResult<NightWanderingState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const out: EventDraft[] = [];
    let st = advance(state, now, s, out);

    let bed = st.bed;
    let present = st.present;
    if (r.metric === 'bedState' && (r.value === 'in' || r.value === 'out')) bed = r.value;
    else if (r.metric === 'presence' && typeof r.value === 'boolean') present = r.value;
    if (bed !== st.bed || present !== st.present || st.device !== r.device) {
      const before = status(st.bed, st.present, s);
      st = { ...st, device: r.device, bed, present };
      const after = status(bed, present, s);
      if (before === 'in' && after === 'out') {
        const night = currentWindow(now, offsetMinAt(now, s), parseHhMm(s.night_start), parseHhMm(s.night_end));
        if (night) st = { ...st, exitAt: now, nightEndTs: night.endTs };
      } else if (after === 'in' && st.exitAt !== null) {
        if (st.raisedAt !== null) {
          out.push(event(st, s, 'cleared', { clearedBy: 'back_in_bed', raisedAtTs: st.raisedAt, durationS: durationS(now, st.raisedAt), outOfBedS: durationS(now, st.exitAt) }));
        }
        st = { ...st, exitAt: null, nightEndTs: null, raisedAt: null };
      }
    }
    return { state: st, events: out.length ? out : NO_EVENTS };
  },

  tick(state, now, s): StepResult<NightWanderingState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const out: EventDraft[] = [];
    const st = advance(state, now, s, out);
    return { state: st, events: out.length ? out : NO_EVENTS };
  },
};
