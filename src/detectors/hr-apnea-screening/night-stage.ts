import type { HrApneaSettings } from './settings.js';

/**
 * The second, night-level stage (issue 18 point 1), run once at the end of the night.
 *
 * Stage 1 (minute-classifier.ts) scores each minute from its features averaged over +-4 minutes; its
 * log-odds are what the screener emits as the night goes (the provisional flags). What one minute's
 * heart rate cannot say is how it compares with the rest of *that* night: the same cyclic swing means
 * more in a night whose typical minute already looks apneic (apnea most of the night) than in a night
 * with a calm baseline and a few bursts of arousals. So at the end of the night:
 *
 *   - minute flags: a logistic stage over the stage-1 log-odds averaged over +-5 minutes, the
 *     night's 10th, 50th and 90th percentiles of the stage-1 log-odds, and where the minute stands
 *     within its night: its averaged score minus the night's median, divided by the night's
 *     interquartile range (6 numbers in settings). Everything but the minute's own averaged score is
 *     an offset bounded to +-MAX_NIGHT_OFFSET, so a clearly apneic minute is A and a clearly quiet
 *     one N in any night;
 *   - night class: from the night's 90th percentile of the stage-1 log-odds (the score of the ~50th
 *     most suspicious minute of a 480-minute night; a shorter night is padded to 480 minutes, see
 *     NightTerms.classScore), with two cut-offs, rather than by counting
 *     flagged minutes: 90 % minute specificity gives a healthy night ~10-60 false minutes, far above
 *     the 5 minutes that separate class C from B, while an A night (>= 100 apnea minutes, ~20 % of
 *     it) has its 90th percentile inside its apnea stretches.
 *
 * This is the documented end-of-night revision: every minute's flag may change at the end (not only
 * the last ones), because the night-level term needs the whole night. A causal version (percentiles
 * of the night so far) measured 83.4 % leave-one-record-out, worse than stage 1 alone (84.1 %), so
 * the provisional flags during the night are stage 1's and the final ones are this stage's
 * (tools/screener/README.md). Memory: one stage-1 score per minute of the night (at most maxMinutes).
 *
 * Pure and deterministic; the fit (tools/screener/evaluate.ts) scores whole nights with its own
 * stage 1 (prefix sums over the night) and these functions, and counts where it and the streaming
 * screener differ (0 minutes and 0 classes on the 35 learning-set nights).
 */

/** Stage-1 scores as the state stores them: 4 decimals (the state is JSON; 1e-4 in log-odds is nothing). */
export const storedScore = (z: number): number => Math.round(z * 1e4) / 1e4 + 0;

/** The percentile p of the sorted values: the nearest-rank element floor(p * n), clipped. */
export function nightPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** The night's 10th, 50th and 90th percentiles of the analysed minutes' stage-1 scores. */
export const NIGHT_PERCENTILES = Object.freeze([0.1, 0.5, 0.9]);

export interface NightTerms {
  readonly q10: number;
  readonly q50: number;
  readonly q90: number;
  /** The interquartile range (75th minus 25th percentile) of the stage-1 scores: how much the night's minutes differ. */
  readonly spread: number;
  /**
   * What the night class is judged on: the 90th percentile of the night's scores as if the night
   * had at least REFERENCE_NIGHT_MINUTES analysed minutes, the missing ones counted as the least
   * suspicious (-Infinity: below any cut-off). The class rule counts minutes (A: >= 100), not a share
   * of the night, so a 4-hour night with 25 minutes of apnea must not look like an 8-hour one with 50.
   */
  readonly classScore: number;
  readonly analysed: number;
}

/** The Apnea-ECG reference night: ~480 minutes (Penzel 2000; 100 apnea minutes of it make class A). */
export const REFERENCE_NIGHT_MINUTES = 480;

export function nightTerms(scores: readonly (number | null)[]): NightTerms {
  const sorted = scores.filter((z): z is number => z !== null).sort((a, b) => a - b);
  const [q10, q50, q90] = NIGHT_PERCENTILES.map((p) => nightPercentile(sorted, p)) as [number, number, number];
  const spread = nightPercentile(sorted, 0.75) - nightPercentile(sorted, 0.25);
  const padded = Math.max(sorted.length, REFERENCE_NIGHT_MINUTES);
  const rank = Math.floor(0.9 * padded) - (padded - sorted.length);
  const classScore = rank < 0 ? -Infinity : sorted[Math.min(sorted.length - 1, rank)]!;
  return { q10, q50, q90, spread, classScore, analysed: sorted.length };
}

/** The night class from its class score (NightTerms.classScore): A at or above cut-off a, C below c, B between. */
export function nightClassOf(classScore: number, s: HrApneaSettings): 'A' | 'B' | 'C' {
  if (classScore >= s.nightClassCutoffs.a) return 'A';
  return classScore < s.nightClassCutoffs.c ? 'C' : 'B';
}

/**
 * How far the night-level terms (and the minute's standing in its night) may move a minute's log-odds, either way. Fitted on 35 nights, the
 * linear night offset is only known within their range (learning-set nights: about -1 to +1); a
 * night unlike any of them (two hours of textbook apnea cycles and very quiet sleep around them)
 * would otherwise flip clearly quiet minutes to A. 2 log-odds is a 7-fold change of the odds: enough
 * to move a doubtful minute, never a clear one. Chosen before measuring, not tuned.
 */
export const MAX_NIGHT_OFFSET = 2;

/**
 * Added to the night's interquartile range before dividing by it (log-odds): a night whose minutes
 * all score alike (the synthetic flat heart rate: spread 0) then gives a standing of 0, not 0 / 0.
 * A tenth of a log-odds is far below any learning-set night's spread (1.1 to 7.3). Chosen before
 * measuring; 0.001 measured within 0.1 point (tools/screener/README.md).
 */
export const SPREAD_FLOOR = 0.1;

/**
 * The stage-2 inputs of each analysed minute k (score not null): [mean of the analysed stage-1 scores
 * within +-h of k (clipped to the night), q10, q50, q90, standing], standing = (mean - q50) /
 * (spread + SPREAD_FLOOR): where the minute lies within its own night, in units of the night's
 * spread. null where not analysed. Summed directly, in minute order (11 additions a minute), so the
 * fit and the daemon get the same bits.
 */
export function secondStageInputs(scores: readonly (number | null)[], h: number, t: NightTerms = nightTerms(scores)): (number[] | null)[] {
  return scores.map((z, k) => {
    if (z === null) return null;
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, k - h); j <= Math.min(scores.length - 1, k + h); j += 1) {
      const v = scores[j];
      if (v !== null && v !== undefined) { sum += v; count += 1; }
    }
    const mean = sum / count;
    return [mean, t.q10, t.q50, t.q90, (mean - t.q50) / (t.spread + SPREAD_FLOOR)];
  });
}

/**
 * Final per-minute scores of a night (> 0 is A), null where not analysed: the weighted +-h average
 * of the stage-1 scores plus an offset (bias, the percentile terms and the minute's standing in its
 * night), clamped to +-MAX_NIGHT_OFFSET.
 *
 * Why the standing sits inside the bound: fitted freely, its weight is negative and larger than the
 * average's, so in a night whose scores hardly spread (healthy nights, but also a quiet night with
 * one short burst of apnea) the more apneic a minute looked the less it would be flagged: it wiped
 * the learning set's scattered false minutes in C nights, and a synthetic 20-minute burst of
 * textbook apnea cycles with them (0 of 22 minutes flagged, prototype). Bounded, it can only move a
 * doubtful minute; that also measured better (LORO 86.3 % bounded, 85.7 % unbounded).
 */
export function secondStageScores(scores: readonly (number | null)[], s: HrApneaSettings, t: NightTerms = nightTerms(scores)): (number | null)[] {
  const w = s.secondStageWeights;
  const night = s.secondStageBias + w[1]! * t.q10 + w[2]! * t.q50 + w[3]! * t.q90;
  return secondStageInputs(scores, s.secondStageContextMinutes, t).map((x) => {
    if (x === null) return null;
    const offset = night + (w[4] ?? 0) * x[4]!;
    return w[0]! * x[0]! + Math.max(-MAX_NIGHT_OFFSET, Math.min(MAX_NIGHT_OFFSET, offset));
  });
}
