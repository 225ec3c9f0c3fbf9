/**
 * `npm run fit-screener [-- --write]`: refits the heart-rate apnea screener on the 35 Apnea-ECG
 * learning-set records (datasets/apnea-ecg-hr), prints the weights it would ship, the
 * leave-one-record-out figures (the headline) and the training figures, and the per-record table.
 * Exit 1 when the shipped weights (src/detectors/hr-apnea-screening/shipped-weights.ts) differ from
 * this fit; `--write` writes them. Deterministic: the same data gives the same numbers.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hrApneaDefaults } from '../../src/detectors/hr-apnea-screening/index.js';
import { evaluateScreening } from './evaluate.js';
import { formatEvaluation, formatHeadline, formatWeights, sameModel, weightsSource } from './format.js';
import { loadLearningSet } from './learning-set.js';

const write = process.argv.includes('--write');
const e = evaluateScreening(loadLearningSet());
const d = hrApneaDefaults;
const same = sameModel(e.fitted, {
  stage1: { weights: [...d.weights], bias: d.bias }, stage2: { weights: [...d.secondStageWeights], bias: d.secondStageBias }, cutoffs: d.nightClassCutoffs,
});
process.stdout.write(`${formatHeadline(e)}\n\n${formatEvaluation(e)}\n\n${formatWeights(e)}\n\n${weightsSource(e.fitted)}\n`);
if (write) {
  // From .tools-dist/tools/screener/ back to the repository's source.
  const target = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src/detectors/hr-apnea-screening/shipped-weights.ts');
  writeFileSync(target, weightsSource(e.fitted));
  process.stdout.write(`wrote ${target}${same ? ' (unchanged)' : ''}; the training figures above used the weights shipped before: run again to see them with the new ones\n`);
} else if (!same) {
  process.stdout.write('the shipped weights differ from this fit: run `npm run fit-screener -- --write`\n');
  process.exitCode = 1;
}
