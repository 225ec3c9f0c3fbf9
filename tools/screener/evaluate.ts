import {
  classifyNight, nightClassOf, nightTerms, resolveHrApneaSettings, screenSeries, secondStageScores,
  type Beat, type HrApneaSettings, type NightClass,
} from '../../src/detectors/hr-apnea-screening/index.js';
import { fitLogistic, type LinearModel } from './fit-logistic.js';
import { fitNightClassCutoffs, fitSecondStage, stageOneScores, type NightClassCutoffs, type NightInput } from './night-fit.js';

/**
 * Fits and measures the screening against expert minute labels (Apnea-ECG `.apn.txt`), pure: the
 * caller reads the files. Research code: the daemon never loads it (issue 14).
 *
 * - Whole-night scoring (`averagedFeatures`, `scoreNight`): the per-minute features of a night,
 *   averaged at each context scale with prefix sums over the whole night, then the linear score. This
 *   is what the fit trains on; the daemon's streaming classifier (minute-classifier.ts) computes the
 *   same averages as the night goes. `evaluateScreening` counts the minutes where the two differ.
 * - training: the given settings (the shipped weights) on every record, through the streaming
 *   `screenSeries`;
 * - leave-one-record-out (LORO): for each record, the weights are refitted on the other 34 records
 *   and the held-out record is scored with them. The estimate for unseen nights, and the headline.
 *
 * Minutes are compared over the label length; a minute without a flag counts as N.
 */
export interface LabelledRecord {
  readonly name: string;
  readonly beats: readonly Beat[];
  /** One letter per minute, 'A' or 'N'. */
  readonly labels: string;
}

export interface RecordScore {
  readonly name: string;
  /** Labelled minutes (what accuracy counts), and minutes the screener produced. */
  readonly minutes: number;
  readonly screenedMinutes: number;
  readonly trueApneaMinutes: number;
  readonly predictedApneaMinutes: number;
  readonly trueClass: NightClass;
  readonly predictedClass: NightClass;
  readonly minutesRejected: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface Metrics {
  readonly accuracy: number;
  readonly sensitivity: number;
  readonly specificity: number;
  readonly minutes: number;
  readonly recordsCorrect: number;
  readonly records: number;
  /** A records not called C and C records not called A (the screening's essential split). */
  readonly aVersusCCorrect: number;
  readonly aOrCRecords: number;
}

export interface Evaluation {
  readonly perRecord: RecordScore[];
  readonly metrics: Metrics;
}

type Flag = 'A' | 'N';

export function scoreRecord(name: string, labels: string, flags: readonly Flag[], predictedClass: NightClass, rejected: number, s: HrApneaSettings): RecordScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let trueA = 0;
  for (let k = 0; k < labels.length; k += 1) {
    const t = labels[k] === 'A';
    const p = flags[k] === 'A';
    if (t) trueA += 1;
    if (t && p) tp += 1;
    else if (!t && p) fp += 1;
    else if (t && !p) fn += 1;
    else tn += 1;
  }
  // The expert class by the Apnea-ECG rule; the predicted one is the screener's night-level decision.
  const predA = flags.filter((f) => f === 'A').length;
  return {
    name, minutes: labels.length, screenedMinutes: flags.length, trueApneaMinutes: trueA, predictedApneaMinutes: predA,
    trueClass: classifyNight(trueA, s), predictedClass, minutesRejected: rejected, tp, fp, fn, tn,
  };
}

export function summariseScores(perRecord: readonly RecordScore[]): Metrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let correct = 0;
  let ac = 0;
  let acN = 0;
  for (const r of perRecord) {
    tp += r.tp;
    fp += r.fp;
    fn += r.fn;
    tn += r.tn;
    if (r.trueClass === r.predictedClass) correct += 1;
    if (r.trueClass !== 'B') {
      acN += 1;
      if ((r.trueClass === 'A' && r.predictedClass !== 'C') || (r.trueClass === 'C' && r.predictedClass !== 'A')) ac += 1;
    }
  }
  const n = tp + fp + fn + tn;
  return {
    accuracy: (tp + tn) / n, sensitivity: tp / (tp + fn), specificity: tn / (tn + fp), minutes: n,
    recordsCorrect: correct, records: perRecord.length, aVersusCCorrect: ac, aOrCRecords: acN,
  };
}

/**
 * Whole-night averages: for each analysed minute k and each h in `contextMinutes`, the mean of the
 * analysed minutes' features in [k - h, k + h] (clipped to the night), blocks concatenated in the
 * order of contextMinutes. null for a minute that was not analysed.
 */
export function averagedFeatures(features: readonly (readonly number[] | null)[], contextMinutes: readonly number[]): (number[] | null)[] {
  const n = features.length;
  const d = features.find((f) => f !== null)?.length ?? 0;
  // prefix[k * d + i]: sum of feature i over analysed minutes < k; count[k]: how many.
  const prefix = new Float64Array((n + 1) * d);
  const count = new Int32Array(n + 1);
  for (let k = 0; k < n; k += 1) {
    const f = features[k];
    count[k + 1] = count[k]! + (f ? 1 : 0);
    for (let i = 0; i < d; i += 1) prefix[(k + 1) * d + i] = prefix[k * d + i]! + (f ? f[i]! : 0);
  }
  return features.map((f, k) => {
    if (f === null) return null;
    const out: number[] = [];
    for (const h of contextMinutes) {
      const lo = Math.max(0, k - h);
      const hi = Math.min(n - 1, k + h) + 1;
      const c = count[hi]! - count[lo]!;
      for (let i = 0; i < d; i += 1) out.push((prefix[hi * d + i]! - prefix[lo * d + i]!) / c);
    }
    return out;
  });
}

const linear = (x: readonly number[], m: LinearModel): number => {
  let z = m.bias;
  for (let i = 0; i < x.length; i += 1) z += (m.weights[i] ?? 0) * x[i]!;
  return z;
};

/** Whole-night scoring of one night's per-minute features with a model. */
export function scoreNight(averaged: readonly (readonly number[] | null)[], model: LinearModel): Flag[] {
  return averaged.map((x) => (x !== null && linear(x, model) > 0 ? 'A' : 'N'));
}

export interface Screened {
  readonly record: LabelledRecord;
  /** The streaming screener's final flags (with the settings' weights), one per minute, and its night class. */
  readonly flags: Flag[];
  readonly cls: NightClass;
  /** Stage 1's provisional flags, as emitted during the night (before the end-of-night revision). */
  readonly provisional: Flag[];
  readonly rejected: number;
  /** Whole-night averaged features per minute (null when not analysed): what the stage-1 fit trains on. */
  readonly averaged: (number[] | null)[];
}

/** Runs every record through the streaming screener once (features do not depend on the weights). */
export function screenAll(records: readonly LabelledRecord[], s: HrApneaSettings): Screened[] {
  return records.map((record) => {
    const r = screenSeries(record.beats, s);
    return { record, flags: r.minutes, cls: r.cls, provisional: r.detail.map((m) => m.flag), rejected: r.minutesRejected, averaged: averagedFeatures(r.detail.map((m) => m.features), s.contextMinutes) };
  });
}

/** Fits stage-1 weights on the analysed, labelled minutes of the given screened records. */
export function fitOn(screened: readonly Screened[], start?: LinearModel): LinearModel {
  const x: (readonly number[])[] = [];
  const y: boolean[] = [];
  for (const sc of screened) {
    const n = Math.min(sc.averaged.length, sc.record.labels.length);
    for (let k = 0; k < n; k += 1) {
      const f = sc.averaged[k];
      if (f === null || f === undefined) continue;
      x.push(f);
      y.push(sc.record.labels[k] === 'A');
    }
  }
  return fitLogistic(x, y, undefined, undefined, start);
}

/** Rounded as shipped (src/detectors/hr-apnea-screening/shipped-weights.ts): 4 decimals. */
export function roundModel(m: LinearModel): LinearModel {
  const r = (v: number): number => Math.round(v * 1e4) / 1e4 + 0; // + 0: no -0 in the printed source
  return { weights: m.weights.map(r), bias: r(m.bias) };
}

/** What the fit ships: stage 1, the end-of-night stage 2 and the night-class cut-offs. */
export interface ScreenerModel {
  readonly stage1: LinearModel;
  readonly stage2: LinearModel;
  readonly cutoffs: NightClassCutoffs;
}

/** Whole-night scoring of a night with a model: final flags and class (the daemon's streaming result, computed another way). */
export function scoreWholeNight(averaged: readonly (readonly number[] | null)[], m: ScreenerModel, s: HrApneaSettings): { flags: Flag[]; cls: NightClass } {
  const scores = stageOneScores(averaged, m.stage1);
  const withModel: HrApneaSettings = { ...s, secondStageWeights: m.stage2.weights, secondStageBias: m.stage2.bias, nightClassCutoffs: m.cutoffs };
  const terms = nightTerms(scores);
  const flags = secondStageScores(scores, withModel, terms).map((z): Flag => (z !== null && z > 0 ? 'A' : 'N'));
  return { flags, cls: terms.analysed === 0 ? 'C' : nightClassOf(terms.classScore, withModel) };
}

export interface FullEvaluation {
  /** The model fitted on all records, rounded as shipped. */
  readonly fitted: ScreenerModel;
  readonly training: Evaluation;
  readonly crossValidated: Evaluation;
  /** The models of each leave-one-record-out fold, in record order (to see how stable they are). */
  readonly foldModels: ScreenerModel[];
  /** Minutes (and night classes) where the streaming screener (shipped weights) and whole-night scoring disagree. */
  readonly streamBatchDifferences: number;
  readonly streamBatchClassDifferences: number;
  /** Minutes where stage 1 streaming (the provisional flags) and stage 1 whole-night disagree. */
  readonly provisionalDifferences: number;
  /** Minutes the end-of-night revision changed (final flag differs from the provisional one). */
  readonly revisedMinutes: number;
}

/**
 * Stage 1 is fitted on the minutes, stage 2 and the class cut-offs on stage-1 scores of nights that
 * stage 1 was not fitted on. Shipped: stage 1 on all 35; stage 2 and the cut-offs on the 35 nights'
 * leave-one-record-out stage-1 scores. Leave-one-record-out of the whole: for held-out record i, stage
 * 1 on the other 34, and stage 2 and the cut-offs on the other 34 nights' stage-1 scores from fits
 * without both i and that night (595 pair fits, each started from the fit on all records): the
 * held-out night touches no number it is scored with.
 */
export function evaluateScreening(records: readonly LabelledRecord[], settings: Partial<HrApneaSettings> = {}): FullEvaluation {
  const s = resolveHrApneaSettings(settings);
  const screened = screenAll(records, s);
  const n = screened.length;
  const full = fitOn(screened);
  const without = (skip: readonly number[]): LinearModel => fitOn(screened.filter((_, j) => !skip.includes(j)), full);
  const stage1Fold = screened.map((_, i) => without([i]));
  const pair = new Map<number, LinearModel>();
  const pairModel = (i: number, j: number): LinearModel => {
    const key = Math.min(i, j) * n + Math.max(i, j);
    if (!pair.has(key)) pair.set(key, without([i, j]));
    return pair.get(key)!;
  };
  const night = (j: number, m: LinearModel): NightInput => ({ scores: stageOneScores(screened[j]!.averaged, m), labels: screened[j]!.record.labels });
  const fitNight = (nights: readonly NightInput[], stage1: LinearModel): ScreenerModel => ({
    stage1, stage2: roundModel(fitSecondStage(nights, s)), cutoffs: fitNightClassCutoffs(nights, s),
  });

  const looNights = screened.map((_, j) => night(j, stage1Fold[j]!));
  const fitted = fitNight(looNights, roundModel(full));
  const foldModels: ScreenerModel[] = [];
  const cv = screened.map((held, i) => {
    const inner = screened.map((_, j) => j).filter((j) => j !== i).map((j) => night(j, pairModel(i, j)));
    const model = fitNight(inner, stage1Fold[i]!);
    foldModels.push(model);
    const r = scoreWholeNight(held.averaged, model, s);
    return scoreRecord(held.record.name, held.record.labels, r.flags, r.cls, held.rejected, s);
  });

  const training = screened.map((sc) => scoreRecord(sc.record.name, sc.record.labels, sc.flags, sc.cls, sc.rejected, s));
  const shipped: ScreenerModel = { stage1: { weights: [...s.weights], bias: s.bias }, stage2: { weights: [...s.secondStageWeights], bias: s.secondStageBias }, cutoffs: s.nightClassCutoffs };
  let streamBatchDifferences = 0;
  let streamBatchClassDifferences = 0;
  let provisionalDifferences = 0;
  let revisedMinutes = 0;
  for (const sc of screened) {
    const stage1 = scoreNight(sc.averaged, shipped.stage1);
    stage1.forEach((f, k) => { if (f !== sc.provisional[k]) provisionalDifferences += 1; });
    provisionalDifferences += Math.abs(stage1.length - sc.provisional.length);
    sc.provisional.forEach((f, k) => { if (f !== sc.flags[k]) revisedMinutes += 1; });
    const batch = scoreWholeNight(sc.averaged, shipped, s);
    batch.flags.forEach((f, k) => { if (f !== sc.flags[k]) streamBatchDifferences += 1; });
    streamBatchDifferences += Math.abs(batch.flags.length - sc.flags.length);
    if (batch.cls !== sc.cls) streamBatchClassDifferences += 1;
  }
  return {
    fitted,
    training: { perRecord: training, metrics: summariseScores(training) },
    crossValidated: { perRecord: cv, metrics: summariseScores(cv) },
    foldModels,
    streamBatchDifferences,
    streamBatchClassDifferences,
    provisionalDifferences,
    revisedMinutes,
  };
}
