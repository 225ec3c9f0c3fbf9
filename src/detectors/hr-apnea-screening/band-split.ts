import { createRing, ringGet, ringSet, type Ring } from './ring.js';
import { SIGNAL } from './settings.js';

/**
 * Splits the 1 Hz heart rate into three components with centred moving averages (MA):
 *
 *   band = MA9(hr - MA101(hr))   cycles of ~10-100 s: where the CVHR of apnea lives
 *   fast = hr - MA9(hr)          faster than ~10 s: respiratory sinus arrhythmia and beat jitter
 *   slow = MA101(hr) - MA301(hr) 100-300 s swings: sleep-stage changes, arousals, movement
 *
 * Moving averages are crude band filters, but they are exact to stream with prefix sums
 * (O(1) per sample) and have no phase lag beyond their half-width; the features downstream use
 * amplitudes, so the sidelobes matter little (measured: baselines of 80-130 s and smoothers of
 * 5-13 s change the cross-validated accuracy by about a point at most, see README).
 *
 * Lag: sample m is emitted when sample m + 150 arrives (half of the 301 s trend window).
 * Near the start and at flush the windows are truncated to the samples that exist.
 */
const H_BASE = (SIGNAL.baselineS - 1) / 2;
const H_FAST = (SIGNAL.fastS - 1) / 2;
const H_TREND = (SIGNAL.trendS - 1) / 2;
/** Holds more than the 2 * H_TREND + 2 samples the longest window spans. */
const CAPACITY = 512;

export const BAND_SPLIT_LAG_S = H_TREND;

export interface BandSplitState {
  /** Number of samples taken in. */
  count: number;
  /** Next sample whose baseline is computed, and next sample to emit. */
  nextBase: number;
  nextEmit: number;
  hr: Ring;
  valid: Ring;
  /** Prefix sums of hr, and of (hr - baseline). */
  sumHr: Ring;
  sumDetrended: Ring;
  base: Ring;
}

export function createBandSplit(): BandSplitState {
  return {
    count: 0,
    nextBase: 0,
    nextEmit: 0,
    hr: createRing(CAPACITY),
    valid: createRing(CAPACITY),
    sumHr: createRing(CAPACITY),
    sumDetrended: createRing(CAPACITY),
    base: createRing(CAPACITY),
  };
}

/** Sample m's components, with its 1 Hz heart rate itself (the spectral features take it whole). */
export type ComponentSink = (m: number, band: number, fast: number, slow: number, valid: boolean, hrBpm: number) => void;

/** Mean of x[i-h .. i+h] clipped to [0, last], from the prefix-sum ring. */
function windowMean(prefix: Ring, i: number, h: number, last: number): number {
  const lo = Math.max(0, i - h);
  const hi = Math.min(last, i + h);
  const sum = ringGet(prefix, hi) - (lo > 0 ? ringGet(prefix, lo - 1) : 0);
  return sum / (hi - lo + 1);
}

function computeBase(st: BandSplitState, j: number, last: number): void {
  const b = windowMean(st.sumHr, j, H_BASE, last);
  ringSet(st.base, j, b);
  const prev = j > 0 ? ringGet(st.sumDetrended, j - 1) : 0;
  ringSet(st.sumDetrended, j, prev + ringGet(st.hr, j) - b);
}

function emit(st: BandSplitState, m: number, lastHr: number, lastDetrended: number, sink: ComponentSink): void {
  const band = windowMean(st.sumDetrended, m, H_FAST, lastDetrended);
  const fast = ringGet(st.hr, m) - windowMean(st.sumHr, m, H_FAST, lastHr);
  const slow = ringGet(st.base, m) - windowMean(st.sumHr, m, H_TREND, lastHr);
  sink(m, band, fast, slow, ringGet(st.valid, m) === 1, ringGet(st.hr, m));
}

export function pushToBandSplit(st: BandSplitState, hrBpm: number, valid: boolean, sink: ComponentSink): void {
  const n = st.count;
  ringSet(st.hr, n, hrBpm);
  ringSet(st.valid, n, valid ? 1 : 0);
  ringSet(st.sumHr, n, (n > 0 ? ringGet(st.sumHr, n - 1) : 0) + hrBpm);
  st.count = n + 1;
  // The baseline of sample n - H_BASE has its full window now.
  for (; st.nextBase <= n - H_BASE; st.nextBase += 1) computeBase(st, st.nextBase, n);
  // Sample n - H_TREND has its full trend window, and its band window (m + H_FAST) has baselines.
  for (; st.nextEmit <= n - H_TREND; st.nextEmit += 1) emit(st, st.nextEmit, n, st.nextBase - 1, sink);
}

/** End of stream: finishes every sample with windows truncated at the last sample. */
export function flushBandSplit(st: BandSplitState, sink: ComponentSink): void {
  const last = st.count - 1;
  if (last < 0) return;
  for (; st.nextBase <= last; st.nextBase += 1) computeBase(st, st.nextBase, last);
  for (; st.nextEmit <= last; st.nextEmit += 1) emit(st, st.nextEmit, last, last, sink);
}
