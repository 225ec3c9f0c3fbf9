import { FEATURE_NAMES, hrApneaDefaults } from '../../src/detectors/hr-apnea-screening/index.js';
import type { FullEvaluation, Metrics, RecordScore } from './evaluate.js';
import type { LinearModel } from './fit-logistic.js';

/** What `npm run fit-screener` prints: the weights as shipped source, the figures as README tables. */
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The source of src/detectors/hr-apnea-screening/shipped-weights.ts for a fitted model. */
export function weightsSource(m: LinearModel): string {
  return `/**
 * The screener's fitted weights. Written by \`npm run fit-screener -- --write\` (tools/screener/), which
 * fits them on the 35 Apnea-ECG learning-set records and prints them with their leave-one-record-out
 * figures; tests/unit/detectors/hr-apnea-screening-fit.test.ts fails when a fresh fit differs.
 * Do not edit by hand. Order: FEATURE_NAMES averaged over +-contextMinutes[0] minutes (then over each
 * further contextMinutes scale, if any).
 */
export const SHIPPED_WEIGHTS: readonly number[] = Object.freeze([${m.weights.join(', ')}]);
export const SHIPPED_BIAS = ${m.bias};
`;
}

/** One line per input: name@scale = weight, and how far the 35 leave-one-out fits move it. */
export function formatWeights(e: FullEvaluation): string {
  const lines: string[] = ['| input | weight | range over the 35 leave-one-record-out fits |', '|---|---|---|'];
  const names = hrApneaDefaults.contextMinutes.flatMap((h) => FEATURE_NAMES.map((n) => `${n} (+-${h} min)`));
  names.forEach((n, i) => {
    const ws = e.foldModels.map((m) => m.weights[i]!);
    lines.push(`| ${n} | ${e.fitted.weights[i]} | ${Math.min(...ws).toFixed(3)} .. ${Math.max(...ws).toFixed(3)} |`);
  });
  const bs = e.foldModels.map((m) => m.bias);
  lines.push(`| bias | ${e.fitted.bias} | ${Math.min(...bs).toFixed(3)} .. ${Math.max(...bs).toFixed(3)} |`);
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
    `streaming vs whole-night scoring: ${e.streamBatchDifferences} minute(s) differ`,
  ].join('\n');
}
