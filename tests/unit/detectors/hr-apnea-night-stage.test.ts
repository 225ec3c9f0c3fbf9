/**
 * The screener's end-of-night stage (src/detectors/hr-apnea-screening/night-stage.ts, issue 18):
 * the night offset is bounded, a short night's class is judged as if padded to 480 minutes, and the
 * streaming screener applies the stage once, at finishNight (the documented revision).
 */
import { describe, expect, it } from 'vitest';
import {
  createHrApneaState, finishNight, hrApneaDefaults, nightClassOf, nightTerms, pushBeat, secondStageScores, SPREAD_FLOOR, summarise,
} from '../../../src/detectors/hr-apnea-screening/index.js';
import { MAX_NIGHT_OFFSET, REFERENCE_NIGHT_MINUTES } from '../../../src/detectors/hr-apnea-screening/night-stage.js';

const s = hrApneaDefaults;

describe('hr-apnea-screening night stage', () => {
  it('the night terms move a minute by at most MAX_NIGHT_OFFSET log-odds, whatever the night', () => {
    // A night unlike the learning set's: half textbook apnea (+12), half very quiet (-9).
    const scores = [...Array<number>(200).fill(12), ...Array<number>(200).fill(-9)];
    const final = secondStageScores(scores, s);
    const w0 = s.secondStageWeights[0]!;
    // Far from the boundary (window of 11 quiet minutes), the final score is w0 * -9 plus at most 2.
    expect(final[300]!).toBeLessThanOrEqual(w0 * -9 + MAX_NIGHT_OFFSET + 1e-9);
    expect(final[300]!).toBeLessThan(0);
    expect(final[100]!).toBeGreaterThan(0);
    // Not vacuous: unbounded, this night's offset would exceed the bound.
    const t = nightTerms(scores);
    const w = s.secondStageWeights;
    expect(Math.abs(s.secondStageBias + w[1]! * t.q10 + w[2]! * t.q50 + w[3]! * t.q90)).toBeGreaterThan(MAX_NIGHT_OFFSET);
  });

  it("the minute's standing in its night is inside the bound: a short clear burst in a night that hardly varies stays A", () => {
    // 400 quiet minutes that all score alike (spread 0) and a 20-minute burst of clear apnea scores.
    const scores = [...Array<number>(200).fill(-3), ...Array<number>(20).fill(4), ...Array<number>(200).fill(-3)];
    const t = nightTerms(scores);
    expect(t.spread).toBe(0);
    const final = secondStageScores(scores, s, t);
    const w = s.secondStageWeights;
    // The fitted standing weight is negative (a minute that stands out of a homogeneous night counts less) ...
    expect(w[4]!).toBeLessThan(0);
    // ... and unbounded it would erase the burst: its middle minute's standing is 7 / SPREAD_FLOOR = 70.
    const standing = (4 - t.q50) / (t.spread + SPREAD_FLOOR);
    expect(w[0]! * 4 + s.secondStageBias + w[1]! * t.q10 + w[2]! * t.q50 + w[3]! * t.q90 + w[4]! * standing).toBeLessThan(0);
    // Bounded, the middle of the burst is A and the quiet minutes far from it N.
    expect(final[210]!).toBeGreaterThanOrEqual(w[0]! * 4 - MAX_NIGHT_OFFSET - 1e-9);
    expect(final[210]!).toBeGreaterThan(0);
    expect(final[100]!).toBeLessThan(0);
    expect(final[350]!).toBeLessThan(0);
    // A night whose minutes all score the same: standing 0, no division by zero.
    expect(secondStageScores(Array<number>(100).fill(-2), s).every((z) => z !== null && Number.isFinite(z))).toBe(true);
  });

  it('a minute not analysed stays unscored; the window averages only analysed minutes', () => {
    const final = secondStageScores([null, 1, null, 1], s);
    expect(final[0]).toBeNull();
    expect(final[2]).toBeNull();
    expect(final[1]).toBe(final[3]);
  });

  it('class: the 90th percentile of the night counted over at least 480 minutes', () => {
    // 480 minutes with 60 high ones: the 90th percentile (rank 432 of 480) is high -> A.
    const full = [...Array<number>(420).fill(-4), ...Array<number>(60).fill(5)];
    expect(nightClassOf(nightTerms(full).classScore, s)).toBe('A');
    // The same 60 high minutes in a 240-minute night: padded to 480, the same rank -> A.
    const short = [...Array<number>(180).fill(-4), ...Array<number>(60).fill(5)];
    expect(nightTerms(short).classScore).toBe(5);
    // 30 high minutes in 240: padded, the 48th highest is a quiet one -> C (unpadded it would be A).
    const burst = [...Array<number>(210).fill(-4), ...Array<number>(30).fill(5)];
    expect(nightClassOf(nightTerms(burst).classScore, s)).toBe('C');
    expect(nightTerms(burst).q90).toBe(5);
    // Fewer than 48 analysed minutes: below any cut-off.
    expect(nightTerms(Array<number>(40).fill(5)).classScore).toBe(-Infinity);
    expect(REFERENCE_NIGHT_MINUTES).toBe(480);
  });

  it('streaming: provisional stage-1 flags during the night, the final ones (and the class) only at finishNight', () => {
    const st = createHrApneaState();
    // 3 hours at 1 Hz: an hour of 60 s apnea cycles in the middle of quiet sleep with jitter.
    let x = 7;
    const jitter = (): number => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 31 - 1; };
    for (let t = 1; t < 3 * 3600; t += 1) {
      const p = t % 60;
      const cyc = p < 45 ? 62 - (10 * p) / 45 : p < 52 ? 52 + (30 * (p - 45)) / 7 : 82 - (20 * (p - 52)) / 8;
      pushBeat(st, t, (t >= 3600 && t < 7200 ? cyc : 62 + 3 * Math.sin((2 * Math.PI * t) / 4)) + 0.8 * jitter());
    }
    expect(st.nightClass).toBeNull();
    const provisional = st.codes;
    expect(st.scores.length).toBe(provisional.length);
    finishNight(st);
    expect(st.nightClass).not.toBeNull();
    expect(summarise(st).cls).toBe(st.nightClass);
    // The revision re-scores every minute from the stored stage-1 scores: same length, final flags.
    expect(st.codes.length).toBe(st.scores.length);
    const final = secondStageScores(st.scores, s).map((z) => (z === null ? '-' : z > 0 ? 'A' : 'N')).join('');
    expect(st.codes).toBe(final);
    expect(provisional.length).toBeGreaterThan(150);
  });
});
