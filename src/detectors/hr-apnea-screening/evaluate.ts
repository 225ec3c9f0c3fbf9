import { fitLogistic, type LinearModel } from './fit-logistic.js';
import { linearScore } from './minute-classifier.js';
import { classifyNight, resolveHrApneaSettings, screenSeries, type Beat, type NightClass } from './screener.js';
import type { HrApneaSettings } from './settings.js';

/**
 * Measures the screening against expert minute labels (Apnea-ECG `.apn.txt`), pure: the caller
 * reads the files. Two figures:
 *
 * - training: the given settings (the shipped weights) on every record, through `screenSeries`;
 * - leave-one-record-out: for each record, the weights are refitted on the other records and the
 *   held-out record is scored with them. This is the estimate for unseen nights; the signal
 *   processing constants were chosen on a plateau (README), not per fold.
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

function scoreRecord(name: string, labels: string, flags: readonly ('A' | 'N')[], rejected: number, s: HrApneaSettings): RecordScore {
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
    name,
    minutes: labels.length,
    screenedMinutes: flags.length,
    trueApneaMinutes: trueA,
    predictedApneaMinutes: predA,
    trueClass: classifyNight(trueA, s),
    predictedClass: classifyNight(predA, s),
    minutesRejected: rejected,
    tp,
    fp,
    fn,
    tn,
  };
}

export function summariseScores(perRecord: RecordScore[]): Metrics {
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
    accuracy: (tp + tn) / n,
    sensitivity: tp / (tp + fn),
    specificity: tn / (tn + fp),
    minutes: n,
    recordsCorrect: correct,
    records: perRecord.length,
    aVersusCCorrect: ac,
    aOrCRecords: acN,
  };
}

interface Screened {
  readonly record: LabelledRecord;
  readonly flags: ('A' | 'N')[];
  readonly rejected: number;
  /** Averaged features per minute (null when not analysed): what the classifier scores. */
  readonly smoothed: (readonly number[] | null)[];
}

function screenAll(records: readonly LabelledRecord[], s: HrApneaSettings): Screened[] {
  return records.map((record) => {
    const r = screenSeries(record.beats, s);
    return { record, flags: r.minutes, rejected: r.minutesRejected, smoothed: r.detail.map((m) => m.smoothed) };
  });
}

/** Fits weights on the analysed, labelled minutes of the given screened records. */
function fitOn(screened: readonly Screened[]): LinearModel {
  const x: (readonly number[])[] = [];
  const y: boolean[] = [];
  for (const sc of screened) {
    const n = Math.min(sc.smoothed.length, sc.record.labels.length);
    for (let k = 0; k < n; k += 1) {
      const f = sc.smoothed[k];
      if (f === null || f === undefined) continue;
      x.push(f);
      y.push(sc.record.labels[k] === 'A');
    }
  }
  return fitLogistic(x, y);
}

/** Fits the weights on all records (how the shipped defaults were obtained). */
export function fitWeights(records: readonly LabelledRecord[], settings: Partial<HrApneaSettings> = {}): LinearModel {
  return fitOn(screenAll(records, resolveHrApneaSettings(settings)));
}

export interface FullEvaluation {
  readonly training: Evaluation;
  readonly crossValidated: Evaluation;
  /** The weights of each fold, in record order (to see how stable they are). */
  readonly foldModels: LinearModel[];
}

export function evaluateScreening(records: readonly LabelledRecord[], settings: Partial<HrApneaSettings> = {}): FullEvaluation {
  const s = resolveHrApneaSettings(settings);
  const screened = screenAll(records, s);
  const training = screened.map((sc) => scoreRecord(sc.record.name, sc.record.labels, sc.flags, sc.rejected, s));

  const foldModels: LinearModel[] = [];
  const cv = screened.map((held, i) => {
    const model = fitOn(screened.filter((_, j) => j !== i));
    foldModels.push(model);
    const fold: HrApneaSettings = { ...s, weights: model.weights, bias: model.bias };
    // Same scoring as the streaming classifier, on the same averaged features.
    const flags = held.smoothed.map((f): 'A' | 'N' => (f !== null && linearScore(f, fold) > 0 ? 'A' : 'N'));
    return scoreRecord(held.record.name, held.record.labels, flags, held.rejected, s);
  });
  return {
    training: { perRecord: training, metrics: summariseScores(training) },
    crossValidated: { perRecord: cv, metrics: summariseScores(cv) },
    foldModels,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** Markdown tables of an evaluation, as pasted into README.md. */
export function formatEvaluation(e: FullEvaluation): string {
  const lines: string[] = [];
  const m = (label: string, x: Metrics): string =>
    `| ${label} | ${pct(x.accuracy)} | ${pct(x.sensitivity)} | ${pct(x.specificity)} | ${x.recordsCorrect}/${x.records} | ${x.aVersusCCorrect}/${x.aOrCRecords} |`;
  lines.push('| | minute accuracy | sensitivity | specificity | records, exact class | A/C records not swapped |');
  lines.push('|---|---|---|---|---|---|');
  lines.push(m('training (shipped weights)', e.training.metrics));
  lines.push(m('leave-one-record-out', e.crossValidated.metrics));
  lines.push('');
  lines.push('| record | minutes | apnea min (expert) | flagged (train) | flagged (LORO) | class expert | train | LORO | accuracy train | accuracy LORO | rejected min |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  e.training.perRecord.forEach((t, i) => {
    const c = e.crossValidated.perRecord[i]!;
    const acc = (r: RecordScore): string => pct((r.tp + r.tn) / r.minutes);
    lines.push(
      `| ${t.name} | ${t.minutes} | ${t.trueApneaMinutes} | ${t.predictedApneaMinutes} | ${c.predictedApneaMinutes} | ${t.trueClass} | ${t.predictedClass} | ${c.predictedClass} | ${acc(t)} | ${acc(c)} | ${t.minutesRejected} |`,
    );
  });
  return lines.join('\n');
}
