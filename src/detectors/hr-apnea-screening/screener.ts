import type { Reading } from '../../core/reading.js';
import { createBandSplit, flushBandSplit, pushToBandSplit, type BandSplitState } from './band-split.js';
import { createBeatFilter, flushBeatFilter, pushBeatToFilter, type BeatFilterState } from './beat-filter.js';
import { createClassifier, flushClassifier, pushToClassifier, type ClassifierState, type MinuteResult } from './minute-classifier.js';
import { nightClassOf, nightTerms, secondStageScores, storedScore } from './night-stage.js';
import { createMinuteFeatures, flushMinuteFeatures, pushToMinuteFeatures, type MinuteFeatureState } from './minute-features.js';
import { createResampler, flushResampler, pushToResampler, type ResamplerState } from './resampler.js';
import { hrApneaDefaults, type HrApneaSettings } from './settings.js';

/**
 * The streaming core: beats (or heart-rate readings) in, final per-minute flags out, one night
 * per state. Stages, each O(1) amortised per beat with bounded buffers:
 *
 *   beat filter (artefacts, 3-beat look-ahead) -> 1 Hz grid -> band split (150 s lag)
 *   -> per-minute features (3- and 5-minute windows) -> minute classifier (+-4 minutes) -> flags
 *
 * Lag: minute k's flag is emitted by the first accepted beat after originS + 60k + 569.5 s, once
 * three more plausible beats have arrived: the flag waits for the features of minute k + 4
 * (averaging), whose 5-minute spectral window ends at 60(k+4) + 179 s, plus the 150 s lag of the
 * band split. That is about 8.5 minutes after the minute ends. Those flags are stage 1's, provisional:
 * `finishNight` flushes the rest with truncated windows, then runs the night-level stage
 * (night-stage.ts) over the night's stage-1 scores, which may revise any minute's flag and decides
 * the night's class. That end-of-night pass is the only place where the streaming screener does
 * something a minute-by-minute one could not; whole-night scoring (tools/screener) gives the same
 * final flags and class (tests/unit/detectors/hr-apnea-screening-fit.test.ts).
 *
 * The state is plain JSON (numbers, arrays, strings), so it can be snapshotted with
 * JSON.stringify and restored with JSON.parse. It is updated in place: copying ~3,600 buffered
 * numbers per beat to keep it immutable would make every beat cost a full copy for nothing.
 * Memory: fixed buffers of ~5,300 numbers (the filters' and the features' 1 Hz samples; measured
 * by tests/unit/detectors/hr-apnea-screening-fit.test.ts) plus, per minute of the night (at most
 * maxMinutes), one character and one stage-1 score (4 decimals). Cost: see bench/ (`--only detectors`).
 */
/**
 * The state's layout version. 2 (issue 18): the feature stage keeps the 1 Hz heart rate and a
 * 5-minute window. A state of another version (a snapshot from before an upgrade) cannot be
 * continued: `isCurrentHrApneaState` says so, and the sleep report starts the screener afresh.
 * 3 (issue 18): the per-minute stage-1 scores for the end-of-night stage.
 */
export const HR_APNEA_STATE_VERSION = 3;

export interface HrApneaState {
  readonly version: typeof HR_APNEA_STATE_VERSION;
  beats: BeatFilterState;
  grid: ResamplerState;
  split: BandSplitState;
  features: MinuteFeatureState;
  classifier: ClassifierState;
  /**
   * One character per minute: 'A', 'N', or '-' (not analysable; reported as N). Stage 1's
   * provisional flags until `finishNight`, the night-level stage's final ones after.
   */
  codes: string;
  /** Stage-1 score of each minute (storedScore), null where not analysed: the night-level stage's input. */
  scores: (number | null)[];
  /** The night's class once finished (night-stage.ts), null before. */
  nightClass: NightClass | null;
  /** Latest in-range beat time (accepted or not): the night ends at the end of its minute. */
  lastTS: number | null;
  /** Beats before originS or after originS + maxMinutes minutes. */
  beatsIgnored: number;
  finished: boolean;
}

export type NightClass = 'A' | 'B' | 'C';

export interface NightSummary {
  /** One flag per minute from originS; minutes without enough signal are N. */
  readonly minutes: ('A' | 'N')[];
  readonly cls: NightClass;
  readonly apneaMinutes: number;
  readonly minutesAnalysed: number;
  /** Minutes with too little valid signal (artefacts, gaps) to be judged. */
  readonly minutesRejected: number;
  readonly beatsTotal: number;
  /** Beats rejected as artefacts (implausible RR, jump from the local median, out of order). */
  readonly beatsRejected: number;
  readonly beatsIgnored: number;
}

export function resolveHrApneaSettings(partial: Partial<HrApneaSettings> = {}): HrApneaSettings {
  return { ...hrApneaDefaults, ...partial };
}

export function createHrApneaState(): HrApneaState {
  return {
    version: HR_APNEA_STATE_VERSION,
    beats: createBeatFilter(),
    grid: createResampler(),
    split: createBandSplit(),
    features: createMinuteFeatures(),
    classifier: createClassifier(),
    codes: '',
    scores: [],
    nightClass: null,
    lastTS: null,
    beatsIgnored: 0,
    finished: false,
  };
}

/** Whether a (restored) state has this code's layout; anything else must not be fed. */
export function isCurrentHrApneaState(st: unknown): st is HrApneaState {
  return typeof st === 'object' && st !== null && (st as { version?: unknown }).version === HR_APNEA_STATE_VERSION;
}

/** The expert rule of the Apnea-ECG classes from a count of apnea minutes (what the fit scores against). */
export function classifyNight(apneaMinutes: number, s: HrApneaSettings = hrApneaDefaults): NightClass {
  if (apneaMinutes >= s.classAMinMinutes) return 'A';
  return apneaMinutes >= s.classBMinMinutes ? 'B' : 'C';
}

const NO_MINUTES: readonly MinuteResult[] = Object.freeze([]);

/** The chain below the beat filter, writing final minutes into `out` and `state.codes`. */
function sinks(st: HrApneaState, s: HrApneaSettings, out: MinuteResult[]) {
  const onResult = (r: MinuteResult): void => {
    st.codes += r.analysed ? r.flag : '-';
    st.scores.push(r.score === null ? null : storedScore(r.score));
    out.push(r);
  };
  const onFeatures = (k: number, f: readonly number[] | null): void => pushToClassifier(st.classifier, k, f, s, onResult);
  const onComponents = (m: number, band: number, fast: number, slow: number, valid: boolean, hr: number): void =>
    pushToMinuteFeatures(st.features, m, band, fast, slow, valid, hr, s, onFeatures);
  const onSample = (_n: number, hr: number, valid: boolean): void => pushToBandSplit(st.split, hr, valid, onComponents);
  const onBeat = (tS: number, hr: number): void => pushToResampler(st.grid, tS, hr, s, onSample);
  return { onBeat, onSample, onComponents, onFeatures, onResult };
}

/**
 * Feeds one beat (time in seconds, instantaneous heart rate in bpm). Returns the minutes that
 * became final with it, usually none; each minute is returned exactly once, in order.
 */
export function pushBeat(st: HrApneaState, tS: number, hrBpm: number, s: HrApneaSettings = hrApneaDefaults): readonly MinuteResult[] {
  if (st.finished) return NO_MINUTES;
  if (tS < s.originS || tS >= s.originS + s.maxMinutes * 60) {
    st.beatsIgnored += 1;
    return NO_MINUTES;
  }
  if (Number.isFinite(tS) && (st.lastTS === null || tS > st.lastTS)) st.lastTS = tS;
  const out: MinuteResult[] = [];
  pushBeatToFilter(st.beats, tS, hrBpm, s, sinks(st, s, out).onBeat);
  return out.length > 0 ? out : NO_MINUTES;
}

/**
 * After a wall-clock step of `deltaS` seconds (the sleep report's rebase): the beat times the
 * screener holds move with the clock, so the next beat is neither "out of order" (a step back) nor
 * an hour after the last (a step forward). Minutes count from `originS`, which the caller moves by
 * the same amount. In place, like pushBeat.
 */
export function rebaseHrApneaState(st: HrApneaState, deltaS: number): void {
  if (st.lastTS !== null) st.lastTS += deltaS;
  if (st.beats.lastTS !== null) st.beats.lastTS += deltaS;
  for (const p of st.beats.pending) p[0] = p[0]! + deltaS;
  if (st.grid.lastTS !== null) st.grid.lastTS += deltaS;
}

/**
 * The daemon's entry point: feeds a `heartRateBpm` reading (ts in ms since the epoch; set
 * settings.originS to the night's start in epoch seconds). Other metrics are ignored.
 */
export function pushHeartRateReading(st: HrApneaState, reading: Reading, s: HrApneaSettings = hrApneaDefaults): readonly MinuteResult[] {
  if (reading.metric !== 'heartRateBpm' || typeof reading.value !== 'number') return NO_MINUTES;
  return pushBeat(st, reading.ts / 1000, reading.value, s);
}

/**
 * Summary of the minutes scored so far: after `finishNight`, the night's final flags and class; before,
 * stage 1's provisional flags and the class the night-level rule gives the night so far.
 */
export function summarise(st: HrApneaState, s: HrApneaSettings = hrApneaDefaults): NightSummary {
  const minutes: ('A' | 'N')[] = [];
  let apnea = 0;
  let rejected = 0;
  for (const c of st.codes) {
    minutes.push(c === 'A' ? 'A' : 'N');
    if (c === 'A') apnea += 1;
    if (c === '-') rejected += 1;
  }
  const analysed = minutes.length - rejected;
  return {
    minutes,
    cls: st.nightClass ?? (analysed === 0 ? 'C' : nightClassOf(nightTerms(st.scores).classScore, s)),
    apneaMinutes: apnea,
    minutesAnalysed: minutes.length - rejected,
    minutesRejected: rejected,
    beatsTotal: st.beats.beatsIn + st.beatsIgnored,
    beatsRejected: st.beats.beatsRejected,
    beatsIgnored: st.beatsIgnored,
  };
}

/**
 * Ends the night: flushes every stage with truncated windows up to the end of the minute of the
 * last beat, and returns the remaining final minutes. Later pushes are ignored.
 */
export function finishNight(st: HrApneaState, s: HrApneaSettings = hrApneaDefaults): readonly MinuteResult[] {
  if (st.finished) return NO_MINUTES;
  st.finished = true;
  if (st.lastTS === null) return NO_MINUTES;
  const out: MinuteResult[] = [];
  const k = sinks(st, s, out);
  flushBeatFilter(st.beats, s, k.onBeat);
  const lastMinute = Math.floor((st.lastTS - s.originS) / 60);
  flushResampler(st.grid, 60 * (lastMinute + 1), k.onSample);
  flushBandSplit(st.split, k.onComponents);
  flushMinuteFeatures(st.features, s, k.onFeatures);
  flushClassifier(st.classifier, s, k.onResult);
  reviseNight(st, s);
  return out;
}

/** The end-of-night revision: final flags and class from the night-level stage (night-stage.ts). */
function reviseNight(st: HrApneaState, s: HrApneaSettings): void {
  const terms = nightTerms(st.scores);
  const final = secondStageScores(st.scores, s, terms);
  st.codes = final.map((z) => (z === null ? '-' : z > 0 ? 'A' : 'N')).join('');
  st.nightClass = terms.analysed === 0 ? 'C' : nightClassOf(terms.classScore, s);
}

export interface Beat {
  readonly tS: number;
  readonly hrBpm: number;
}

export interface SeriesResult extends NightSummary {
  /** Every minute with its score and features, in order. */
  readonly detail: readonly MinuteResult[];
}

/** Offline screening of a whole series through the same streaming core the daemon uses. */
export function screenSeries(beats: Iterable<Beat>, settings: Partial<HrApneaSettings> = {}): SeriesResult {
  const s = resolveHrApneaSettings(settings);
  const st = createHrApneaState();
  const detail: MinuteResult[] = [];
  for (const b of beats) for (const r of pushBeat(st, b.tS, b.hrBpm, s)) detail.push(r);
  for (const r of finishNight(st, s)) detail.push(r);
  return { ...summarise(st, s), detail };
}
