import type { MinuteFeatures } from './minute-features.js';
import type { HrApneaSettings } from './settings.js';

/**
 * Scores each minute from its features averaged over the surrounding minutes, at several scales.
 *
 * Why average: obstructive events come in runs (in the learning set 96 % of A minutes lie in runs
 * of 5 minutes or more; median run 7, quartiles 2 and 23), while a single minute's features are noisy; averaging over
 * +-4 minutes (a 9-minute span) was the largest single gain in cross-validation. `contextMinutes`
 * lists the half-widths; with several, the features averaged at each are concatenated. Issue 18
 * measured a second, wider scale (+-10 minutes: 16 inputs): no better, so the default is [4]. A
 * second stage over this stage's log-odds with a running (causal) night-level term did not help
 * either; with the whole night's percentiles it did, so that runs once at the end of the night
 * (night-stage.ts). The score is linear (a logistic regression: probability > 0.5 <=> score > 0),
 * so each weight reads as "how much this feature argues for apnea" and 9 numbers cannot memorise
 * 35 nights.
 *
 * Lag: minute k's (provisional) flag is out once the features of minute k + max(contextMinutes) exist.
 */
export interface MinuteResult {
  readonly minute: number;
  readonly flag: 'A' | 'N';
  /** False when the minute had too little valid signal; it is then reported as N. */
  readonly analysed: boolean;
  /** The linear score (> 0 means A); null when not analysed. */
  readonly score: number | null;
  /** The minute's own features before averaging; null when not analysed. */
  readonly features: MinuteFeatures | null;
  /** The averaged features the score was computed from, one block per context scale (what a refit trains on); null when not analysed. */
  readonly smoothed: MinuteFeatures | null;
}

export interface ClassifierState {
  /** Features of the most recent minutes, oldest first: [minute, features | null]. */
  recent: Array<[number, number[] | null]>;
  /** Next minute to finalise. */
  nextFinal: number;
  /** Last minute whose features arrived, -1 before any. */
  lastMinute: number;
}

export function createClassifier(): ClassifierState {
  return { recent: [], nextFinal: 0, lastMinute: -1 };
}

export type ResultSink = (r: MinuteResult) => void;

/** Linear score of already-averaged features. */
export function linearScore(x: readonly number[], s: HrApneaSettings): number {
  let z = s.bias;
  for (let i = 0; i < x.length; i += 1) z += (s.weights[i] ?? 0) * x[i]!;
  return z;
}

/** The widest context: how far ahead (and back) a minute's score looks. */
export function maxContext(s: HrApneaSettings): number {
  let h = 0;
  for (const c of s.contextMinutes) h = Math.max(h, c);
  return h;
}

/** Means of the analysed minutes' features within +-h of k, one block per h in contextMinutes. */
function averaged(st: ClassifierState, k: number, s: HrApneaSettings, d: number): number[] {
  const out = new Array<number>(d * s.contextMinutes.length).fill(0);
  s.contextMinutes.forEach((h, block) => {
    let n = 0;
    for (const [m, f] of st.recent) {
      if (f === null || m < k - h || m > k + h) continue;
      for (let i = 0; i < d; i += 1) out[block * d + i]! += f[i]!;
      n += 1;
    }
    // n >= 1: minute k itself is analysed when this is called.
    for (let i = 0; i < d; i += 1) out[block * d + i]! /= n;
  });
  return out;
}

function finalise(st: ClassifierState, k: number, s: HrApneaSettings, sink: ResultSink): void {
  let own: number[] | null = null;
  for (const [m, f] of st.recent) if (m === k) own = f;
  if (own === null) {
    sink({ minute: k, flag: 'N', analysed: false, score: null, features: null, smoothed: null });
    return;
  }
  const smoothed = averaged(st, k, s, own.length);
  const score = linearScore(smoothed, s);
  sink({ minute: k, flag: score > 0 ? 'A' : 'N', analysed: true, score, features: own, smoothed });
}

export function pushToClassifier(st: ClassifierState, k: number, features: MinuteFeatures | null, s: HrApneaSettings, sink: ResultSink): void {
  st.recent.push([k, features === null ? null : features.slice()]);
  st.lastMinute = k;
  const h = maxContext(s);
  for (; st.nextFinal <= k - h; st.nextFinal += 1) finalise(st, st.nextFinal, s, sink);
  // Keep only what the next minute to finalise can still use.
  while (st.recent.length > 0 && st.recent[0]![0] < st.nextFinal - h) st.recent.shift();
}

export function flushClassifier(st: ClassifierState, s: HrApneaSettings, sink: ResultSink): void {
  for (; st.nextFinal <= st.lastMinute; st.nextFinal += 1) finalise(st, st.nextFinal, s, sink);
}
