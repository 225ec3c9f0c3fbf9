import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { NO_EVENTS, shifted, type Detector, type StepResult } from './types.js';
import type { DeviceSupervisionSettings } from './settings/device-supervision.js';
export type { DeviceSupervisionSettings };

/**
 * Device health, one state per device: silence (`device.offline`), low battery
 * (`device.battery_low`), tamper (`device.tamper`) and fault (`device.fault`). All `warning`,
 * each raised once and cleared when the condition ends. This is the one place these live, for
 * every class of device (fire-gas.ts deliberately does not emit tamper or fault).
 *
 * Silence: a smoke detector that has said nothing for a day is broken, not "fine" (issue 5,
 * availability). Each device has a class (`device_class`, mapped from its model by the config);
 * each class a timeout (`silence_timeout_s`). `tick` raises `device.offline` once the device has
 * been silent for longer than its class's timeout; the next reading of any metric clears it.
 *
 * The hub's own downtime is not the device's silence: when ticks stop for longer than `hub_gap_s`
 * (the daemon was stopped, the hub had no power), silence is counted again from the first tick after
 * the gap. A short restart (state restored, ticks resume within hub_gap_s) continues exactly.
 */

export const deviceSupervisionDefaults = Object.freeze({
  enabled: true,
  /** Class of this device; bound per device by the config from the device's model. */
  device_class: 'default',
  /** Id of this device, bound per device, so `device.offline` names a device that never reported. */
  device_id: null as string | null,
  /**
   * Seconds of silence before `device.offline`, per class; 0 = not supervised. Unknown classes use
   * `default`.
   * - Zigbee battery devices (smoke, co, gas, water, contact, occupancy): sleepy end devices check in
   *   about hourly (ZCL Poll Control cluster, Check-in Interval default 0x3840 quarter-seconds = 1 h;
   *   Xiaomi/Aqara sensors send their own heartbeat report every 50-60 min). Tolerating 3 missed
   *   check-ins gives 4 h. Zigbee2MQTT's own availability default for battery devices (25 h) is far too lax for a
   *   smoke detector (issue 5).
   * - radar: serial radars report many times a second while someone is in view (LD2410: ~10/s); the
   *   MR60BHA1 also sends a periodic module heartbeat when nobody is (devices/seeed-mr60bha1).
   *   120 s is two minutes of a dead serial line, with room for a quiet period of that module.
   * - modbus: we poll it ourselves every few seconds; a minute without an answer is a fault.
   * - wearable: BLE wristbands and oximeters are taken off and charged by design; a day without
   *   one is worth a visit, less is not.
   */
  silence_timeout_s: Object.freeze({
    smoke: 14_400, co: 14_400, gas: 14_400, water: 14_400, contact: 14_400, occupancy: 14_400,
    radar: 120, modbus: 60, wearable: 86_400, default: 3_600,
  }) as Readonly<Record<string, number>>,
  /**
   * `batteryPercent` at or below this raises `device.battery_low` (a `batteryLow` flag also does).
   * 20 % is a common low-battery default in home-automation hubs, not a standard: months of life
   * left on a coin cell, time for a visit to be planned. The device's own `batteryLow` flag, set by
   * its firmware from the cell voltage, is the better signal where it exists.
   */
  battery_low_percent: 20,
  /**
   * ... and it clears at or above this. Coin-cell percentages are estimated from voltage and swing
   * with temperature and load (a radio burst), so a 10-point hysteresis keeps a cold night from
   * raising and clearing the same battery every hour.
   */
  battery_ok_percent: 30,
  /** Ticks further apart than this mean the hub was not listening; silence restarts from the next tick. */
  hub_gap_s: 300,
});

const D = deviceSupervisionDefaults;

export interface DeviceSupervisionState {
  /** Device id, learnt from its readings. */
  readonly device: string | null;
  /** Last reading of any metric (ms), kept to the second (see step). */
  readonly lastSeenAt: number | null;
  /** Start of the current stretch of ticks without a gap: silence before it is not counted. */
  readonly listeningSince: number | null;
  readonly lastTickAt: number | null;
  /** Open `device.offline` since (ms), or null. */
  readonly offlineAt: number | null;
  /** Last `batteryLow` flag; null until one arrives. */
  readonly batteryFlag: boolean | null;
  /** Hysteresis state of `batteryPercent`. */
  readonly batteryPercentLow: boolean;
  readonly batteryLowAt: number | null;
  readonly tamperAt: number | null;
  readonly faultAt: number | null;
}

export function silenceTimeoutS(s: DeviceSupervisionSettings): number {
  const map = s.silence_timeout_s as Record<string, number>;
  return map[s.device_class] ?? map.default ?? 0;
}

function ev(type: string, device: string | null, state: 'raised' | 'cleared', data: Record<string, unknown>): EventDraft {
  return { type, severity: 'warning', device, state, data };
}

const since = (now: number, at: number) => ({ raisedAtTs: at, durationS: Math.round((now - at) / 1000) });

/** A boolean condition (tamper, fault): raise on true, clear on false. */
function flagCondition(
  openAt: number | null, value: boolean, type: string, device: string, now: number,
): { openAt: number | null; event: EventDraft | null } {
  if (value && openAt === null) return { openAt: now, event: ev(type, device, 'raised', {}) };
  if (!value && openAt !== null) return { openAt: null, event: ev(type, device, 'cleared', since(now, openAt)) };
  return { openAt, event: null };
}

export const deviceSupervisionDetector: Detector<DeviceSupervisionState, DeviceSupervisionSettings> = {
  name: 'device_supervision',
  scope: 'device',

  initialState: () => ({
    device: null, lastSeenAt: null, listeningSince: null, lastTickAt: null, offlineAt: null,
    batteryFlag: null, batteryPercentLow: false, batteryLowAt: null, tamperAt: null, faultAt: null,
  }),

  // Every time here is an instant: the silence and the hub's gaps are measured from them.
  rebase: (st, d) => ({
    ...st, lastSeenAt: shifted(st.lastSeenAt, d), listeningSince: shifted(st.listeningSince, d), lastTickAt: shifted(st.lastTickAt, d),
    offlineAt: shifted(st.offlineAt, d), batteryLowAt: shifted(st.batteryLowAt, d), tamperAt: shifted(st.tamperAt, d), faultAt: shifted(st.faultAt, d),
  }),

  step(state, reading: Reading, now, s): StepResult<DeviceSupervisionState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const events: EventDraft[] = [];
    let st = state;

    // Another system's word that the device is gone (Zigbee2MQTT availability `available: false`):
    // offline at once, and not a sign of life. `available: true` is a sign of life like any reading.
    if (reading.metric === 'available' && reading.value === false) {
      if (st.offlineAt !== null) return { state, events: NO_EVENTS };
      const lastSeen = st.lastSeenAt;
      return {
        state: { ...st, device: reading.device, offlineAt: now },
        events: [ev('device.offline', reading.device, 'raised', {
          deviceClass: s.device_class, timeoutS: silenceTimeoutS(s), lastSeenTs: lastSeen, silentS: lastSeen === null ? null : Math.round((now - lastSeen) / 1000), reportedBy: 'availability',
        })],
      };
    }

    // Seen. Kept to the second: a radar at 10 readings/s then leaves the state untouched (no copy,
    // no snapshot) for 9 of 10 readings; a second is nothing against timeouts of minutes.
    if (st.lastSeenAt === null || now - st.lastSeenAt >= 1000 || st.device !== reading.device || st.offlineAt !== null) {
      st = { ...st, device: reading.device, lastSeenAt: now };
    }
    if (st.offlineAt !== null) {
      events.push(ev('device.offline', reading.device, 'cleared', { ...since(now, st.offlineAt), metric: reading.metric }));
      st = { ...st, offlineAt: null };
    }

    const v = reading.value;
    switch (reading.metric) {
      case 'tamper':
      case 'sensorFault': {
        if (typeof v !== 'boolean') break;
        const key = reading.metric === 'tamper' ? 'tamperAt' : 'faultAt';
        const r = flagCondition(st[key], v, reading.metric === 'tamper' ? 'device.tamper' : 'device.fault', reading.device, now);
        if (r.event) { events.push(r.event); st = { ...st, [key]: r.openAt }; }
        break;
      }
      case 'batteryLow':
      case 'batteryPercent': {
        let flag = st.batteryFlag;
        let pctLow = st.batteryPercentLow;
        if (reading.metric === 'batteryLow') {
          if (typeof v !== 'boolean') break;
          flag = v;
        } else {
          if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) break;
          pctLow = pctLow ? v < s.battery_ok_percent : v <= s.battery_low_percent;
        }
        if (flag !== st.batteryFlag || pctLow !== st.batteryPercentLow) st = { ...st, batteryFlag: flag, batteryPercentLow: pctLow };
        const low = flag === true || pctLow;
        if (low && st.batteryLowAt === null) {
          events.push(ev('device.battery_low', reading.device, 'raised', { source: reading.metric, value: v, lowPercent: s.battery_low_percent }));
          st = { ...st, batteryLowAt: now };
        } else if (!low && st.batteryLowAt !== null) {
          events.push(ev('device.battery_low', reading.device, 'cleared', { source: reading.metric, value: v, ...since(now, st.batteryLowAt) }));
          st = { ...st, batteryLowAt: null };
        }
        break;
      }
      default:
        break;
    }
    return { state: st, events: events.length ? events : NO_EVENTS };
  },

  tick(state, now, s): StepResult<DeviceSupervisionState> {
    if (!s.enabled) return { state, events: NO_EVENTS };
    const gap = state.lastTickAt !== null && now - state.lastTickAt > s.hub_gap_s * 1000;
    const listeningSince = state.listeningSince === null || gap ? now : state.listeningSince;
    let st: DeviceSupervisionState = { ...state, lastTickAt: now, listeningSince };
    const timeoutS = silenceTimeoutS(s);
    if (timeoutS <= 0 || st.offlineAt !== null) return { state: st, events: NO_EVENTS };

    const from = Math.max(st.lastSeenAt ?? -Infinity, listeningSince);
    if (now - from <= timeoutS * 1000) return { state: st, events: NO_EVENTS };
    const device = st.device ?? s.device_id;
    const event = ev('device.offline', device, 'raised', {
      deviceClass: s.device_class,
      timeoutS,
      lastSeenTs: st.lastSeenAt,
      silentS: Math.round((now - from) / 1000),
    });
    st = { ...st, offlineAt: now };
    return { state: st, events: [event] };
  },
};
