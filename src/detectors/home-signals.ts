import type { Reading } from '../core/reading.js';

/**
 * Signals shared by the home-scope detectors (absence, inactivity). Metric names and their
 * sources: METRICS.md in this folder.
 */

/**
 * Does this reading say someone is (true) or is not (false) in the sensor's field? null when the
 * metric says nothing about presence.
 * - `presence` (radars), `occupancy` (PIR): the boolean itself.
 * - `motion`: radars report `none` | `still` | `active` (MR60BHA1); `still` is a person who is still,
 *   so it is presence. Boolean `motion` (some PIRs) is taken as occupancy.
 */
export function presenceEvidence(r: Reading): boolean | null {
  switch (r.metric) {
    case 'presence':
    case 'occupancy':
      return typeof r.value === 'boolean' ? r.value : null;
    case 'motion':
      if (typeof r.value === 'boolean') return r.value;
      if (r.value === 'active' || r.value === 'still') return true;
      if (r.value === 'none') return false;
      return null;
    default:
      return null;
  }
}

/** Home mode command, as a reading of metric `homeMode` (`away` | `home`) on the configured mode device. */
export type HomeMode = 'home' | 'away';

export function homeModeOf(r: Reading, modeDevice: string): HomeMode | null {
  if (r.device !== modeDevice || r.metric !== 'homeMode') return null;
  return r.value === 'away' || r.value === 'home' ? r.value : null;
}

/**
 * Per-device memory of a home-scope detector is keyed by device id and capped, so state stays bounded
 * whatever arrives: a home has a few dozen devices at most. A device beyond the cap is not tracked
 * (its edges are not seen); readings that need no memory still count.
 */
export const MAX_TRACKED_DEVICES = 64;

/** Returns a copy of `map` with `key` set to `value`, or `map` itself when unchanged or full. */
export function withEntry<V>(map: Readonly<Record<string, V>>, key: string, value: V, same: (a: V, b: V) => boolean): Readonly<Record<string, V>> {
  // hasOwn, not map[key]: a device id may legally be `__proto__` (ids are [A-Za-z0-9_-]).
  const old = Object.hasOwn(map, key) ? map[key] : undefined;
  if (old !== undefined) return same(old, value) ? map : { ...map, [key]: value };
  if (Object.keys(map).length >= MAX_TRACKED_DEVICES) return map;
  return { ...map, [key]: value };
}

/** `map[key]` for own keys only (see withEntry). */
export function entryOf<V>(map: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
