import { SHIPPED_BIAS, SHIPPED_NIGHT_CLASS_CUTOFFS, SHIPPED_SECOND_STAGE_BIAS, SHIPPED_SECOND_STAGE_WEIGHTS, SHIPPED_WEIGHTS } from './shipped-weights.js';

/**
 * Parameters of the heart-rate apnea screening, with where each number comes from.
 * See README.md in this folder for the method and the measured accuracy.
 */
export interface HrApneaSettings {
  /** Minute k covers [originS + 60k, originS + 60k + 60) seconds. The dataset and the CLI use 0. */
  readonly originS: number;
  /** Beats (or readings) before originS or from originS + maxMinutes * 60 on are ignored: bounds the per-night flags. */
  readonly maxMinutes: number;
  /** Plausible RR interval, seconds (HR 30..200 bpm). Outside is a missed/extra beat or a sensor fault. */
  readonly minRrS: number;
  readonly maxRrS: number;
  /**
   * A beat whose RR differs from the median of its 3 neighbours on each side by more than this
   * fraction is an artefact (ectopic beat, missed or extra R peak). 20-30 % is the usual band for
   * RR editing; 25 % keeps the abrupt post-apnea tachycardia (which builds over several beats) and
   * removes premature/compensatory pairs.
   */
  readonly maxRrJump: number;
  /** Beats (or readings) further apart than this leave the 1 Hz samples between them invalid, seconds. */
  readonly maxGapS: number;
  /**
   * A minute is analysed only when at least this fraction of its 3-minute feature window and of
   * the minute itself is covered by valid samples; otherwise it is reported as rejected (and N).
   */
  readonly minValidFraction: number;
  /**
   * Per-minute features are averaged over +-h minutes for each h here, before scoring (episodes last
   * minutes; the wider scale is the stretch of night around the minute). The widest sets the lag.
   */
  readonly contextMinutes: readonly number[];
  /**
   * Linear score over the averaged features (FEATURE_NAMES at contextMinutes[0], then the same at
   * contextMinutes[1], ...) plus a bias; a minute is flagged A when the score is > 0 (logistic
   * regression, probability > 0.5). Fitted on the 35 Apnea-ECG learning-set records by
   * `npm run fit-screener` (tools/screener/), which prints these numbers; a test refits and compares.
   */
  readonly weights: readonly number[];
  readonly bias: number;
  /**
   * The end-of-night stage (night-stage.ts): final minute flags from a linear score over [stage-1
   * score averaged over +-secondStageContextMinutes, the night's 10th, 50th and 90th percentiles
   * of the stage-1 scores, the minute's standing in its night (averaged score minus the night's
   * median, over its interquartile range)] plus a bias (> 0 is A); all but the first term form an
   * offset bounded to +-MAX_NIGHT_OFFSET. Fitted by `npm run fit-screener` on the
   * leave-one-record-out stage-1 scores (never on a record's own fit).
   */
  readonly secondStageContextMinutes: number;
  readonly secondStageWeights: readonly number[];
  readonly secondStageBias: number;
  /**
   * The night class from the night's 90th percentile of the stage-1 scores: A at or above `a`, C
   * below `c`, B between. Chosen by `npm run fit-screener` as the cut-offs that class the most
   * learning-set records right from their leave-one-record-out scores.
   */
  readonly nightClassCutoffs: { readonly c: number; readonly a: number };
  /** The rule of the expert classes (PhysioNet Apnea-ECG): A >= 100 apnea minutes, B 5..99, C < 5 (what the fit scores the night class against). */
  readonly classAMinMinutes: number;
  readonly classBMinMinutes: number;
}

export const hrApneaDefaults: HrApneaSettings = Object.freeze({
  originS: 0,
  maxMinutes: 24 * 60,
  minRrS: 0.3,
  maxRrS: 2.0,
  maxRrJump: 0.25,
  maxGapS: 4,
  minValidFraction: 0.6,
  // +-4: the plateau of the first version (README); a second scale of +-10 did not help (issue 18,
  // tools/screener/README.md).
  contextMinutes: Object.freeze([4]),
  weights: SHIPPED_WEIGHTS,
  bias: SHIPPED_BIAS,
  // +-5: the middle of the +-2/5/10 scales the issue names; +-2, +-5, +-10 and all three together
  // measured the same in the prototype (tools/screener/README.md), so one input. Not re-chosen when
  // the standing was added (+-2 / +-10 then measured 86.5 / 85.5 % LORO, +-5 86.3 %).
  secondStageContextMinutes: 5,
  secondStageWeights: SHIPPED_SECOND_STAGE_WEIGHTS,
  secondStageBias: SHIPPED_SECOND_STAGE_BIAS,
  nightClassCutoffs: SHIPPED_NIGHT_CLASS_CUTOFFS,
  classAMinMinutes: 100,
  classBMinMinutes: 5,
});

/**
 * Fixed signal-processing constants (not tuned per record). The cycle band follows the CVHR
 * literature: apnea-arousal cycles last 25-100 s (Guilleminault 1984; Hayano 2011).
 */
export const SIGNAL = Object.freeze({
  /** Centred moving average that is removed as the baseline: keeps cycles shorter than ~100 s. */
  baselineS: 101,
  /** Centred moving average that smooths the cycle band and splits off the fast (respiratory) part. */
  fastS: 9,
  /** Centred moving average of the slow trend: baseline minus this is the 100-300 s component. */
  trendS: 301,
  /** Half-width of the per-minute feature window beyond the minute itself, seconds (3-minute window). */
  contextS: 60,
  /** Autocorrelation lags searched for a cycle, seconds (cycle lengths 20-90 s). */
  minLagS: 20,
  maxLagS: 90,
  /** Added before taking logs of amplitudes (bpm): keeps a flat series finite and damps noise. */
  floorBpm: 0.1,
});
