import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';

export interface StepResult<S> {
  readonly state: S;
  readonly events: readonly EventDraft[];
}

/**
 * A detector is pure and streaming: no timers, no I/O, no logging; time comes in as `now`.
 * State is plain JSON so it can be snapshotted to SQLite and restored after a restart.
 * `step` is called for every reading of one device and must be O(1) amortised.
 */
export interface Detector<S, C> {
  readonly name: string;
  initialState(): S;
  step(state: S, reading: Reading, now: number, settings: C): StepResult<S>;
}

export const NO_EVENTS: readonly EventDraft[] = Object.freeze([]);
