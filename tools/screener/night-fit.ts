import {
  classifyNight, nightTerms, secondStageInputs, storedScore, type HrApneaSettings, type NightClass,
} from '../../src/detectors/hr-apnea-screening/index.js';
import { fitLogistic, type LinearModel } from './fit-logistic.js';

/**
 * Fitting the end-of-night stage (src/detectors/hr-apnea-screening/night-stage.ts) from stage-1
 * scores that were not fitted on the night they score (stacking): the second stage must learn how
 * stage 1 behaves on a night it has never seen, which is how it behaves in the home. Research code.
 */
export interface NightInput {
  /** Stage-1 scores of the night's minutes (storedScore), null where not analysed. */
  readonly scores: (number | null)[];
  /** Expert labels, one per minute ('A' or 'N'). */
  readonly labels: string;
}

export interface NightClassCutoffs {
  readonly c: number;
  readonly a: number;
}

/** Stage-1 scores of a night under a model, from its whole-night averaged features. */
export function stageOneScores(averaged: readonly (readonly number[] | null)[], m: LinearModel): (number | null)[] {
  return averaged.map((x) => {
    if (x === null) return null;
    let z = m.bias;
    for (let i = 0; i < x.length; i += 1) z += (m.weights[i] ?? 0) * x[i]!;
    return storedScore(z);
  });
}

/** The stage-2 logistic fit on the analysed, labelled minutes of the nights. */
export function fitSecondStage(nights: readonly NightInput[], s: HrApneaSettings): LinearModel {
  const x: number[][] = [];
  const y: boolean[] = [];
  for (const n of nights) {
    const inputs = secondStageInputs(n.scores, s.secondStageContextMinutes);
    for (let k = 0; k < Math.min(inputs.length, n.labels.length); k += 1) {
      const v = inputs[k];
      if (v === null || v === undefined) continue;
      x.push(v);
      y.push(n.labels[k] === 'A');
    }
  }
  return fitLogistic(x, y);
}

/**
 * The two cut-offs on the night's class score (its 90th percentile, NightTerms.classScore) that class the most nights right by the expert
 * rule (C below c, A at or above a, B between). With c <= a the count of right nights splits into a
 * part that depends on c only (C nights below it minus B nights below it) and one on a only (A nights
 * at or above it minus B nights at or above it), so each is chosen on its own. Candidates are the
 * midpoints between consecutive distinct values (and one beyond each end); when several candidates
 * are equally good, the middle one of them (the widest margin to the nights on both sides, as a
 * maximum-margin rule would), so the choice is deterministic. Rounded to 4 decimals, as shipped.
 */
export function fitNightClassCutoffs(nights: readonly NightInput[], s: HrApneaSettings): NightClassCutoffs {
  const pts = nights.map((n) => ({ q: nightTerms(n.scores).classScore, cls: classifyNight(countA(n.labels), s) }));
  const qs = [...new Set(pts.map((p) => p.q))].sort((a, b) => a - b);
  const cand = [qs[0]! - 1, ...qs.slice(1).map((q, i) => (q + qs[i]!) / 2), qs[qs.length - 1]! + 1].map(round4);
  const below = (t: number, cls: NightClass): number => pts.filter((p) => p.q < t && p.cls === cls).length;
  const above = (t: number, cls: NightClass): number => pts.filter((p) => p.q >= t && p.cls === cls).length;
  const middleBest = (score: (t: number) => number, among: readonly number[]): number => {
    const scores = among.map(score);
    const max = Math.max(...scores);
    const best = among.filter((_, i) => scores[i] === max);
    return best[Math.floor((best.length - 1) / 2)]!;
  };
  const c = middleBest((t) => below(t, 'C') - below(t, 'B'), cand);
  // a at or above c, so that B is the band between.
  const a = middleBest((t) => above(t, 'A') - above(t, 'B'), cand.filter((t) => t >= c));
  return { c, a };
}

const round4 = (v: number): number => Math.round(v * 1e4) / 1e4 + 0;
const countA = (labels: string): number => [...labels].filter((c) => c === 'A').length;
