import { ringGet, type Ring } from './ring.js';
import { SIGNAL } from './settings.js';

/**
 * Features of the raw 1 Hz heart rate around a minute that the band split's amplitudes miss (issue 18):
 *
 *   cvhrShare    share of the heart rate's power (0.005-0.5 Hz) in 0.01-0.05 Hz, 5-minute window: the
 *                20-100 s cycles of apnea-arousal sequences stand out as a peak there even when their
 *                depth in bpm is small (a blunted response), because the rest of the night's
 *                variability spreads over other frequencies. The classic very-low-frequency band of
 *                CVHR (Guilleminault 1984; Penzel et al. 2002: the best heart-rate entries of the
 *                Challenge 2000 used it).
 *   specEntropy  normalised spectral entropy over 0.005-0.1 Hz: low when the power sits in one
 *                peak (a regular apnea rhythm), high when it is spread (wake, movement, noise).
 *   lfShare      share of the power in 0.05-0.15 Hz (cycles of 7-20 s: Mayer waves, periodic
 *                breathing faster than apnea, movement), which argues against apnea.
 *   lnSurge      ln(1 + the 95th percentile of 10-second rises of the heart rate smoothed over 9 s),
 *                3-minute window: the tachycardia at the end of each apnea rises within a few beats
 *                (the arousal) and holds for several, while the bradycardia builds slowly; a steep
 *                rise that recurs is the CVHR's shape. Smoothed first (hr - fast = MA9(hr)): the
 *                respiratory sinus arrhythmia swings a few bpm within every breath and, unsmoothed,
 *                would read as surges all night in a healthy sleeper.
 *
 * Pooled over the learning set's analysed minutes, the AUC for apnea of cvhrShare is 0.86 and of
 * lnSurge 0.77, against 0.77 for lnBandRms (prototype, tools/screener/README.md). Cost per minute: a direct
 * DFT of the 46 bins up to 0.15 Hz over 300 samples (~14,000 multiply-adds, cosine table shared; the
 * total power by Parseval) and a sort of 170 numbers: about 250 operations per 1 Hz sample, no
 * allocation beyond scratch arrays (and one subarray view).
 */
export const SPECTRAL_FEATURE_NAMES = ['cvhrShare', 'specEntropy', 'lfShare', 'lnSurge'] as const;

/** Window of the spectrum: 300 s centred on the minute, [60k - 120, 60k + 180). */
export const SPECTRUM_BEFORE_S = 120;
export const SPECTRUM_AFTER_S = 180;
const N = SPECTRUM_BEFORE_S + SPECTRUM_AFTER_S;
/** Bin b is b / N Hz: 0.005 Hz is bin 1.5, 0.01 bin 3, 0.05 bin 15, 0.1 bin 30, 0.15 bin 45, 0.5 bin 150. */
const TOTAL_LO = 2;
const CVHR_LO = 3;
const CVHR_HI = 15;
const LF_HI = 45;
const ENTROPY_HI = 30;
/** Rise measured over this many seconds for lnSurge. */
const RISE_S = 10;

const COS = Array.from({ length: N }, (_, i) => Math.cos((2 * Math.PI * i) / N));
const SIN = Array.from({ length: N }, (_, i) => Math.sin((2 * Math.PI * i) / N));
// Scratch buffers (the screener is synchronous, one call at a time): no array allocated per minute.
const seg = new Float64Array(N);
const power = new Float64Array(LF_HI + 1);
const rises = new Float64Array(N);

/**
 * Spectral shares and entropy of hr[lo..hi] (inclusive, at most N samples, read from the ring), zero
 * padded to N: linear trend removed, Hann window of the segment's own length. Returns
 * [cvhrShare, specEntropy, lfShare].
 */
function spectrum(hr: Ring, lo: number, hi: number): [number, number, number] {
  const len = hi - lo + 1;
  // Least-squares line through the segment (t centred, so slope and mean are independent).
  const tMid = (len - 1) / 2;
  let sy = 0;
  let sty = 0;
  let stt = 0;
  for (let i = 0; i < len; i += 1) {
    const y = ringGet(hr, lo + i);
    sy += y;
    sty += (i - tMid) * y;
    stt += (i - tMid) ** 2;
  }
  const mean = sy / len;
  const slope = stt > 0 ? sty / stt : 0;
  for (let i = 0; i < N; i += 1) {
    if (i >= len) { seg[i] = 0; continue; }
    const hann = len > 1 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1)) : 1;
    seg[i] = (ringGet(hr, lo + i) - mean - slope * (i - tMid)) * hann;
  }
  // Only the bins up to 0.15 Hz are needed one by one; the total up to 0.5 Hz comes from Parseval
  // (sum over all N bins of |X|^2 = N * sum of x^2, and |X_b| = |X_(N-b)| for a real signal), which
  // makes the cost ~14,000 multiply-adds per minute instead of ~45,000.
  let energy = 0;
  let nyquist = 0;
  for (let i = 0; i < len; i += 1) {
    energy += seg[i]! * seg[i]!;
    nyquist += i % 2 === 0 ? seg[i]! : -seg[i]!;
  }
  for (let b = 0; b <= LF_HI; b += 1) {
    let re = 0;
    let im = 0;
    for (let i = 0, idx = 0; i < len; i += 1) {
      re += seg[i]! * COS[idx]!;
      im -= seg[i]! * SIN[idx]!;
      idx += b;
      if (idx >= N) idx -= N; // (i * b) mod N without a division
    }
    power[b] = re * re + im * im;
  }
  // Bins TOTAL_LO (2) .. N/2: (N * energy - |X_0|^2 + |X_N/2|^2) / 2 - |X_1|^2.
  const total = (N * energy - power[0]! + nyquist * nyquist) / 2 - power[1]!;
  if (!(total > 0)) return [0, 1, 0];
  let cvhr = 0;
  let lf = 0;
  let entropySum = 0;
  for (let b = CVHR_LO; b <= CVHR_HI; b += 1) cvhr += power[b]!;
  for (let b = CVHR_HI + 1; b <= LF_HI; b += 1) lf += power[b]!;
  for (let b = TOTAL_LO; b <= ENTROPY_HI; b += 1) entropySum += power[b]!;
  let entropy = 1;
  if (entropySum > 0) {
    let h = 0;
    for (let b = TOTAL_LO; b <= ENTROPY_HI; b += 1) {
      const q = power[b]! / entropySum;
      if (q > 0) h -= q * Math.log(q);
    }
    entropy = h / Math.log(ENTROPY_HI - TOTAL_LO + 1);
  }
  return [cvhr / total, entropy, lf / total];
}

/** ln(1 + 95th percentile of v[t + 10] - v[t]) over v = hr - fast on [lo..hi]; 0 when the window is shorter than 10 s. */
function lnSurge(hr: Ring, fast: Ring, lo: number, hi: number): number {
  const n = hi - lo + 1 - RISE_S;
  if (n <= 0) return 0;
  const v = (i: number): number => ringGet(hr, i) - ringGet(fast, i);
  for (let i = 0; i < n; i += 1) rises[i] = v(lo + i + RISE_S) - v(lo + i);
  // A typed array sorts numerically in place (the subarray is a view, not a copy).
  const sorted = rises.subarray(0, n).sort();
  // Linear interpolation between order statistics (numpy's default percentile).
  const pos = 0.95 * (n - 1);
  const i0 = Math.floor(pos);
  const p95 = sorted[i0]! + (pos - i0) * (sorted[Math.min(i0 + 1, n - 1)]! - sorted[i0]!);
  return Math.log(1 + Math.max(0, p95));
}

/**
 * The four features of minute k from the 1 Hz heart rate in `hr` and its fast component in `fast`
 * (band-split.ts; samples 0..last exist); windows are truncated at the start and end of the night.
 * [cvhrShare, specEntropy, lfShare, lnSurge].
 */
export function spectralFeatures(hr: Ring, fast: Ring, k: number, last: number): number[] {
  const [cvhr, entropy, lf] = spectrum(hr, Math.max(0, 60 * k - SPECTRUM_BEFORE_S), Math.min(last, 60 * k + SPECTRUM_AFTER_S - 1));
  const surge = lnSurge(hr, fast, Math.max(0, 60 * k - SIGNAL.contextS), Math.min(last, 60 * k + 59 + SIGNAL.contextS));
  return [cvhr, entropy, lf, surge];
}
