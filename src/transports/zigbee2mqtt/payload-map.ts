import type { Measurement, MeasurementValue } from '../../core/reading.js';

/**
 * Zigbee2MQTT device state payloads -> our metric names (src/detectors/METRICS.md). Pure: the clock
 * comes in as an argument, the per-device memory is a plain object the caller keeps.
 *
 * Zigbee2MQTT publishes the device's whole cached state on every update (a battery report repeats
 * `occupancy: true`, `smoke: false`...). A repeated `occupancy: true` would be a new detection to
 * the detectors, so a key passes only when its value differs from the last one seen for that device.
 * `battery` is the exception: it passes at most every `batteryIntervalMs`, changed or not, because it
 * is also the regular sign of life that device-supervision needs from a device whose state did not
 * change (Z2M's own check-ins all deduplicate to nothing otherwise).
 */
export const Z2M_KEYS = {
  smoke: { metric: 'smoke', type: 'boolean' },
  gas: { metric: 'gas', type: 'boolean' },
  carbon_monoxide: { metric: 'co', type: 'boolean' },
  contact: { metric: 'contact', type: 'boolean' }, // true = closed, as ours
  occupancy: { metric: 'occupancy', type: 'boolean' },
  water_leak: { metric: 'waterLeak', type: 'boolean' },
  tamper: { metric: 'tamper', type: 'boolean' },
  battery_low: { metric: 'batteryLow', type: 'boolean' },
  battery: { metric: 'batteryPercent', type: 'number' },
} as const satisfies Record<string, { metric: string; type: 'boolean' | 'number' }>;

/**
 * A button's `action` (Zigbee2MQTT publishes `{"action":"single"}`, `"double"`, `"long"`, `"emergency"`,
 * ... per model): passed as `buttonAction`, a string, for the SOS detector (src/detectors/sos.ts).
 */
export const Z2M_ACTION_KEY = 'action';

export interface Z2mDeviceMemory {
  /** Last value seen per Z2M key (whether it was passed on or not). */
  last: Record<string, MeasurementValue>;
  /** When `battery` was last passed on, ms; null: never. */
  batteryPassedAtMs: number | null;
  /** When anything was last passed on for this device, ms; null: never. */
  lastPassedAtMs: number | null;
  /** Last availability passed on; null: none seen yet. */
  available: boolean | null;
}

export const newZ2mDeviceMemory = (): Z2mDeviceMemory => ({ last: {}, batteryPassedAtMs: null, lastPassedAtMs: null, available: null });

export interface Z2mMapResult {
  measurements: Measurement[];
  /** Keys we know whose value had the wrong type ("true" is not true): skipped and counted. */
  badKeys: string[];
}

/**
 * One state payload (already JSON-parsed) of one device. Returns what to pass on, in the payload's
 * key order, and updates `mem`. `null` values are Z2M's "unknown" and are skipped silently.
 * When nothing passes and nothing passed for `batteryIntervalMs`, `linkquality` is passed as
 * `linkQuality`, so a device with neither battery nor changes is still heard (mains gas detectors).
 */
export function mapZ2mState(payload: Readonly<Record<string, unknown>>, mem: Z2mDeviceMemory, nowMs: number, batteryIntervalMs: number): Z2mMapResult {
  const measurements: Measurement[] = [];
  const badKeys: string[] = [];
  for (const [key, value] of Object.entries(payload)) {
    if (key === Z2M_ACTION_KEY) {
      // A button's action is an event, not a state: every one passes, the same twice too (two presses);
      // Z2M's "" (its reset of the property) and null are no action.
      if (typeof value === 'string' && value !== '') measurements.push({ metric: 'buttonAction', value: value.slice(0, 64) });
      else if (value !== null && value !== '') badKeys.push(key);
      continue;
    }
    if (!Object.hasOwn(Z2M_KEYS, key) || value === null) continue;
    const spec = Z2M_KEYS[key as keyof typeof Z2M_KEYS];
    const valid = spec.type === 'boolean' ? typeof value === 'boolean' : typeof value === 'number' && Number.isFinite(value);
    if (!valid) { badKeys.push(key); continue; }
    const v = key === 'battery' ? Math.max(0, Math.min(100, value as number)) : (value as MeasurementValue);
    const changed = mem.last[key] !== v;
    mem.last[key] = v;
    if (key === 'battery') {
      if (mem.batteryPassedAtMs !== null && nowMs - mem.batteryPassedAtMs < batteryIntervalMs) continue;
      mem.batteryPassedAtMs = nowMs;
    } else if (!changed) continue;
    measurements.push({ metric: spec.metric, value: v });
  }
  const lq = payload['linkquality'];
  if (measurements.length === 0 && typeof lq === 'number' && Number.isFinite(lq)
    && (mem.lastPassedAtMs === null || nowMs - mem.lastPassedAtMs >= batteryIntervalMs)) {
    measurements.push({ metric: 'linkQuality', value: lq });
  }
  if (measurements.length > 0) mem.lastPassedAtMs = nowMs;
  return { measurements, badKeys };
}

/**
 * `<base>/<name>/availability`: Zigbee2MQTT 1.x legacy payload `online` / `offline`, or (newer, and
 * with `availability.legacy: false`) JSON `{"state":"online"}`. Returns null when it is neither.
 */
export function parseZ2mAvailability(text: string): boolean | null {
  const t = text.trim();
  if (t === 'online') return true;
  if (t === 'offline') return false;
  try {
    const j: unknown = JSON.parse(t);
    if (j && typeof j === 'object' && !Array.isArray(j)) {
      const s = (j as Record<string, unknown>)['state'];
      if (s === 'online') return true;
      if (s === 'offline') return false;
    }
  } catch { /* not JSON: malformed */ }
  return null;
}
