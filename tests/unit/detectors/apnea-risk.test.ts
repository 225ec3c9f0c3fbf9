/**
 * The nightly sleep-apnea risk (issue 18, point 3): each channel alone and together, too little
 * signal, no channel at all ("unknown", never "low"), and the 30-night trend; then through the sleep
 * report on replayed nights (radar apnea index alone, heart-rate screening alone, both, neither).
 */
import { describe, expect, it } from 'vitest';
import { apneaRisk, apneaRiskTrend, type RiskInputs } from '../../../src/detectors/apnea-risk.js';
import { REPORT_TYPE, sleepReportDetector as det, type SleepReportSettings } from '../../../src/detectors/sleep-report.js';
import { ApneaSettingsSchema } from '../../../src/detectors/settings/apnea.js';
import { SleepReportSettingsSchema } from '../../../src/detectors/settings/sleep-report.js';
import { replay, type Script } from './scenario.js';

const H = 3600;
const NONE: RiskInputs = { apneaIndex: null, odi: null, hrScreening: null };
const idx = (perHour: number | null, hours = 7) => ({ perHour, monitoredS: hours * H });
const hr = (apneaMinutes: number, minutesAnalysed = 420) => ({ apneaMinutes, minutesAnalysed });

describe('apneaRisk: one night from its channels', () => {
  it('no channel, or only channels with too little signal: unknown, never low', () => {
    expect(apneaRisk(NONE)).toEqual({ risk: 'unknown', confidence: null, used: [], channels: [] });
    const short = apneaRisk({ apneaIndex: idx(2, 3), odi: idx(null, 0), hrScreening: hr(0, 120) });
    expect(short.risk).toBe('unknown');
    expect(short.channels.map((c) => [c.channel, c.notUsed])).toEqual([['apneaIndex', 'too_short'], ['odi', 'too_short'], ['hrScreening', 'too_short']]);
  });

  it('each channel alone, at its cut-offs (AHI and ODI 5 / 15 per hour; screening 5 % / 20 % of analysed minutes)', () => {
    const only = (x: Partial<RiskInputs>) => apneaRisk({ ...NONE, ...x });
    expect([4.9, 5, 14.9, 15].map((v) => only({ apneaIndex: idx(v) }).risk)).toEqual(['low', 'possible', 'possible', 'likely']);
    expect([4.9, 5, 14.9, 15].map((v) => only({ odi: idx(v) }).risk)).toEqual(['low', 'possible', 'possible', 'likely']);
    expect([20, 21, 83, 84].map((m) => only({ hrScreening: hr(m) }).risk)).toEqual(['low', 'possible', 'possible', 'likely']);
    // One channel: a "low" is the weakest reassurance (low confidence); a raised class is moderate.
    expect(only({ odi: idx(2) })).toMatchObject({ risk: 'low', confidence: 'low', used: ['odi'] });
    expect(only({ hrScreening: hr(200) })).toMatchObject({ risk: 'likely', confidence: 'moderate', used: ['hrScreening'] });
    expect(only({ hrScreening: hr(200) }).channels).toEqual([{ channel: 'hrScreening', value: 0.476, risk: 'likely', notUsed: null }]);
  });

  it('channels together: the highest valid class; high confidence when they agree, moderate when not', () => {
    expect(apneaRisk({ apneaIndex: idx(2), odi: idx(3), hrScreening: hr(4) })).toMatchObject({ risk: 'low', confidence: 'high', used: ['apneaIndex', 'odi', 'hrScreening'] });
    expect(apneaRisk({ apneaIndex: idx(2), odi: idx(22), hrScreening: hr(4) })).toMatchObject({ risk: 'likely', confidence: 'moderate' });
    // A channel with too little signal neither raises nor lowers the class.
    expect(apneaRisk({ apneaIndex: idx(40, 2), odi: null, hrScreening: hr(4) })).toMatchObject({ risk: 'low', confidence: 'low', used: ['hrScreening'] });
  });

  it('the 30-night trend: the most recent 30, oldest first, counted, unknown nights outside the share', () => {
    const nights = Array.from({ length: 40 }, (_, i) => ({ startTs: (40 - i) * 86_400_000, risk: (['low', 'possible', 'likely', 'unknown'] as const)[i % 4]! }));
    const t = apneaRiskTrend(nights);
    expect(t.nights).toHaveLength(30);
    expect(t.nights[0]!.startTs).toBe(11 * 86_400_000);
    expect(t.nights.at(-1)!.startTs).toBe(40 * 86_400_000);
    expect(t.counts.low + t.counts.possible + t.counts.likely + t.counts.unknown).toBe(30);
    expect(t.atRiskShare).toBeCloseTo((t.counts.possible + t.counts.likely) / (30 - t.counts.unknown), 3);
    expect(apneaRiskTrend([]).atRiskShare).toBeNull();
  });
});

// ---- Through the sleep report: replayed nights, 22:00 to 05:00, then out of bed. ----
const S = (): SleepReportSettings => ({ ...SleepReportSettingsSchema.parse({}), apnea: ApneaSettingsSchema.parse({}) });

/** Obstructive-apnea-like heart rate: 60 s cycles, a 45 s sag and a steep 7 s surge. */
const cvhr = (t: number): number => { const p = t % 60; return p < 45 ? 62 - (10 * p) / 45 : p < 52 ? 52 + (30 * (p - 45)) / 7 : 82 - (20 * (p - 52)) / 8; };

function night(o: { breath: boolean; pausesPerHour: number; heart: boolean }): Script {
  const s: Script = [[0, 'presence', true], [30, 'bedState', 'in']];
  const end = 7 * H;
  for (let t = 31; t < end; t += 1) {
    if (o.heart) s.push([t, 'heartRateBpm', cvhr(t)]);
    if (o.breath && t % 5 === 0) {
      // An MR60BHA1's breathing status every 5 s; a 15 s pause `pausesPerHour` times an hour.
      const inPause = o.pausesPerHour > 0 && t % Math.round(H / o.pausesPerHour) < 15;
      s.push([t, 'breathStatus', inPause ? 'none' : 'normal']);
      if (!inPause) s.push([t, 'breathRatePerMin', 14]);
    }
  }
  s.push([end, 'bedState', 'out'], [end + 20, 'presence', false]);
  for (let t = end + 60; t < end + 2 * H; t += 60) s.push([t, 'moduleHeartbeat', true]);
  return s;
}

function riskOf(script: Script) {
  const r = replay(det, script, S(), { tickEveryS: 5, untilS: 9 * H }).events.filter((f) => f.e.type === REPORT_TYPE);
  expect(r).toHaveLength(1);
  return r[0]!.e.data.apneaRisk as ReturnType<typeof apneaRisk>;
}

describe('report.sleep carries the night\'s apneaRisk', () => {
  it('radar apnea index alone (no heart rate): from the index', () => {
    const r = riskOf(night({ breath: true, pausesPerHour: 20, heart: false }));
    expect(r).toMatchObject({ risk: 'likely', used: ['apneaIndex'], confidence: 'moderate' });
  });

  it('heart-rate screening alone (no breathing channel): from the screening', () => {
    const r = riskOf(night({ breath: false, pausesPerHour: 0, heart: true }));
    expect(r.used).toEqual(['hrScreening']);
    expect(r.risk).toBe('likely');
  });

  it('both channels: both used, the class is the higher one', () => {
    const r = riskOf(night({ breath: true, pausesPerHour: 0, heart: true }));
    expect(r.used).toEqual(['apneaIndex', 'hrScreening']);
    expect(r.channels.find((c) => c.channel === 'apneaIndex')!.risk).toBe('low');
    expect(r).toMatchObject({ risk: 'likely', confidence: 'moderate' });
  });

  it('no valid channel (in bed, neither breathing nor heart readings): unknown, never low', () => {
    const r = riskOf(night({ breath: false, pausesPerHour: 0, heart: false }));
    expect(r.risk).toBe('unknown');
    expect(r.used).toEqual([]);
  });
});
