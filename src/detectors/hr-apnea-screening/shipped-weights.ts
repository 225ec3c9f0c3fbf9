/**
 * The screener's fitted weights. Written by `npm run fit-screener -- --write` (tools/screener/), which
 * fits them on the 35 Apnea-ECG learning-set records and prints them with their leave-one-record-out
 * figures; tests/unit/detectors/hr-apnea-screening-fit.test.ts fails when a fresh fit differs.
 * Do not edit by hand.
 * - stage 1 (minute-classifier.ts): FEATURE_NAMES averaged over +-contextMinutes[0] minutes (then over
 *   each further contextMinutes scale, if any);
 * - stage 2 (night-stage.ts, end of night): stage-1 score averaged over +-secondStageContextMinutes,
 *   the night's 10th, 50th and 90th percentiles of the stage-1 scores, the minute's standing in its
 *   night ((averaged score - median) / (interquartile range + SPREAD_FLOOR));
 * - night class: cut-offs on the night's 90th percentile of the stage-1 scores (C below c, A from a).
 */
export const SHIPPED_WEIGHTS: readonly number[] = Object.freeze([0.9783, 8.698, -1.404, -2.8158, 0.6475, -3.4948, -0.7807, 4.1562]);
export const SHIPPED_BIAS = -7.9749;
export const SHIPPED_SECOND_STAGE_WEIGHTS: readonly number[] = Object.freeze([2.3448, -1.2859, 0.4085, -0.7714, -3.0465]);
export const SHIPPED_SECOND_STAGE_BIAS = -0.7085;
export const SHIPPED_NIGHT_CLASS_CUTOFFS = Object.freeze({ c: -0.6116, a: -0.2131 });
