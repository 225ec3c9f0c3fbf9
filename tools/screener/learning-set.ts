import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseHrCsv } from '../../src/detectors/hr-apnea-screening/index.js';
import type { LabelledRecord } from './evaluate.js';

/**
 * The Apnea-ECG learning set in the repository (datasets/apnea-ecg-hr/train: 35 records, attribution
 * and licence beside it), or ANJU_APNEA_ECG_DIR. A missing or short set throws: a fit or a test never
 * runs quietly on less.
 */
const HERE = dirname(fileURLToPath(import.meta.url));

export function learningSetDir(): string {
  // From tools/screener/ (tests, vitest) or .tools-dist/tools/screener/ (npm run fit-screener).
  const candidates = [resolve(HERE, '../../datasets/apnea-ecg-hr/train'), resolve(HERE, '../../../datasets/apnea-ecg-hr/train')];
  return process.env.ANJU_APNEA_ECG_DIR ?? candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

export function loadLearningSet(dir = learningSetDir()): LabelledRecord[] {
  if (!existsSync(dir)) throw new Error(`the Apnea-ECG learning set is missing at ${dir}: it is in the repository under datasets/apnea-ecg-hr, or set ANJU_APNEA_ECG_DIR`);
  const records = readdirSync(dir)
    .filter((f) => f.endsWith('.apn.txt'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.apn.txt'.length);
      const parsed = parseHrCsv(gunzipSync(readFileSync(join(dir, `${name}.hr.csv.gz`))).toString('utf8'));
      if (parsed.badLines.length > 0) throw new Error(`${name}.hr.csv.gz: malformed rows at lines ${parsed.badLines.slice(0, 5).join(', ')}`);
      return { name, beats: parsed.beats, labels: readFileSync(join(dir, f), 'utf8').trim() };
    });
  if (records.length !== 35) throw new Error(`expected the 35 learning-set records in ${dir}, found ${records.length}`);
  return records;
}
