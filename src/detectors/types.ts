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
 * `now` is the wall clock (ms since the epoch): readings and events carry it, and local-time rules
 * (curfew, activity windows, the night) need it. Durations are differences of `now`s, and they stay
 * monotonic because ingest watches the wall clock against the monotonic one: when it steps (NTP,
 * an operator) by delta ms, ingest first hands every state to `rebase`, which moves the instants it
 * holds by delta, so "since when" keeps meaning as long ago as it really was (docs/detectors.md
 * "Time"). The same happens to a restored state when the clock stepped while the daemon was down.
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
   * it only those (indexed per metric, src/pipeline/runner.ts). For a reading of any other metric,
   * `step` must return the state unchanged and no event. Omit it (every reading is offered) when
   * any reading matters: as a sign of life (device supervision; the radar context of apnea,
   * vital_signs_lost and the sleep report stamps every reading's time), or because `step` advances
   * time itself (the home-scope detectors run their clock on every reading).
   * tests/unit/daemon/dispatch.test.ts replays streams both ways and compares events and states.
   */
  readonly metrics?: readonly string[];
  /**
   * Device scope only: metrics this detector also takes from its device's companions, other devices
   * of the home that its binding names (DetectorBinding.companions; the sleep report takes a paired
   * pulse oximeter's SpO2 for the night's ODI, issue 18). Such readings keep their own `device`: the
   * detector tells them from its own device's readings by that, and ingest offers them after the
   * companion's own detectors, in binding order.
   */
  readonly companionMetrics?: readonly string[];
  initialState(): S;
  step(state: S, reading: Reading, now: number, settings: C): StepResult<S>;
  tick?(state: S, now: number, settings: C): StepResult<S>;
  /**
   * The wall clock stepped by `deltaMs` (positive: forward): returns the state with every instant it
   * holds moved by deltaMs (the start of a run, the last reading, when an alarm was raised, ...), so
   * that `now - instant` is the time that really passed. An instant that is a calendar rule's
   * (the end of tonight's window, today's report_by) is computed again for the moved instants by the
   * rule, not moved: the rule follows the corrected clock. Durations (ms accumulated) do not change.
   * Pure like `step`; may update in place when `updatesInPlace`. Emits nothing: the next step or
   * tick judges the moved state. Every detector of the daemon has one; without it a step is not
   * corrected (durations across it are off by the step).
   */
  rebase?(state: S, deltaMs: number, settings: C): S;
}

export const NO_EVENTS: readonly EventDraft[] = Object.freeze([]);

/** A detector's own working copy of its readonly state, updated field by field within one step. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An instant moved by a wall-clock step of `deltaMs` (Detector.rebase); null (no instant) stays null. */
export function shifted(t: number, deltaMs: number): number;
export function shifted(t: number | null, deltaMs: number): number | null;
export function shifted(t: number | null, deltaMs: number): number | null {
  return t === null ? null : t + deltaMs;
}
