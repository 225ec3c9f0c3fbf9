import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';
import type { FireGasSettings } from './settings/fire-gas.js';
export type { FireGasSettings };

/**
 * Smoke, carbon monoxide and combustible gas: critical alarms, raised at the first reading that says
 * so (a fire doubles every minute or so; nothing here waits to be "sustained").
 *
 * Inputs (metric names: src/detectors/METRICS.md), per device:
 * - `smoke`, `co`, `gas`: booleans from a detector that decides by itself (Zigbee IAS Zone alarm bit,
 *   Zigbee2MQTT `smoke` / `carbon_monoxide` / `gas`). true raises, false clears: the detector has its
 *   own hysteresis and its own standard (EN 14604 smoke, EN 50291 CO, EN 50194 gas).
 * - `coPpm`, `gasLelPercent`: concentrations from a measuring sensor (Modbus) that does not decide.
 *   We decide, with hysteresis so a value hovering at the limit does not flap: raise at >= `raise_at`,
 *   clear only at <= `clear_at` (< raise_at).
 * A device may report both forms for one gas (an IAS CO alarm that also reports ppm): there is still
 * one `alarm.co` for that device, open while either form says "alarm", cleared when both say clear.
 *
 * Detector fault and tamper are not handled here but in device-supervision.ts (`device.fault`,
 * `device.tamper`): they concern every class of device (door contacts and PIRs have tamper switches
 * too), and emitting them from two detectors would duplicate them. A fault never clears a hazard
 * alarm: a smoke detector that reports "trouble" while the alarm is open has not seen the fire go out.
 */

/** Concentration thresholds with hysteresis (raise_at > clear_at). */
export interface ConcentrationThresholds {
  readonly raise_at: number;
  readonly clear_at: number;
}

export const fireGasDefaults = Object.freeze({
  enabled: true,
  /**
   * CO, ppm. EN 50291-1 (domestic CO alarms) requires: no alarm within 120 min at 30 ppm; alarm after
   * 60-90 min at 50 ppm, 10-40 min at 100 ppm, within 3 min at 300 ppm. UL 2034 uses 70/150/400 ppm
   * curves. 50 ppm is the lowest level at which a domestic alarm must sound, 30 ppm the level at which
   * it must not; we raise at 50 at once (earlier than a time-weighted domestic alarm: a measuring
   * sensor is not an alarm, and an elder may not hear one) and clear back at 30. A kitchen with gas
   * cooking that reaches 50 ppm for a moment can raise raise_at to 100 (EN 50291: 10-40 min level).
   */
  co_ppm: Object.freeze({ raise_at: 50, clear_at: 30 }),
  /**
   * Combustible gas, % of the lower explosive limit. Fixed gas detection commonly alarms at 10 % LEL
   * (first level, "A1") and 20 % LEL (second level, "A2"), the practice EN 60079-29-2 (selection and
   * use of flammable-gas detectors) describes; domestic gas alarms (EN 50194-1) are set in the same
   * low range (we have not checked that standard's exact test points). In a home the first level is
   * already the emergency: raise at 10, clear when the gas has dispersed to half of that.
   */
  gas_lel_percent: Object.freeze({ raise_at: 10, clear_at: 5 }),
});

type Hazard = 'smoke' | 'co' | 'gas';

/** One hazard on one device. */
export interface HazardState {
  /** Last boolean report (`smoke`/`co`/`gas`); null until one arrives. */
  readonly flag: boolean | null;
  /** Hysteresis state of the concentration: true from >= raise_at until <= clear_at. */
  readonly high: boolean;
  /** When the open alarm was raised; null when none is open. */
  readonly raisedAt: number | null;
  /** Highest concentration seen while the alarm is open; null when none was measured. */
  readonly peak: number | null;
}

export interface FireGasState {
  readonly smoke: HazardState;
  readonly co: HazardState;
  readonly gas: HazardState;
}

const IDLE: HazardState = Object.freeze({ flag: null, high: false, raisedAt: null, peak: null });

/** Metric -> which hazard it feeds and how. */
const INPUTS: Readonly<Record<string, { hazard: Hazard; kind: 'flag' | 'level' }>> = Object.freeze({
  smoke: { hazard: 'smoke', kind: 'flag' },
  co: { hazard: 'co', kind: 'flag' },
  gas: { hazard: 'gas', kind: 'flag' },
  coPpm: { hazard: 'co', kind: 'level' },
  gasLelPercent: { hazard: 'gas', kind: 'level' },
});

const UNIT: Readonly<Record<string, string>> = { coPpm: 'ppm', gasLelPercent: '%LEL' };

function limitsFor(hazard: Hazard, s: FireGasSettings): ConcentrationThresholds {
  return hazard === 'co' ? s.co_ppm : s.gas_lel_percent;
}

export const fireGasDetector: Detector<FireGasState, FireGasSettings> = {
  name: 'fire_gas',
  metrics: Object.freeze(Object.keys(INPUTS)),
  scope: 'device',

  initialState: () => ({ smoke: IDLE, co: IDLE, gas: IDLE }),

  // Only the raise times are instants (durationS of the clear); a hazard waits for nothing.
  rebase: (st, d) => ({
    smoke: { ...st.smoke, raisedAt: shifted(st.smoke.raisedAt, d) },
    co: { ...st.co, raisedAt: shifted(st.co.raisedAt, d) },
    gas: { ...st.gas, raisedAt: shifted(st.gas.raisedAt, d) },
  }),

  step(state, reading: Reading, now, s): StepResult<FireGasState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const input = INPUTS[reading.metric];
    if (!input) return { state, events: NO_EVENTS };
    const { hazard, kind } = input;
    const h = state[hazard];

    let next: HazardState;
    let level: number | null = null;
    if (kind === 'flag') {
      if (typeof reading.value !== 'boolean') return { state, events: NO_EVENTS };
      if (reading.value === h.flag) return { state, events: NO_EVENTS };
      next = { ...h, flag: reading.value };
    } else {
      // A concentration that is not a finite non-negative number is a decoding problem, not air.
      if (typeof reading.value !== 'number' || !Number.isFinite(reading.value) || reading.value < 0) return { state, events: NO_EVENTS };
      level = reading.value;
      const lim = limitsFor(hazard, s);
      const high = h.high ? level > lim.clear_at : level >= lim.raise_at;
      const peak = h.raisedAt !== null || high ? Math.max(h.peak ?? level, level) : h.peak;
      if (high === h.high && peak === h.peak) return { state, events: NO_EVENTS };
      next = { ...h, high, peak };
    }

    const active = next.flag === true || next.high;
    const type = `alarm.${hazard}`;
    const limits = hazard === 'smoke' ? null : limitsFor(hazard, s);

    if (active && next.raisedAt === null) {
      const data: Record<string, unknown> = { source: reading.metric, value: reading.value };
      if (kind === 'level' && limits) Object.assign(data, { unit: UNIT[reading.metric], raiseAt: limits.raise_at, clearAt: limits.clear_at });
      const event: EventDraft = { type, severity: 'critical', device: reading.device, state: 'raised', data };
      return { state: { ...state, [hazard]: { ...next, raisedAt: now, peak: level } }, events: [event] };
    }
    if (!active && next.raisedAt !== null) {
      const data: Record<string, unknown> = {
        source: reading.metric,
        value: reading.value,
        raisedAtTs: next.raisedAt,
        durationS: Math.round((now - next.raisedAt) / 1000),
      };
      if (hazard !== 'smoke') data.peak = next.peak;
      const event: EventDraft = { type, severity: 'critical', device: reading.device, state: 'cleared', data };
      return { state: { ...state, [hazard]: { ...next, raisedAt: null, peak: null } }, events: [event] };
    }
    return { state: { ...state, [hazard]: next }, events: NO_EVENTS };
  },
};
