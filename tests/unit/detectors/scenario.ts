/**
 * Replays a named situation through a pure detector with a manual clock: readings at given seconds
 * after T0 and, when the detector has one, `tick` every `tickEveryS` seconds (after the readings of
 * the same instant, as the daemon's timer would run between chunks). Returns every event with the
 * second it fired, and the final state.
 */
import type { EventDraft } from '../../../src/core/event.js';
import type { Reading } from '../../../src/core/reading.js';
import type { Detector } from '../../../src/detectors/types.js';

export const T0 = Date.UTC(2026, 10, 29, 22, 0, 0);

export const at = (sec: number): number => T0 + Math.round(sec * 1000);

export type Script = Array<[number, string, Reading['value']]>;

export interface Fired {
  at: number;
  e: EventDraft;
}

export interface ReplayOptions<S> {
  /** Seconds between ticks; 0 = no ticks. Default 1. */
  tickEveryS?: number;
  /** Tick until this second (default: the last reading). */
  untilS?: number;
  /** Start from this state (a restored snapshot) instead of the initial one. */
  state?: S;
  /** Ticks start after this second (default: the first reading). */
  fromS?: number;
  device?: string;
}

export function replay<S, C>(det: Detector<S, C>, script: Script, settings: C, opts: ReplayOptions<S> = {}): { events: Fired[]; state: S } {
  const sorted = script.map((x, i) => ({ x, i })).sort((a, b) => a.x[0] - b.x[0] || a.i - b.i).map((y) => y.x);
  const tickEvery = opts.tickEveryS ?? 1;
  const first = opts.fromS ?? sorted[0]?.[0] ?? 0;
  const until = opts.untilS ?? sorted[sorted.length - 1]?.[0] ?? 0;
  let state = opts.state ?? det.initialState();
  const events: Fired[] = [];
  const device = opts.device ?? 'radar';
  const push = (sec: number, evs: readonly EventDraft[]) => { for (const e of evs) events.push({ at: sec, e }); };
  let nextTick = tickEvery > 0 && det.tick ? Math.ceil(first / tickEvery) * tickEvery : Infinity;
  const runTicksUpTo = (sec: number, inclusive: boolean) => {
    while (nextTick < sec || (inclusive && nextTick === sec)) {
      const r = det.tick!(state, at(nextTick), settings);
      state = r.state;
      push(nextTick, r.events);
      nextTick += tickEvery;
    }
  };
  for (const [sec, metric, value] of sorted) {
    runTicksUpTo(sec, false);
    const now = at(sec);
    const r = det.step(state, { device, ts: now, metric, value }, now, settings);
    state = r.state;
    push(sec, r.events);
  }
  if (nextTick !== Infinity) runTicksUpTo(until, true);
  return { events, state };
}

/** A JSON round trip, as the state store does between a snapshot and a restart. */
export function snapshot<S>(state: S): S {
  return JSON.parse(JSON.stringify(state)) as S;
}

/** Splits a script at a second: readings strictly before, and from it on. */
export function splitAt(script: Script, sec: number): [Script, Script] {
  return [script.filter((x) => x[0] < sec), script.filter((x) => x[0] >= sec)];
}
