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
  // ~12 s of CPU (35 streaming screenings, 631 logistic fits): generous for a loaded shared machine.
}, 300_000);

const pct1 = (x: number): string => (100 * x).toFixed(1);

describe('hr-apnea-screening: the fit on the Apnea-ECG learning set (35 records)', () => {
  it('a fresh fit gives the shipped weights, second stage and class cut-offs (npm run fit-screener -- --write updates them)', () => {
    const d = hrApneaDefaults;
    expect(e.fitted.stage1).toEqual({ weights: [...d.weights], bias: d.bias });
    expect(e.fitted.stage2).toEqual({ weights: [...d.secondStageWeights], bias: d.secondStageBias });
    expect(e.fitted.cutoffs).toEqual({ ...d.nightClassCutoffs });
    // Not vacuous: the night-level stage is fitted, not the neutral placeholder.
    expect(d.secondStageWeights.length).toBe(5);
    expect(d.secondStageWeights.filter((w) => w !== 0).length).toBe(5);
    expect(d.nightClassCutoffs.c).toBeLessThan(d.nightClassCutoffs.a);
  });

  it('leave-one-record-out and training figures are the ones the fit script prints and the README states', () => {
    const cv = e.crossValidated.metrics;
    const t = e.training.metrics;
    expect(cv.minutes).toBe(16900);
    // src/detectors/hr-apnea-screening/README.md, "Results": LORO 86.3 % (sens 76.0 %, spec 92.7 %), 30/35 exact, 29/29 A/C.
    // Issue 18's targets (>= 86 %, specificity >= 90 %, >= 30/35): met, the accuracy by 0.3 point (tools/screener/README.md).
    expect([pct1(cv.accuracy), pct1(cv.sensitivity), pct1(cv.specificity)]).toEqual(['86.3', '76.0', '92.7']);
    expect([cv.recordsCorrect, cv.aVersusCCorrect]).toEqual([30, 29]);
    expect(cv.accuracy).toBeGreaterThanOrEqual(0.86);
    expect(cv.specificity).toBeGreaterThanOrEqual(0.9);
    // Training (shipped weights through the streaming screener, end-of-night stage included): 87.6 % (78.7 %, 93.1 %), 32/35.
    expect([pct1(t.accuracy), pct1(t.sensitivity), pct1(t.specificity)]).toEqual(['87.6', '78.7', '93.1']);
    expect([t.recordsCorrect, t.aVersusCCorrect]).toEqual([32, 29]);
    expect(formatHeadline(e)).toContain('leave-one-record-out: minute accuracy 86.3 %, sensitivity 76.0 %, specificity 92.7 %, exact class 30/35');
    // Every record has one flag per labelled minute: the minute grid lines up with .apn.txt.
    for (const r of e.training.perRecord) expect(r.screenedMinutes).toBe(r.minutes);
  });

  it('streaming (per beat, as the daemon) and whole-night scoring flag the same minutes and class all 35 nights', () => {
    // Final flags and classes (after the end-of-night stage), and stage 1's provisional flags too.
    expect(e.streamBatchDifferences).toBe(0);
    expect(e.streamBatchClassDifferences).toBe(0);
    expect(e.provisionalDifferences).toBe(0);
    // The documented end-of-night revision is real: it changes minutes (but not most of them).
    expect(e.revisedMinutes).toBeGreaterThan(100);
    expect(e.revisedMinutes).toBeLessThan(0.2 * 16900);
    expect(formatHeadline(e)).toContain(`the end-of-night revision changed ${e.revisedMinutes} minute(s)`);
    // Not vacuous: the nights have both kinds of minute.
    const flagged = e.training.perRecord.reduce((n, r) => n + r.predictedApneaMinutes, 0);
    expect(flagged).toBeGreaterThan(5000);
    expect(flagged).toBeLessThan(12000);
  });

  it('the streaming state is bounded: fixed buffers plus one character and one score per minute of the night', () => {
    const sizes: number[] = [];
    const perMinute: number[] = [];
    const longest = records.reduce((a, b) => (b.beats.length > a.beats.length ? b : a));
    const st = createHrApneaState();
    longest.beats.forEach((b, i) => {
      pushBeat(st, b.tS, b.hrBpm);
      if (i % 5000 === 4999) {
        const nightly = st.codes.length + JSON.stringify(st.scores).length;
        sizes.push(JSON.stringify(st).length - nightly);
        if (st.scores.length > 0) perMinute.push(nightly / st.scores.length);
      }
    });
    finishNight(st);
    expect(sizes.length).toBeGreaterThan(4);
    expect(st.scores.length).toBeGreaterThan(400);
    // Fixed buffers: the size beside the per-minute codes and scores stays within a few percent all night.
    const max = Math.max(...sizes);
    expect(max - Math.min(...sizes.slice(1))).toBeLessThan(0.05 * max);
    // Measured 2026-12 at ~80 KB as JSON (README "State"; version 1: ~56 KB): bound it so growth is noticed.
    expect(max).toBeLessThan(100_000);
    // Per minute: 1 code character + a 4-decimal score and its comma (~8 characters): at most
    // maxMinutes (1,440) of them, ~12 KB for a 24-hour night.
    expect(Math.max(...perMinute)).toBeLessThan(10);
    if (process.env.ANJU_PRINT_EVALUATION) console.log(`state: ${max} B fixed, ${Math.max(...perMinute).toFixed(1)} B per minute`);
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
