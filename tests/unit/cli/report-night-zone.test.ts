/**
 * `report night` dates and times a night in the home's zone (hub.timezone), not the machine's: a hub
 * whose system clock runs in UTC (a Pi's default) printed a Shanghai night as "in bed 14:30 - 22:30"
 * (issue 16 point 2, found while checking its Chinese).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNight, viewNight, type StoredNight } from '../../../src/cli/report-night.js';

const SHANGHAI = 'Asia/Shanghai';
/** 22:30 in Shanghai on 2026-10-01 + i days (UTC+8, no daylight saving). */
const start = (i: number, hh = 22, mm = 30) => Date.UTC(2026, 9, 1 + i, hh - 8, mm);
const night = (seq: number, startTs: number): StoredNight => ({
  report_seq: seq, ts: startTs + 9 * 3600_000, device: 'bed-radar',
  data: { startTs, endTs: startTs + 8 * 3600_000, timeInBedS: 28_800, totalSleepS: 25_200, sleepEfficiencyPct: 88 },
});

describe('report night in the home\'s zone', () => {
  const saved = process.env.TZ;
  beforeAll(() => { process.env.TZ = 'UTC'; }); // the hub's system zone, as on a Pi
  afterAll(() => { if (saved === undefined) delete process.env.TZ; else process.env.TZ = saved; });

  it('dates, selects and times the night in hub.timezone', () => {
    // An early night, in bed at 19:30 on 2026-10-03: that evening's in Shanghai, the day before's by UTC.
    const stored = [night(1, start(0)), night(2, start(2, 19, 30))];
    const v = viewNight(stored, '2026-10-03', 30, SHANGHAI);
    expect(v?.reportSeq).toBe(2);
    expect(v!.trend.nights.map((p) => p.date)).toEqual(['2026-10-01', '2026-10-03']);
    expect(renderNight(viewNight(stored, '2026-10-01', 30, SHANGHAI)!, 'zh', SHANGHAI)[1]).toBe('在床 22:30 - 06:30：8h00，睡眠 7h00（88 %）');
    // Without a zone, the machine's (UTC here): what the old code always did.
    expect(renderNight(viewNight(stored, '2026-10-01', 30, null)!, 'en', null)[1]).toBe('in bed 14:30 - 22:30: 8h00, asleep 7h00 (88 %)');
  });
});
