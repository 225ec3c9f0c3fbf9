import type { EventDraft, Severity } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { entryOf, homeModeOf, presenceEvidence, withEntry, type HomeMode } from './home-signals.js';
import { lastWindowEnd, nextWindowEnd, offsetMinAt, parseHhMm } from './local-time.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';
import type { InactivityWindow, InactivitySettings } from './settings/inactivity.js';
export type { InactivityWindow, InactivitySettings };

/**
 * Inactivity, home scope (issue 6, detector 6): the telecare "stopwatch" and time windows.
 *
 * - `alarm.inactivity` (critical): no activity anywhere for `max_inactive_s` (default 12 h, the
 *   issue's default). Cleared by the next activity.
 * - `alarm.inactivity_window` (per-window severity, default critical): no activity at all inside a
 *   daily local window (default "morning" 07:00-10:00: the telecare "not up by" check), raised at the
 *   window's end, cleared by the next activity. Judged only for occurrences watched from their start,
 *   and not raised while `alarm.inactivity` is open (that alarm already reports the same silence).
 *   (A window added to the config of a running hub is picked up when the next window ends.)
 *
 * Activity (precisely; metric names in METRICS.md), from any device not in `ignore_devices`:
 *   contact    a change of a device's contact (open <-> closed); its first report is not a change
 *   occupancy  true (a PIR detection)
 *   motion     true or `active`; NOT `still` or `none`
 *   targetState `moving` or `moving-and-still` (LD2410: it reports a moving target only above its
 *              per-gate motion thresholds; breathing is its "still" target)
 *   bodyMovement >= `body_movement_min` (default 31). Seeed's sleep radars grade it: 0 nobody,
 *              1 still (breathing only), 2-30 micro-movements (head or limbs), 31-60 slow body
 *              movement / walking, 61-100 fast movement (Seeed 24 GHz sleep radar manual, "body
 *              motion amplitude"). A bed-bound person's micro-movements stay below 31.
 *   presence   false -> true after the device said false for >= `presence_absent_min_s` (someone
 *              walked into its field). Repeated `presence: true` is not activity (a still or bed-bound
 *              person keeps it true all day), nor is a short drop and return (a radar losing a still
 *              target for a moment), nor the first report.
 *   bedState   a change between `in` and `out` (`none` ignored)
 * Not activity: breathing and heart rates, `breathStatus`, `sleepState`, distances, energies,
 * battery and any other metric. So a radar that keeps reporting `presence: true, motion: still`
 * over a person on the floor or in bed does not stop the stopwatch.
 *
 * Suspended (no raise; an open alarm is cleared when the mode goes away) while:
 * - the home mode (`homeMode` on `mode_device`) is `away` (she is with family); switching back to
 *   `home` restarts the stopwatch and the windows from that moment;
 * - the last activity was closing one of `exit_doors` and nothing has shown presence since: she went
 *   out. Absence is then the absence detector's job (it raises after its max_away_s or at curfew,
 *   both much sooner than 12 h), which is why `exit_doors` should be that detector's door.
 *   A new presence, or continued presence after `exit_grace_s`, ends the suspension.
 * Hub downtime counts as silence: after a restart the 12 h timer continues where it was
 * (GUIDE convention 3); the hub cannot know what happened while it was off.
 */

export const inactivityDefaults = Object.freeze({
  enabled: true,
  /** Issue 6: "no activity anywhere for N hours, default 12". */
  max_inactive_s: 43_200,
  severity: 'critical' as Severity,
  /** Telecare "not up by" check; Tunstall-style bed/occupancy sensors offer the same ("has not got up by a set time"). */
  windows: Object.freeze([Object.freeze({ name: 'morning', start: '07:00', end: '10:00', severity: 'critical' as Severity })]) as readonly InactivityWindow[],
  ignore_devices: Object.freeze([]) as readonly string[],
  exit_doors: Object.freeze([]) as readonly string[],
  exit_grace_s: 30,
  mode_device: 'hub',
  /**
   * A radar's "present" again counts only after it said "nobody" this long. Seeed's 24 GHz radars
   * already wait 1-2 min before reporting unoccupied (user manual, "DP1 occupied/unoccupied"); 60 s
   * more keeps a radar that loses and re-finds a still person from resetting the stopwatch.
   */
  presence_absent_min_s: 60,
  body_movement_min: 31,
  timezone: null as string | null,
  timezone_offset_min: 0,
});

const D = inactivityDefaults;

/** What the detector remembers per device to see edges (bounded, see home-signals.ts). */
export interface DeviceMemory {
  readonly contact: boolean | null;
  readonly presence: boolean | null;
  readonly absentSince: number | null;
  readonly bed: 'in' | 'out' | null;
}

export interface WindowState {
  /** End of the last occurrence judged (or skipped), ms. */
  readonly lastEndTs: number;
  readonly raisedAt: number | null;
}

export interface InactivityState {
  readonly mode: HomeMode;
  /** First moment watched (or resumed from away mode): silence before it is not judged. */
  readonly watchingSince: number | null;
  readonly lastActivityAt: number | null;
  readonly lastActivityDevice: string | null;
  /** An exit door closed at this time and nothing has shown presence since; null otherwise. */
  readonly outSince: number | null;
  readonly raisedAt: number | null;
  readonly windows: Readonly<Record<string, WindowState>>;
  /** Next time a window ends (ms): windows are only looked at then. */
  readonly windowsDueTs: number | null;
  readonly devices: Readonly<Record<string, DeviceMemory>>;
}

const NO_MEMORY: DeviceMemory = Object.freeze({ contact: null, presence: null, absentSince: null, bed: null });
const sameMemory = (a: DeviceMemory, b: DeviceMemory) => a === b;
const durationS = (now: number, at: number) => Math.round((now - at) / 1000);

/** Is this reading activity? Also returns the device's updated memory (the same object when unchanged). */
export function classifyActivity(r: Reading, mem: DeviceMemory, now: number, s: InactivitySettings): { activity: boolean; mem: DeviceMemory } {
  const v = r.value;
  switch (r.metric) {
    case 'contact':
      if (typeof v !== 'boolean' || v === mem.contact) return { activity: false, mem };
      return { activity: mem.contact !== null, mem: { ...mem, contact: v } };
    case 'occupancy':
      return { activity: v === true, mem };
    case 'motion':
      return { activity: v === true || v === 'active', mem };
    case 'targetState':
      return { activity: v === 'moving' || v === 'moving-and-still', mem };
    case 'bodyMovement':
      return { activity: typeof v === 'number' && v >= s.body_movement_min, mem };
    case 'presence':
      if (typeof v !== 'boolean') return { activity: false, mem };
      if (!v) return mem.presence === false ? { activity: false, mem } : { activity: false, mem: { ...mem, presence: false, absentSince: now } };
      if (mem.presence === true) return { activity: false, mem };
      return {
        activity: mem.presence === false && mem.absentSince !== null && now - mem.absentSince >= s.presence_absent_min_s * 1000,
        mem: { ...mem, presence: true, absentSince: null },
      };
    case 'bedState':
      if ((v !== 'in' && v !== 'out') || v === mem.bed) return { activity: false, mem };
      return { activity: mem.bed !== null, mem: { ...mem, bed: v } };
    default:
      return { activity: false, mem };
  }
}

function windowEvent(w: InactivityWindow | undefined, name: string, state: 'raised' | 'cleared', data: Record<string, unknown>): EventDraft {
  return {
    type: 'alarm.inactivity_window', severity: w?.severity ?? 'critical', device: null, state,
    // `condition` keeps each window its own alarm in the alarm lifecycle (src/alarms/alarms.ts).
    data: { window: name, condition: name, start: w?.start ?? null, end: w?.end ?? null, ...data },
  };
}

function judgeWindows(st: InactivityState, now: number, s: InactivitySettings, suspended: boolean, out: EventDraft[]): InactivityState {
  const off = offsetMinAt(now, s);
  const windows: Record<string, WindowState> = {};
  let due = Infinity;
  for (const w of s.windows) {
    const startMin = parseHhMm(w.start);
    const endMin = parseHhMm(w.end);
    const occ = lastWindowEnd(now, off, startMin, endMin);
    let ws = entryOf(st.windows, w.name);
    if (!ws) {
      ws = { lastEndTs: occ.endTs, raisedAt: null }; // new window: the past is not judged
    } else if (occ.endTs > ws.lastEndTs) {
      const watchedWhole = st.watchingSince !== null && st.watchingSince <= occ.startTs;
      const active = st.lastActivityAt !== null && st.lastActivityAt >= occ.startTs;
      // While alarm.inactivity is open the silence is already being reported: no second alarm for it.
      if (!suspended && st.raisedAt === null && ws.raisedAt === null && watchedWhole && !active) {
        out.push(windowEvent(w, w.name, 'raised', { windowStartTs: occ.startTs, windowEndTs: occ.endTs, lastActivityTs: st.lastActivityAt }));
        ws = { lastEndTs: occ.endTs, raisedAt: now };
      } else {
        ws = { ...ws, lastEndTs: occ.endTs };
      }
    }
    windows[w.name] = ws;
    due = Math.min(due, nextWindowEnd(now, off, endMin));
  }
  // A window removed from the config must not leave its alarm open forever in the cloud.
  for (const name in st.windows) {
    const old = st.windows[name]!;
    if (!(name in windows) && old.raisedAt !== null) out.push(windowEvent(undefined, name, 'cleared', { clearedBy: 'window_removed', raisedAtTs: old.raisedAt, durationS: durationS(now, old.raisedAt) }));
  }
  return { ...st, windows, windowsDueTs: Number.isFinite(due) ? due : null };
}

/** Time-driven: start watching, the stopwatch, windows that ended. */
function advance(st: InactivityState, now: number, s: InactivitySettings, out: EventDraft[]): InactivityState {
  if (st.watchingSince === null) st = { ...st, watchingSince: now };
  const suspended = st.mode === 'away' || st.outSince !== null;
  const ref = Math.max(st.lastActivityAt ?? -Infinity, st.watchingSince!);
  if (!suspended && st.raisedAt === null && now - ref > s.max_inactive_s * 1000) {
    out.push({
      type: 'alarm.inactivity', severity: s.severity, device: null, state: 'raised',
      data: { lastActivityTs: st.lastActivityAt, lastActivityDevice: st.lastActivityDevice, inactiveS: durationS(now, ref), maxInactiveS: s.max_inactive_s },
    });
    st = { ...st, raisedAt: now };
  }
  // Windows are looked at when one ends (or when the config has some and none was looked at yet).
  const due = st.windowsDueTs === null ? s.windows.length > 0 : now >= st.windowsDueTs;
  if (due) st = judgeWindows(st, now, s, suspended, out);
  return st;
}

/**
 * After a wall-clock step (Detector.rebase): the stopwatch's instants move with the clock. The
 * windows are the calendar's: the last one judged becomes the last occurrence that had ended by the
 * moved moment of that judgement (occurrences ending after it, by the corrected clock, are judged
 * when due, against the moved watch and activity times), and when the next one ends is computed
 * again at the next advance. A window no longer in the config keeps its moved instants.
 */
function rebase(st: InactivityState, d: number, s: InactivitySettings): InactivityState {
  // Built with fromEntries: keys are names and device ids, and `__proto__` is a legal one (home-signals.ts).
  const windows = Object.fromEntries(Object.entries(st.windows).map(([name, ws]): [string, WindowState] => {
    const w = s.windows.find((x) => x.name === name);
    const moved = ws.lastEndTs + d;
    const lastEndTs = w ? lastWindowEnd(moved, offsetMinAt(moved, s), parseHhMm(w.start), parseHhMm(w.end)).endTs : moved;
    return [name, { lastEndTs, raisedAt: shifted(ws.raisedAt, d) }];
  }));
  const devices = Object.fromEntries(Object.entries(st.devices).map(([id, m]): [string, DeviceMemory] => [id, { ...m, absentSince: shifted(m.absentSince, d) }]));
  return {
    ...st, watchingSince: shifted(st.watchingSince, d), lastActivityAt: shifted(st.lastActivityAt, d), outSince: shifted(st.outSince, d),
    raisedAt: shifted(st.raisedAt, d), windows, windowsDueTs: null, devices,
  };
}

/** Clears every open alarm (activity, or away mode). */
function clearAll(st: InactivityState, now: number, s: InactivitySettings, cause: Record<string, unknown>, out: EventDraft[]): InactivityState {
  if (st.raisedAt !== null) {
    out.push({ type: 'alarm.inactivity', severity: s.severity, device: null, state: 'cleared', data: { ...cause, raisedAtTs: st.raisedAt, durationS: durationS(now, st.raisedAt), lastActivityTs: st.lastActivityAt } });
    st = { ...st, raisedAt: null };
  }
  let windows = st.windows;
  for (const name in st.windows) {
    const ws = st.windows[name]!;
    if (ws.raisedAt === null) continue;
    out.push(windowEvent(s.windows.find((w) => w.name === name), name, 'cleared', { ...cause, raisedAtTs: ws.raisedAt, durationS: durationS(now, ws.raisedAt) }));
    windows = { ...windows, [name]: { ...ws, raisedAt: null } };
  }
  return windows === st.windows ? st : { ...st, windows };
}

export const inactivityDetector: Detector<InactivityState, InactivitySettings> = {
  name: 'inactivity',
  scope: 'home',

  initialState: () => ({
    mode: 'home', watchingSince: null, lastActivityAt: null, lastActivityDevice: null, outSince: null,
    raisedAt: null, windows: {}, windowsDueTs: null, devices: {},
  }),
  rebase,

  step(state, r: Reading, now, s): StepResult<InactivityState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const out: EventDraft[] = [];
    let st = advance(state, now, s, out);

    const mode = homeModeOf(r, s.mode_device);
    if (mode !== null) {
      if (mode !== st.mode) {
        if (mode === 'away') st = clearAll(st, now, s, { clearedBy: 'away_mode' }, out);
        // Back home: judge from now on, not the days she was away.
        st = { ...st, mode, watchingSince: mode === 'home' ? now : st.watchingSince };
      }
    } else if (!s.ignore_devices.includes(r.device)) {
      const mem0 = entryOf(st.devices, r.device) ?? NO_MEMORY;
      const { activity, mem } = classifyActivity(r, mem0, now, s);
      if (mem !== mem0) {
        const devices = withEntry(st.devices, r.device, mem, sameMemory);
        if (devices !== st.devices) st = { ...st, devices };
      }
      if (activity) {
        st = clearAll(st, now, s, { clearedBy: 'activity', device: r.device, metric: r.metric }, out);
        const exit = r.metric === 'contact' && r.value === true && s.exit_doors.includes(r.device);
        st = { ...st, lastActivityAt: now, lastActivityDevice: r.device, outSince: exit ? now : null };
      } else if (st.outSince !== null && presenceEvidence(r) === true) {
        const fresh = r.metric === 'presence' && mem0.presence !== true;
        if (fresh || now - st.outSince > s.exit_grace_s * 1000) st = { ...st, outSince: null };
      }
    }
    return { state: st, events: out.length ? out : NO_EVENTS };
  },

  tick(state, now, s): StepResult<InactivityState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const out: EventDraft[] = [];
    const st = advance(state, now, s, out);
    return { state: st, events: out.length ? out : NO_EVENTS };
  },
};
