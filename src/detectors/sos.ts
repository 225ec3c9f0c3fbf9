import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';

/**
 * The SOS button (issue 15): a press raises `alarm.sos` (critical), which starts the escalation
 * ladder at once (escalation.immediate_types); the button's cancel gesture within `cancel_s` clears
 * it as a false alarm (`reason: cancelled`), later it resets it (`reason: reset`, the carer on site).
 *
 * Inputs, per device:
 * - `sos` (boolean), an IAS Zone personal emergency device (zone type 0x002C, e.g. Heiman HS1EB):
 *   every notification with the alarm bit set is a press. Such a button has one key and no gesture,
 *   so a cancel is a DOUBLE PRESS: two presses within `double_press_s`, the first of them later than
 *   `double_press_s` after the press that raised the alarm (someone pressing again and again in
 *   fear does not cancel her own call).
 * - `buttonAction` (string), Zigbee2MQTT's `action`: one of `press_actions` is a press, one of
 *   `cancel_actions` (double, long press, per model) the cancel gesture.
 * Pure: no timers, no I/O; time comes in as `now`.
 */
export interface SosSettings {
  readonly enabled: boolean;
  readonly cancel_s: number;
  readonly double_press_s: number;
  readonly press_actions: readonly string[];
  readonly cancel_actions: readonly string[];
}

export const sosDefaults = Object.freeze({
  enabled: true,
  cancel_s: 30,
  double_press_s: 2,
  press_actions: Object.freeze(['emergency', 'sos', 'panic']),
  cancel_actions: Object.freeze(['double', 'long', 'hold']),
});

export interface SosState {
  /** When the open SOS was raised, ms; null: none open. */
  readonly raisedAt: number | null;
  /** The last press (IAS), ms: the first half of a double press. */
  readonly lastPressAt: number | null;
}

export const sosDetector: Detector<SosState, SosSettings> = {
  name: 'sos',
  scope: 'device',
  metrics: Object.freeze(['sos', 'buttonAction']),
  initialState: () => ({ raisedAt: null, lastPressAt: null }),
  rebase: (st, d) => ({ raisedAt: shifted(st.raisedAt, d), lastPressAt: shifted(st.lastPressAt, d) }),

  step(state, r: Reading, now, s): StepResult<SosState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    let gesture: 'press' | 'cancel' | null = null;
    let source = '';
    if (r.metric === 'sos' && r.value === true) {
      gesture = 'press';
      source = 'ias';
    } else if (r.metric === 'buttonAction' && typeof r.value === 'string') {
      gesture = s.press_actions.includes(r.value) ? 'press' : s.cancel_actions.includes(r.value) ? 'cancel' : null;
      source = `action:${r.value}`;
    }
    if (!gesture) return { state, events: NO_EVENTS };
    if (gesture === 'press') {
      if (state.raisedAt === null) {
        const e: EventDraft = { type: 'alarm.sos', severity: 'critical', device: r.device, state: 'raised', data: { source } };
        return { state: { raisedAt: now, lastPressAt: now }, events: [e] };
      }
      const windowMs = s.double_press_s * 1000;
      const isDouble = source === 'ias' && state.lastPressAt !== null && now - state.lastPressAt <= windowMs && state.lastPressAt - state.raisedAt > windowMs;
      if (!isDouble) return { state: { ...state, lastPressAt: now }, events: NO_EVENTS };
      source = 'ias:double_press';
    }
    if (state.raisedAt === null) return { state, events: NO_EVENTS };
    const openS = Math.round((now - state.raisedAt) / 1000);
    const reason = now - state.raisedAt <= s.cancel_s * 1000 ? 'cancelled' : 'reset';
    const e: EventDraft = { type: 'alarm.sos', severity: 'critical', device: r.device, state: 'cleared', data: { source, reason, open_s: openS } };
    return { state: { raisedAt: null, lastPressAt: null }, events: [e] };
  },
};
