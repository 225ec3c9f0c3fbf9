import {
  classifyNight, resolveHrApneaSettings, screenSeries, type Beat, type HrApneaSettings, type NightClass,
} from '../../src/detectors/hr-apnea-screening/index.js';
import { fitLogistic, type LinearModel } from './fit-logistic.js';

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

function scoreRecord(name: string, labels: string, flags: readonly Flag[], rejected: number, s: HrApneaSettings): RecordScore {
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
  // The night's class is what the screener would report: every flagged minute counts.
  const predA = flags.filter((f) => f === 'A').length;
  return {
    name, minutes: labels.length, screenedMinutes: flags.length, trueApneaMinutes: trueA, predictedApneaMinutes: predA,
    trueClass: classifyNight(trueA, s), predictedClass: classifyNight(predA, s), minutesRejected: rejected, tp, fp, fn, tn,
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
  /** The streaming screener's flags (with the settings' weights), one per minute. */
  readonly flags: Flag[];
  readonly rejected: number;
  /** Whole-night averaged features per minute (null when not analysed): what the fit trains on. */
  readonly averaged: (number[] | null)[];
}

/** Runs every record through the streaming screener once (features do not depend on the weights). */
export function screenAll(records: readonly LabelledRecord[], s: HrApneaSettings): Screened[] {
  return records.map((record) => {
    const r = screenSeries(record.beats, s);
    return { record, flags: r.minutes, rejected: r.minutesRejected, averaged: averagedFeatures(r.detail.map((m) => m.features), s.contextMinutes) };
  });
}

/** Fits weights on the analysed, labelled minutes of the given screened records. */
export function fitOn(screened: readonly Screened[]): LinearModel {
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
  return fitLogistic(x, y);
}

/** Rounded as shipped (src/detectors/hr-apnea-screening/shipped-weights.ts): 4 decimals. */
export function roundModel(m: LinearModel): LinearModel {
  const r = (v: number): number => Math.round(v * 1e4) / 1e4 + 0; // + 0: no -0 in the printed source
  return { weights: m.weights.map(r), bias: r(m.bias) };
}

export interface FullEvaluation {
  /** The model fitted on all records, rounded as shipped. */
  readonly fitted: LinearModel;
  readonly training: Evaluation;
  readonly crossValidated: Evaluation;
  /** The weights of each fold, in record order (to see how stable they are). */
  readonly foldModels: LinearModel[];
  /** Minutes where the streaming screener (shipped weights) and whole-night scoring disagree. */
  readonly streamBatchDifferences: number;
}

export function evaluateScreening(records: readonly LabelledRecord[], settings: Partial<HrApneaSettings> = {}): FullEvaluation {
  const s = resolveHrApneaSettings(settings);
  const screened = screenAll(records, s);
  const training = screened.map((sc) => scoreRecord(sc.record.name, sc.record.labels, sc.flags, sc.rejected, s));
  const shipped: LinearModel = { weights: [...s.weights], bias: s.bias };
  let streamBatchDifferences = 0;
  for (const sc of screened) {
    const batch = scoreNight(sc.averaged, shipped);
    batch.forEach((f, k) => { if (f !== sc.flags[k]) streamBatchDifferences += 1; });
    streamBatchDifferences += Math.abs(batch.length - sc.flags.length);
  }
  const foldModels: LinearModel[] = [];
  const cv = screened.map((held, i) => {
    const model = fitOn(screened.filter((_, j) => j !== i));
    foldModels.push(model);
    return scoreRecord(held.record.name, held.record.labels, scoreNight(held.averaged, model), held.rejected, s);
  });
  return {
    fitted: roundModel(fitOn(screened)),
    training: { perRecord: training, metrics: summariseScores(training) },
    crossValidated: { perRecord: cv, metrics: summariseScores(cv) },
    foldModels,
    streamBatchDifferences,
  };
}
