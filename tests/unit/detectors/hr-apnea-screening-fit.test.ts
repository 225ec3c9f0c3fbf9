/**
 * The heart-rate apnea screener against the Apnea-ECG learning set (issue 18, point 2): a fresh fit
 * gives exactly the shipped weights, the figures are the ones `npm run fit-screener` prints and
 * src/detectors/hr-apnea-screening/README.md states (leave-one-record-out first), streaming and whole-night scoring agree
 * on every minute, the streaming state stays bounded, and the daemon's code never reaches the fitting code.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHrApneaState, finishNight, hrApneaDefaults, pushBeat } from '../../../src/detectors/hr-apnea-screening/index.js';
import { evaluateScreening, type FullEvaluation, type LabelledRecord } from '../../../tools/screener/evaluate.js';
import { formatEvaluation, formatHeadline } from '../../../tools/screener/format.js';
import { loadLearningSet } from '../../../tools/screener/learning-set.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let records: LabelledRecord[];
let e: FullEvaluation;

beforeAll(() => {
  // Throws when the set is missing or short (datasets/apnea-ecg-hr, or ANJU_APNEA_ECG_DIR): never skips.
  records = loadLearningSet();
  e = evaluateScreening(records);
  if (process.env.ANJU_PRINT_EVALUATION) console.log(`${formatHeadline(e)}\n\n${formatEvaluation(e)}`);
});

const pct1 = (x: number): string => (100 * x).toFixed(1);

describe('hr-apnea-screening: the fit on the Apnea-ECG learning set (35 records)', () => {
  it('a fresh fit gives the shipped weights (npm run fit-screener -- --write updates them)', () => {
    expect(e.fitted.weights).toEqual([...hrApneaDefaults.weights]);
    expect(e.fitted.bias).toBe(hrApneaDefaults.bias);
  });

  it('leave-one-record-out and training figures are the ones the fit script prints and the README states', () => {
    const cv = e.crossValidated.metrics;
    const t = e.training.metrics;
    expect(cv.minutes).toBe(16900);
    // src/detectors/hr-apnea-screening/README.md, "Results": LORO 84.1 % (sens 74.1 %, spec 90.4 %), 24/35 exact, 29/29 A/C.
    expect([pct1(cv.accuracy), pct1(cv.sensitivity), pct1(cv.specificity)]).toEqual(['84.1', '74.1', '90.4']);
    expect([cv.recordsCorrect, cv.aVersusCCorrect]).toEqual([24, 29]);
    // Training (shipped weights through the streaming screener): 85.6 % (77.3 %, 90.9 %), 25/35.
    expect([pct1(t.accuracy), pct1(t.sensitivity), pct1(t.specificity)]).toEqual(['85.6', '77.3', '90.9']);
    expect([t.recordsCorrect, t.aVersusCCorrect]).toEqual([25, 29]);
    expect(formatHeadline(e)).toContain('leave-one-record-out: minute accuracy 84.1 %, sensitivity 74.1 %, specificity 90.4 %, exact class 24/35');
    // Every record has one flag per labelled minute: the minute grid lines up with .apn.txt.
    for (const r of e.training.perRecord) expect(r.screenedMinutes).toBe(r.minutes);
  });

  it('streaming (per beat, as the daemon) and whole-night scoring flag the same minutes in all 35 nights', () => {
    expect(e.streamBatchDifferences).toBe(0);
    // Not vacuous: the nights have both kinds of minute.
    const flagged = e.training.perRecord.reduce((n, r) => n + r.predictedApneaMinutes, 0);
    expect(flagged).toBeGreaterThan(5000);
    expect(flagged).toBeLessThan(12000);
  });

  it('the streaming state is bounded: its JSON size does not grow with the night, beyond one character per minute', () => {
    const sizes: number[] = [];
    const longest = records.reduce((a, b) => (b.beats.length > a.beats.length ? b : a));
    const st = createHrApneaState();
    longest.beats.forEach((b, i) => {
      pushBeat(st, b.tS, b.hrBpm);
      if (i % 5000 === 4999) sizes.push(JSON.stringify(st).length - st.codes.length);
    });
    finishNight(st);
    expect(sizes.length).toBeGreaterThan(4);
    // Fixed buffers: the size beside the per-minute codes stays within a few percent all night.
    const max = Math.max(...sizes);
    expect(max - Math.min(...sizes.slice(1))).toBeLessThan(0.05 * max);
    // Measured 2026-12 at ~80 KB as JSON (README "State"; version 1: ~56 KB): bound it so growth is noticed.
    expect(max).toBeLessThan(100_000);
  });
});

describe('the daemon does not ship or load the fitting code (issue 14)', () => {
  it('no file under src/ imports from tools/, and the fitting code is not in src/', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.filter((f) => /from\s+['"][./]*tools\//.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
    const names = files.map((f) => f.split('/').pop());
    expect(names).not.toContain('fit-logistic.ts');
    expect(names).not.toContain('evaluate.ts');
  });
});
