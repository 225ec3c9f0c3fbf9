import { FEATURE_NAMES, hrApneaDefaults } from '../../src/detectors/hr-apnea-screening/index.js';
import type { FullEvaluation, Metrics, RecordScore, ScreenerModel } from './evaluate.js';
import type { LinearModel } from './fit-logistic.js';

/** What `npm run fit-screener` prints: the weights as shipped source, the figures as README tables. */
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The source of src/detectors/hr-apnea-screening/shipped-weights.ts for a fitted model. */
export function weightsSource(m: ScreenerModel): string {
  return `/**
 * The screener's fitted weights. Written by \`npm run fit-screener -- --write\` (tools/screener/), which
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
export const SHIPPED_WEIGHTS: readonly number[] = Object.freeze([${m.stage1.weights.join(', ')}]);
export const SHIPPED_BIAS = ${m.stage1.bias};
export const SHIPPED_SECOND_STAGE_WEIGHTS: readonly number[] = Object.freeze([${m.stage2.weights.join(', ')}]);
export const SHIPPED_SECOND_STAGE_BIAS = ${m.stage2.bias};
export const SHIPPED_NIGHT_CLASS_CUTOFFS = Object.freeze({ c: ${m.cutoffs.c}, a: ${m.cutoffs.a} });
`;
}

/** Whether two models are the same to the last digit. */
export function sameModel(a: ScreenerModel, b: ScreenerModel): boolean {
  const same = (x: LinearModel, y: LinearModel): boolean => x.bias === y.bias && x.weights.length === y.weights.length && x.weights.every((w, i) => w === y.weights[i]);
  return same(a.stage1, b.stage1) && same(a.stage2, b.stage2) && a.cutoffs.c === b.cutoffs.c && a.cutoffs.a === b.cutoffs.a;
}

/** One line per input: name = weight, and how far the 35 leave-one-record-out fits move it. */
export function formatWeights(e: FullEvaluation): string {
  const lines: string[] = ['| input | weight | range over the 35 leave-one-record-out fits |', '|---|---|---|'];
  const range = (vs: number[]): string => `${Math.min(...vs).toFixed(3)} .. ${Math.max(...vs).toFixed(3)}`;
  const stage = (label: string, names: string[], get: (m: ScreenerModel) => LinearModel): void => {
    names.forEach((n, i) => lines.push(`| ${label}: ${n} | ${get(e.fitted).weights[i]} | ${range(e.foldModels.map((m) => get(m).weights[i]!))} |`));
    lines.push(`| ${label}: bias | ${get(e.fitted).bias} | ${range(e.foldModels.map((m) => get(m).bias))} |`);
  };
  stage('stage 1', hrApneaDefaults.contextMinutes.flatMap((h) => FEATURE_NAMES.map((n) => `${n} (+-${h} min)`)), (m) => m.stage1);
  const h = hrApneaDefaults.secondStageContextMinutes;
  stage('stage 2', [`stage-1 score (+-${h} min)`, 'night 10th percentile', 'night 50th percentile', 'night 90th percentile', 'standing in the night'], (m) => m.stage2);
  lines.push(`| class cut-off C below (night 90th percentile) | ${e.fitted.cutoffs.c} | ${range(e.foldModels.map((m) => m.cutoffs.c))} |`);
  lines.push(`| class cut-off A from (night 90th percentile) | ${e.fitted.cutoffs.a} | ${range(e.foldModels.map((m) => m.cutoffs.a))} |`);
  return lines.join('\n');
}

/** Markdown tables of an evaluation, as pasted into tools/screener/README.md. */
export function formatEvaluation(e: FullEvaluation): string {
  const lines: string[] = [];
  const m = (label: string, x: Metrics): string =>
    `| ${label} | ${pct(x.accuracy)} | ${pct(x.sensitivity)} | ${pct(x.specificity)} | ${x.recordsCorrect}/${x.records} | ${x.aVersusCCorrect}/${x.aOrCRecords} |`;
  lines.push('| | minute accuracy | sensitivity | specificity | records, exact class | A/C records not swapped |');
  lines.push('|---|---|---|---|---|---|');
  lines.push(m('**leave-one-record-out**', e.crossValidated.metrics));
  lines.push(m('training (shipped weights, streaming)', e.training.metrics));
  lines.push('');
  lines.push('| record | minutes | apnea min (expert) | flagged (LORO) | flagged (train) | class expert | LORO | train | accuracy LORO | accuracy train | rejected min |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  e.training.perRecord.forEach((t, i) => {
    const c = e.crossValidated.perRecord[i]!;
    const acc = (r: RecordScore): string => pct((r.tp + r.tn) / r.minutes);
    lines.push(
      `| ${t.name} | ${t.minutes} | ${t.trueApneaMinutes} | ${c.predictedApneaMinutes} | ${t.predictedApneaMinutes} | ${t.trueClass} | ${c.predictedClass} | ${t.predictedClass} | ${acc(c)} | ${acc(t)} | ${t.minutesRejected} |`,
    );
  });
  return lines.join('\n');
}

/** The headline figures in one line each (what the test asserts). */
export function formatHeadline(e: FullEvaluation): string {
  const cv = e.crossValidated.metrics;
  const t = e.training.metrics;
  return [
    `leave-one-record-out: minute accuracy ${pct(cv.accuracy)}, sensitivity ${pct(cv.sensitivity)}, specificity ${pct(cv.specificity)}, exact class ${cv.recordsCorrect}/${cv.records}, A/C not swapped ${cv.aVersusCCorrect}/${cv.aOrCRecords}`,
    `training (shipped weights): minute accuracy ${pct(t.accuracy)}, sensitivity ${pct(t.sensitivity)}, specificity ${pct(t.specificity)}, exact class ${t.recordsCorrect}/${t.records}`,
    `streaming vs whole-night scoring: ${e.streamBatchDifferences} final minute(s) and ${e.streamBatchClassDifferences} night class(es) differ; stage 1 (the provisional flags): ${e.provisionalDifferences} minute(s); the end-of-night revision changed ${e.revisedMinutes} minute(s)`,
  ].join('\n');
}
