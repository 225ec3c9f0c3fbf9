/**
 * The screener's fitted weights. Written by `npm run fit-screener -- --write` (tools/screener/), which
 * fits them on the 35 Apnea-ECG learning-set records and prints them with their leave-one-record-out
 * figures; tests/unit/detectors/hr-apnea-screening-fit.test.ts fails when a fresh fit differs.
 * Do not edit by hand. Order: FEATURE_NAMES averaged over +-contextMinutes[0] minutes (then over each
 * further contextMinutes scale, if any).
 */
export const SHIPPED_WEIGHTS: readonly number[] = Object.freeze([0.9783, 8.698, -1.404, -2.8158, 0.6475, -3.4948, -0.7807, 4.1562]);
export const SHIPPED_BIAS = -7.9749;
