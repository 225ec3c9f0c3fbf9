import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';

export interface StepResult<S> {
  readonly state: S;
  readonly events: readonly EventDraft[];
}

/**
 * A detector is pure and streaming: no timers, no I/O, no logging; time comes in as `now`.
 * State is plain JSON so it can be snapshotted to SQLite and restored after a restart.
 *
 * - `step` is called for every reading and must be O(1) amortised.
 * - `tick` (optional) is called periodically (every few seconds) with no reading, for conditions
 *   that are about time passing: "no activity for 12 h", "not back by 22:00", "device silent".
 * - `scope: 'device'` (default): one state per device, fed that device's readings.
 *   `scope: 'home'`: one state for the whole home, fed every device's readings (fusion: door
 *   contact + presence radars); settings name the devices it needs by id.
 */
export interface Detector<S, C> {
  readonly name: string;
  readonly scope?: 'device' | 'home';
  /** True when `step`/`tick` mutate the state object instead of returning a new one. */
  readonly updatesInPlace?: boolean;
  /**
   * The metrics whose readings can change this detector's state or raise an event: ingest offers
   * it only those (indexed per metric, src/daemon/ingest.ts). For a reading of any other metric,
   * `step` must return the state unchanged and no event. Omit it (every reading is offered) when
   * any reading matters: as a sign of life (device supervision; the radar context of apnea,
   * vital_signs_lost and the sleep report stamps every reading's time), or because `step` advances
   * time itself (the home-scope detectors run their clock on every reading).
   * tests/unit/daemon/dispatch.test.ts replays streams both ways and compares events and states.
   */
  readonly metrics?: readonly string[];
  initialState(): S;
  step(state: S, reading: Reading, now: number, settings: C): StepResult<S>;
  tick?(state: S, now: number, settings: C): StepResult<S>;
}

export const NO_EVENTS: readonly EventDraft[] = Object.freeze([]);

/** A detector's own working copy of its readonly state, updated field by field within one step. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
