import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { entryOf, homeModeOf, presenceEvidence, withEntry, type HomeMode } from './home-signals.js';
import { inDailyWindow, localMinutesOfDay, offsetMinAt, parseHhMm } from './local-time.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';
import type { AbsenceSettings } from './settings/absence.js';
export type { AbsenceSettings };

/**
 * "Left home and did not come back" (issue 6, detector 5), home scope: the entrance door contact
 * fused with every presence sensor.
 *
 * - Leaving: the door (`door_device`, metric `contact`, true = closed) goes open -> closed. From that
 *   close (`leftAt`) we wait `confirm_s`. Someone is still inside, and the phase goes back to home, when
 *   a presence sensor shows a new presence (false/unknown -> true: someone moved into its field), or
 *   keeps reporting presence after `exit_grace_s` (a PIR's or radar's hold time after the person
 *   walked out is not presence). At `confirm_s`, if any sensor's latest word is still "present" (an
 *   on-change radar that has not yet said "nobody": Seeed's 24 GHz radars report unoccupied 1-2 min
 *   after the person left), we keep waiting for it; when all say nobody, she is away.
 * - Away: raises `alarm.absence` (critical, device null) once she has been away `max_away_s` since
 *   the door closed, or as soon as she is away during the curfew window [curfew, curfew_end) local
 *   time. Door activity alone does not end it (a door opened by a neighbour, a blind spot); presence
 *   does, and clears the alarm.
 * - `alarm.door_open` (warning, device = the door): the door open for more than `door_open_warn_s`;
 *   cleared when it closes. Independent of the phase and of the home mode (an empty home with the door
 *   open is worse, not better).
 * - Home mode: metric `homeMode` = `away` | `home` on `mode_device` (a virtual device, `hub` by
 *   default; the daemon turns a cloud or CLI command into that reading). `away` (she is visiting
 *   family) suspends `alarm.absence` and clears an open one; `home` resumes: if nobody has been seen,
 *   the switch counts as a fresh door close (confirm again, max_away counted from the switch), so a
 *   carer who switches back before she walks in gets `confirm_s` of grace.
 *   Presence does not switch the mode back by itself: a carer watering the plants must not end it.
 */

export const absenceDefaults = Object.freeze({
  enabled: true,
  /** Entrance door contact; null = not configured (the detector then raises nothing). */
  door_device: null as string | null,
  /** Devices whose presence/occupancy/motion count as "someone home"; empty = every device. */
  presence_devices: Object.freeze([]) as readonly string[],
  mode_device: 'hub',
  /**
   * No presence for this long after the door closed = she left. PIR occupancy holds ~60-90 s
   * after the last movement (Zigbee2MQTT `occupancy_timeout`, Aqara's fixed 60 s), radars 1-2 min;
   * 120 s lets the evidence that someone is still inside arrive.
   */
  confirm_s: 120,
  /** Repeated "present" from a sensor that was already present in the first seconds after the close is its hold time. */
  exit_grace_s: 30,
  /** Away for longer than this raises `alarm.absence`. A morning's shopping and a visit take up to ~4 h. */
  max_away_s: 14_400,
  /** Away at any time in [curfew, curfew_end) local time raises at once; null = no curfew. */
  curfew: '22:00' as string | null,
  curfew_end: '06:00',
  /** Door open longer than this raises `alarm.door_open` (warning). */
  door_open_warn_s: 600,
  timezone: null as string | null,
  timezone_offset_min: 0,
});

const D = absenceDefaults;

export type AbsencePhase = 'home' | 'leaving' | 'away';

export interface AbsenceState {
  readonly mode: HomeMode;
  readonly phase: AbsencePhase;
  /** Door close that started leaving (or the switch back to home mode); null in phase home. */
  readonly leftAt: number | null;
  /** Last door report; null until the first. */
  readonly doorClosed: boolean | null;
  readonly doorOpenSince: number | null;
  readonly doorOpenRaisedAt: number | null;
  readonly absenceRaisedAt: number | null;
  readonly absenceReason: 'max_away' | 'curfew' | null;
  /** Latest presence evidence per presence device (bounded, see home-signals.ts). */
  readonly present: Readonly<Record<string, boolean>>;
}

const same = (a: boolean, b: boolean) => a === b;

function countsAsPresence(device: string, s: AbsenceSettings): boolean {
  if (device === s.door_device || device === s.mode_device) return false;
  return s.presence_devices.length === 0 || s.presence_devices.includes(device);
}

function anyPresent(present: Readonly<Record<string, boolean>>): boolean {
  for (const k in present) if (present[k] === true) return true;
  return false;
}

const durationS = (now: number, at: number) => Math.round((now - at) / 1000);

function absenceEvent(state: 'raised' | 'cleared', data: Record<string, unknown>): EventDraft {
  return { type: 'alarm.absence', severity: 'critical', device: null, state, data };
}

/** Time-driven transitions up to `now`: door-open warning, leaving confirmed, absence raised. */
function advance(st: AbsenceState, now: number, s: AbsenceSettings, out: EventDraft[]): AbsenceState {
  if (st.doorClosed === false && st.doorOpenSince !== null && st.doorOpenRaisedAt === null
    && now - st.doorOpenSince > s.door_open_warn_s * 1000) {
    out.push({ type: 'alarm.door_open', severity: 'warning', device: s.door_device, state: 'raised', data: { openSinceTs: st.doorOpenSince, openS: durationS(now, st.doorOpenSince) } });
    st = { ...st, doorOpenRaisedAt: now };
  }
  if (st.phase === 'leaving' && st.leftAt !== null && now - st.leftAt >= s.confirm_s * 1000 && !anyPresent(st.present)) {
    st = { ...st, phase: 'away' };
  }
  if (st.phase === 'away' && st.leftAt !== null && st.mode === 'home' && st.absenceRaisedAt === null) {
    let reason: 'max_away' | 'curfew' | null = null;
    if (now - st.leftAt > s.max_away_s * 1000) reason = 'max_away';
    else if (s.curfew !== null && inDailyWindow(localMinutesOfDay(now, offsetMinAt(now, s)), parseHhMm(s.curfew), parseHhMm(s.curfew_end))) reason = 'curfew';
    if (reason) {
      out.push(absenceEvent('raised', { reason, leftAtTs: st.leftAt, awayS: durationS(now, st.leftAt), maxAwayS: s.max_away_s, curfew: s.curfew, curfewEnd: s.curfew_end }));
      st = { ...st, absenceRaisedAt: now, absenceReason: reason };
    }
  }
  return st;
}

function onDoor(st: AbsenceState, closed: boolean, now: number, s: AbsenceSettings, out: EventDraft[]): AbsenceState {
  const was = st.doorClosed;
  if (was === closed) return st;
  if (!closed) {
    // Opened. Leaving not yet confirmed is called off (she may be coming back in); away stays away
    // until someone is seen: an opened door is not a person.
    return { ...st, doorClosed: false, doorOpenSince: now, phase: st.phase === 'leaving' ? 'home' : st.phase, leftAt: st.phase === 'leaving' ? null : st.leftAt };
  }
  let next: AbsenceState = { ...st, doorClosed: true, doorOpenSince: null };
  if (st.doorOpenRaisedAt !== null) {
    out.push({ type: 'alarm.door_open', severity: 'warning', device: s.door_device, state: 'cleared', data: { raisedAtTs: st.doorOpenRaisedAt, durationS: durationS(now, st.doorOpenRaisedAt), openS: st.doorOpenSince === null ? null : durationS(now, st.doorOpenSince) } });
    next = { ...next, doorOpenRaisedAt: null };
  }
  // Only a seen open -> closed is a departure; the first report after start-up is just the door's state.
  if (was === false && next.phase !== 'away') next = { ...next, phase: 'leaving', leftAt: now };
  return next;
}

function backHome(st: AbsenceState, now: number, cause: Record<string, unknown>, out: EventDraft[]): AbsenceState {
  if (st.absenceRaisedAt !== null) {
    out.push(absenceEvent('cleared', {
      ...cause, reason: st.absenceReason, raisedAtTs: st.absenceRaisedAt, durationS: durationS(now, st.absenceRaisedAt),
      leftAtTs: st.leftAt, awayS: st.leftAt === null ? null : durationS(now, st.leftAt),
    }));
  }
  return { ...st, phase: 'home', leftAt: null, absenceRaisedAt: null, absenceReason: null };
}

export const absenceDetector: Detector<AbsenceState, AbsenceSettings> = {
  name: 'absence',
  scope: 'home',

  initialState: () => ({
    mode: 'home', phase: 'home', leftAt: null, doorClosed: null, doorOpenSince: null, doorOpenRaisedAt: null,
    absenceRaisedAt: null, absenceReason: null, present: {},
  }),

  // The instants move. The curfew is judged from `now` at each advance: it follows the corrected
  // clock without anything stored.
  rebase: (st, d) => ({
    ...st, leftAt: shifted(st.leftAt, d), doorOpenSince: shifted(st.doorOpenSince, d),
    doorOpenRaisedAt: shifted(st.doorOpenRaisedAt, d), absenceRaisedAt: shifted(st.absenceRaisedAt, d),
  }),

  step(state, r: Reading, now, s): StepResult<AbsenceState> {
    if (!s.enabled || s.door_device === null) return { state, events: NO_EVENTS };
    const out: EventDraft[] = [];
    let st = advance(state, now, s, out);

    const mode = homeModeOf(r, s.mode_device);
    if (mode !== null) {
      if (mode !== st.mode) {
        if (mode === 'away' && st.absenceRaisedAt !== null) {
          out.push(absenceEvent('cleared', { clearedBy: 'away_mode', reason: st.absenceReason, raisedAtTs: st.absenceRaisedAt, durationS: durationS(now, st.absenceRaisedAt), leftAtTs: st.leftAt }));
          st = { ...st, absenceRaisedAt: null, absenceReason: null };
        }
        st = { ...st, mode };
        if (mode === 'home' && st.phase !== 'home') st = { ...st, phase: 'leaving', leftAt: now };
      }
    } else if (r.device === s.door_device && r.metric === 'contact') {
      if (typeof r.value === 'boolean') st = onDoor(st, r.value, now, s, out);
    } else if (countsAsPresence(r.device, s)) {
      const e = presenceEvidence(r);
      if (e !== null) {
        const before = entryOf(st.present, r.device);
        const present = withEntry(st.present, r.device, e, same);
        if (present !== st.present) st = { ...st, present };
        if (e && st.phase !== 'home' && st.leftAt !== null) {
          const fresh = before !== true; // moved into a field: a person, not a hold time
          if (fresh || now - st.leftAt > s.exit_grace_s * 1000) st = backHome(st, now, { clearedBy: 'presence', device: r.device }, out);
        }
      }
    }
    return { state: st, events: out.length ? out : NO_EVENTS };
  },

  tick(state, now, s): StepResult<AbsenceState> {
    if (!s.enabled || s.door_device === null) return { state, events: NO_EVENTS };
    const out: EventDraft[] = [];
    const st = advance(state, now, s, out);
    return { state: st, events: out.length ? out : NO_EVENTS };
  },
};
