import type { HrApneaSettings } from './settings.js';

/**
 * Puts accepted beats on a 1 Hz grid by linear interpolation: sample n sits at
 * originS + n + 0.5 s, so minute k holds samples 60k .. 60k+59. 1 Hz is ample for the
 * 25-100 s cycles we look for, and makes per-beat series (ECG) and per-second readings (radar)
 * the same kind of input downstream.
 *
 * A sample is valid when the two beats around it are at most maxGapS apart; samples before the
 * first beat take its value and are invalid (so the moving averages downstream start flat rather
 * than at zero). O(1) amortised: each beat emits the samples up to its own time.
 */
export interface ResamplerState {
  lastTS: number | null;
  lastHr: number;
  /** Index of the next grid sample to emit. */
  next: number;
}

export function createResampler(): ResamplerState {
  return { lastTS: null, lastHr: 0, next: 0 };
}

export type SampleSink = (n: number, hrBpm: number, valid: boolean) => void;

export function pushToResampler(st: ResamplerState, tS: number, hrBpm: number, s: HrApneaSettings, emit: SampleSink): void {
  const rel = tS - s.originS;
  if (st.lastTS === null) {
    for (; st.next + 0.5 <= rel; st.next += 1) emit(st.next, hrBpm, false);
  } else {
    const t0 = st.lastTS - s.originS;
    const span = rel - t0;
    const valid = span <= s.maxGapS;
    for (; st.next + 0.5 <= rel; st.next += 1) {
      const g = st.next + 0.5;
      emit(st.next, st.lastHr + ((hrBpm - st.lastHr) * (g - t0)) / span, valid);
    }
  }
  st.lastTS = tS;
  st.lastHr = hrBpm;
}

/** End of stream: fills the grid up to (excluding) sample `end` with the last value, invalid. */
export function flushResampler(st: ResamplerState, end: number, emit: SampleSink): void {
  for (; st.next < end; st.next += 1) emit(st.next, st.lastHr, false);
}
