import { createRing, ringGet, ringSet, type Ring } from './ring.js';
import { SIGNAL, type HrApneaSettings } from './settings.js';
import { SPECTRAL_FEATURE_NAMES, SPECTRUM_AFTER_S, spectralFeatures } from './spectral-features.js';

/**
 * Per-minute features over a 3-minute window centred on the minute (a single minute holds only
 * one or two apnea cycles, too few to tell a cycle from a one-off swing):
 *
 *   lnBandRms  ln RMS of the 10-100 s band, bpm: the depth of the cyclic dips (CVHR amplitude)
 *   cyclicity  peak autocorrelation of that band at lags 20-90 s: dips that recur at the pace
 *              of apnea-arousal cycles, rather than one arousal or random wandering
 *   lnSlowRms  ln RMS of the 100-300 s component: large slow swings come with wake, movement and
 *              sleep-stage changes, which also raise the band RMS without being apnea
 *   lnFastRms  ln RMS of the < 10 s component: mostly respiratory sinus arrhythmia, present while
 *              breathing is regular and general variability
 *
 * and, from the raw 1 Hz heart rate (spectral-features.ts, issue 18): cvhrShare, specEntropy, lfShare
 * over a 5-minute window, lnSurge over the 3-minute one. A minute's features are computed once the
 * 5-minute window is complete (60k + 179 s), a minute later than the 3-minute window alone would need.
 *
 * The amplitudes are in bpm, not normalised to the record: records with apnea all night (a01:
 * 96 % of minutes) have no apnea-free baseline to normalise to, and record-relative features
 * measured worse in cross-validation (README). Cost: at most 180 x 71 multiply-adds per minute for
 * the autocorrelation, i.e. a bounded ~200 per 1 Hz sample.
 */
export const FEATURE_NAMES = ['lnBandRms', 'cyclicity', 'lnSlowRms', 'lnFastRms', ...SPECTRAL_FEATURE_NAMES] as const;
export type MinuteFeatures = readonly number[];

const CONTEXT = SIGNAL.contextS;
/** Holds the 300-sample spectral window (the 180-sample feature window lies inside it). */
const CAPACITY = 512;
/** Minute k is due once sample 60k + DUE_AFTER_S is in: the end of its spectral window. */
const DUE_AFTER_S = SPECTRUM_AFTER_S - 1;

export interface MinuteFeatureState {
  /** Index of the last component sample received, -1 before any. */
  last: number;
  /** Next minute whose features are due. */
  nextMinute: number;
  band: Ring;
  fast: Ring;
  slow: Ring;
  valid: Ring;
  /** The 1 Hz heart rate itself, for the spectral features. */
  hr: Ring;
}

export function createMinuteFeatures(): MinuteFeatureState {
  return { last: -1, nextMinute: 0, band: createRing(CAPACITY), fast: createRing(CAPACITY), slow: createRing(CAPACITY), valid: createRing(CAPACITY), hr: createRing(CAPACITY) };
}

export type FeatureSink = (minute: number, features: MinuteFeatures | null) => void;

function compute(st: MinuteFeatureState, k: number, s: HrApneaSettings): MinuteFeatures | null {
  const lo = Math.max(0, 60 * k - CONTEXT);
  const hi = Math.min(st.last, 60 * k + 59 + CONTEXT);
  const len = hi - lo + 1;
  let nValid = 0;
  let nOwn = 0;
  let sumBand = 0;
  let sumFast2 = 0;
  let sumSlow2 = 0;
  for (let i = lo; i <= hi; i += 1) {
    if (ringGet(st.valid, i) !== 1) continue;
    nValid += 1;
    if (i >= 60 * k && i < 60 * k + 60) nOwn += 1;
    sumBand += ringGet(st.band, i);
    sumFast2 += ringGet(st.fast, i) ** 2;
    sumSlow2 += ringGet(st.slow, i) ** 2;
  }
  if (len <= 0 || nValid < s.minValidFraction * len || nOwn < s.minValidFraction * 60) return null;

  const mean = sumBand / nValid;
  // Centred band, zero where invalid, so gaps add nothing to the autocorrelation.
  const x = new Array<number>(len);
  let c0 = 0;
  for (let i = 0; i < len; i += 1) {
    const v = ringGet(st.valid, lo + i) === 1 ? ringGet(st.band, lo + i) - mean : 0;
    x[i] = v;
    c0 += v * v;
  }
  let cyclicity = 0;
  if (c0 > 0) {
    cyclicity = -Infinity;
    for (let lag = SIGNAL.minLagS; lag <= SIGNAL.maxLagS && lag < len; lag += 1) {
      let c = 0;
      for (let i = 0; i + lag < len; i += 1) c += x[i]! * x[i + lag]!;
      if (c / c0 > cyclicity) cyclicity = c / c0;
    }
    if (cyclicity === -Infinity) cyclicity = 0;
  }
  const bandRms = Math.sqrt(c0 / nValid);
  return [
    Math.log(bandRms + SIGNAL.floorBpm),
    cyclicity,
    Math.log(Math.sqrt(sumSlow2 / nValid) + SIGNAL.floorBpm),
    Math.log(Math.sqrt(sumFast2 / nValid) + SIGNAL.floorBpm),
    ...spectralFeatures(st.hr, st.fast, k, st.last),
  ];
}

export function pushToMinuteFeatures(
  st: MinuteFeatureState,
  m: number,
  band: number,
  fast: number,
  slow: number,
  valid: boolean,
  hrBpm: number,
  s: HrApneaSettings,
  sink: FeatureSink,
): void {
  ringSet(st.band, m, band);
  ringSet(st.fast, m, fast);
  ringSet(st.slow, m, slow);
  ringSet(st.valid, m, valid ? 1 : 0);
  ringSet(st.hr, m, hrBpm);
  st.last = m;
  // Minute k is due once its spectral window's last sample (60k + 179) is in.
  for (; 60 * st.nextMinute + DUE_AFTER_S <= m; st.nextMinute += 1) sink(st.nextMinute, compute(st, st.nextMinute, s));
}

/** End of stream: computes the remaining minutes (up to the last sample) with truncated windows. */
export function flushMinuteFeatures(st: MinuteFeatureState, s: HrApneaSettings, sink: FeatureSink): void {
  for (; 60 * st.nextMinute <= st.last; st.nextMinute += 1) sink(st.nextMinute, compute(st, st.nextMinute, s));
}
