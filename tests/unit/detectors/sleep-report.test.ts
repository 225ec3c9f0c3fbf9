/**
 * Named scenarios for report.sleep on the bed radar (device 'radar'). T0 is 22:00 UTC; the settings
 * keep UTC, so report_by 12:00 is T0 + 14 h. Ticks every 5 s, as the daemon.
 */
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../src/core/event.js';
import { apneaDetector, type ApneaSettings } from '../../../src/detectors/apnea.js';
import { ApneaSettingsSchema } from '../../../src/detectors/settings/apnea.js';
import {
  REPORT_TYPE,
  sleepReportDefaults,
  sleepReportDetector as det,
  type SleepReportSettings,
} from '../../../src/detectors/sleep-report.js';
import { SleepReportSettingsSchema } from '../../../src/detectors/settings/sleep-report.js';
import { at, replay, snapshot, splitAt, type Fired, type Script } from './scenario.js';

const H = 3600;
const S = (over: Record<string, unknown> = {}, apnea: Partial<ApneaSettings> = {}): SleepReportSettings => ({
  ...SleepReportSettingsSchema.parse(over),
  apnea: ApneaSettingsSchema.parse(apnea),
});
const run = (script: Script, untilS: number, settings = S()) => replay(det, script, settings, { tickEveryS: 5, untilS });
const reports = (fired: Fired[]) => fired.filter((f) => f.e.type === REPORT_TYPE);

/** Heart and breathing rates every `everyS` from `from` to before `to` (offsets 5 and 15 s: never on a stage change). */
function vitals(from: number, to: number, asleep: (t: number) => boolean, everyS = 20): Script {
  const out: Script = [];
  for (let t = from + 5; t < to; t += everyS) {
    out.push([t, 'heartRateBpm', asleep(t) ? 56 : 72]);
    out.push([t + 10, 'breathRatePerMin', asleep(t) ? 12 : 16]);
  }
  return out;
}

/** The MR60BHA1 keeps sending its module heartbeat when nobody is in bed. */
function heartbeats(from: number, to: number): Script {
  const out: Script = [];
  for (let t = from; t < to; t += 60) out.push([t, 'moduleHeartbeat', true]);
  return out;
}

const between = (t: number, ranges: ReadonlyArray<readonly [number, number]>) => ranges.some(([a, b]) => t >= a && t < b);

/** Normal night, the module scoring sleep stages: bed at 22:00:30, light at 22:20, deep 23:00-01:00, awake 05:30, up 05:40. */
function moduleNight(): Script {
  const asleep = (t: number) => t > 1200 && t < 27_000;
  return [
    [0, 'presence', true], [30, 'bedState', 'in'], [30, 'sleepState', 'awake'],
    [1200, 'sleepState', 'light'], [3600, 'sleepState', 'deep'], [10_800, 'sleepState', 'light'], [27_000, 'sleepState', 'awake'],
    ...vitals(30, 27_600, asleep),
    [27_600, 'bedState', 'out'], [27_640, 'presence', false],
    // The module's own night summary, sent when she got up.
    [27_650, 'nightSleepScore', 82], [27_650, 'nightTotalSleepMin', 430], [27_650, 'nightOutOfBedCount', 0], [27_650, 'sleepRating', 'good'],
    ...heartbeats(27_700, 31_300),
  ];
}

/**
 * A night scored from movement (no sleepState): settles at 22:10, two toilet trips (8 and 15.5 min),
 * a bed-state flicker of 20 s, up at 05:15. Asleep: [600,10000) [10600,15000) [15020,20000) [21000,26000).
 */
const SLEPT: ReadonlyArray<readonly [number, number]> = [[600, 10_000], [10_600, 15_000], [15_020, 20_000], [21_000, 26_000]];
function movementNight(): Script {
  const inBed: ReadonlyArray<readonly [number, number]> = [[30, 10_060], [10_520, 15_000], [15_020, 20_030], [20_960, 26_100]];
  return [
    [0, 'presence', true], [30, 'bedState', 'in'], [30, 'bodyMovement', 45], [600, 'bodyMovement', 10],
    // Trip 1: moves at 10000, out 10060-10520.
    [10_000, 'bodyMovement', 50], [10_060, 'bedState', 'out'], [10_100, 'presence', false], ...heartbeats(10_130, 10_500),
    [10_500, 'presence', true], [10_520, 'bedState', 'in'], [10_600, 'bodyMovement', 8],
    // The bed state flickers while she turns over: 20 s, not an episode.
    [15_000, 'bedState', 'out'], [15_020, 'bedState', 'in'],
    // Trip 2: moves at 20000, out 20030-20960.
    [20_000, 'bodyMovement', 40], [20_030, 'bedState', 'out'], [20_050, 'presence', false], ...heartbeats(20_080, 20_950),
    [20_950, 'presence', true], [20_960, 'bedState', 'in'], [21_000, 'bodyMovement', 5],
    // Up for the day.
    [26_000, 'bodyMovement', 60], [26_100, 'bedState', 'out'], [26_140, 'presence', false], ...heartbeats(26_200, 29_800),
    ...vitals(0, 26_100, (t) => between(t, SLEPT)).filter(([t]) => between(t, inBed)),
  ];
}

describe('sleep-report detector', () => {
  it('defaults and validation', () => {
    expect(SleepReportSettingsSchema.parse({})).toEqual(sleepReportDefaults);
    expect(SleepReportSettingsSchema.parse({})).toEqual({
      enabled: true, min_in_bed_s: 10_800, end_after_out_s: 3600, min_out_of_bed_s: 60, asleep_after_still_s: 300, max_body_movement: 30,
      device_quiet_s: 120, report_by: '12:00', timezone: null, timezone_offset_min: 0,
    });
    expect(SleepReportSettingsSchema.parse({ report_by: null }).report_by).toBeNull();
    expect(SleepReportSettingsSchema.safeParse({ report_by: '25:00' }).success).toBe(false);
    expect(SleepReportSettingsSchema.safeParse({ end_after_out_s: 30 }).success).toBe(false);
    expect(SleepReportSettingsSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });

  it('normal night with the module\'s sleep stages: one report an hour after she got up, with exact figures', () => {
    const { events } = run(moduleNight(), 31_300);
    expect(events).toEqual([{
      at: 27_600 + H,
      e: {
        type: 'report.sleep', severity: 'info', device: 'radar', state: 'info',
        data: {
          startTs: at(30), endTs: at(27_600), endedBy: 'out_of_bed',
          timeInBedS: 27_570,
          sleepOnsetTs: at(1200), sleepOnsetLatencyS: 1170,
          totalSleepS: 25_800, wakeAfterSleepOnsetS: 600, sleepEfficiencyPct: 94,
          deepSleepS: 7200, lightSleepS: 18_600,
          outOfBed: { count: 0, totalS: 0 },
          avgHeartRateAsleepBpm: 56, avgBreathRateAsleepPerMin: 12,
          scoredBy: { sleepStateS: 27_570, movementS: 0, unscoredS: 0, noDataS: 0 },
          apnea: { events: 0, monitoredS: 27_570, perHour: 0, band: 'normal', longestEventS: 0 },
          // A reading every 20 s is too sparse for the screener (it needs one at least every 4 s).
          hrApneaScreening: { cls: null, apneaMinutes: 0, minutesAnalysed: 0, minutesRejected: 460, startMinuteTs: at(0), minutes: '-'.repeat(460) },
          // No oximeter paired with this bed (issue 18).
          odi: null,
          // Only the radar's index had signal (7.7 h, 0/h): low, from one channel (issue 18).
          apneaRisk: {
            risk: 'low', confidence: 'low', used: ['apneaIndex'],
            channels: [
              { channel: 'apneaIndex', value: 0, risk: 'low', notUsed: null },
              { channel: 'hrScreening', value: null, risk: null, notUsed: 'too_short' },
            ],
          },
          module: { nightSleepScore: 82, nightTotalSleepMin: 430, nightOutOfBedCount: 0, sleepRating: 'good', receivedTs: at(27_650) },
        },
      },
    }]);
  });

  it('night with a toilet trip, module stages: back in bed she is awake until the module reports sleep again', () => {
    // Awake at 01:00 (10800 s), out 01:05-01:13, light again at 01:30; the rest as the normal night.
    const asleep = (t: number) => (t > 1200 && t < 10_800) || (t > 12_600 && t < 27_000);
    const script: Script = [
      ...moduleNight().filter(([t, m]) => !(m === 'heartRateBpm' || m === 'breathRatePerMin') && t !== 10_800),
      ...vitals(30, 27_600, asleep).filter(([t]) => t < 11_100 || t >= 11_580),
      [10_800, 'sleepState', 'awake'], [11_100, 'bedState', 'out'], [11_130, 'presence', false], ...heartbeats(11_160, 11_560),
      [11_560, 'presence', true], [11_580, 'bedState', 'in'], [12_600, 'sleepState', 'light'],
    ];
    const d = run(script, 31_300).events[0]!.e.data;
    expect(d).toMatchObject({
      timeInBedS: 27_570, sleepOnsetLatencyS: 1170,
      totalSleepS: (10_800 - 1200) + (27_000 - 12_600),
      wakeAfterSleepOnsetS: (11_100 - 10_800) + 480 + (12_600 - 11_580) + 600,
      outOfBed: { count: 1, totalS: 480 },
      scoredBy: { sleepStateS: 27_570 - 480, movementS: 0, unscoredS: 0, noDataS: 0 },
      avgHeartRateAsleepBpm: 56,
    });
  });

  it('night with out-of-bed episodes, scored from movement: two episodes, a flicker that is not one, WASO and TST add up', () => {
    const { events } = run(movementNight(), 29_800);
    expect(events.map((f) => f.at)).toEqual([26_100 + H]);
    const d = events[0]!.e.data;
    expect(d).toMatchObject({
      startTs: at(30), endTs: at(26_100), endedBy: 'out_of_bed', timeInBedS: 26_070,
      // Still from 22:10, which counts as sleep once it has lasted 5 min: onset at 22:10, not 22:15.
      sleepOnsetTs: at(600), sleepOnsetLatencyS: 570,
      totalSleepS: 9400 + 4400 + 4980 + 5000,
      // Trip 1: 60 s moving + 460 s out + 80 s back in bed moving; the flicker 20 s; trip 2: 30 + 930 + 40; morning 100.
      wakeAfterSleepOnsetS: 600 + 20 + 1000 + 100,
      sleepEfficiencyPct: 91, deepSleepS: 0, lightSleepS: 0,
      outOfBed: { count: 2, totalS: 460 + 930 },
      avgHeartRateAsleepBpm: 56, avgBreathRateAsleepPerMin: 12,
      scoredBy: { sleepStateS: 0, movementS: 26_070 - 460 - 930 - 20, unscoredS: 0, noDataS: 0 },
      apnea: { events: 0, monitoredS: 26_070 - 460 - 930 - 20, perHour: 0, band: 'normal', longestEventS: 0 },
      module: null,
    });
    expect((d.sleepOnsetLatencyS as number) + (d.totalSleepS as number) + (d.wakeAfterSleepOnsetS as number)).toBe(d.timeInBedS);
  });

  it('a short nap does not produce a report; an evening lie-down does not start the night', () => {
    // 14:00-15:30 the next day (T0 + 16 h): 1.5 h in bed, below min_in_bed_s.
    const nap: Script = [[16 * H, 'presence', true], [16 * H + 10, 'bedState', 'in'], [16 * H + 10, 'bodyMovement', 5], ...vitals(16 * H + 10, 17.5 * H, () => true),
      [17.5 * H, 'bedState', 'out'], [17.5 * H + 30, 'presence', false], ...heartbeats(17.5 * H + 60, 19 * H)];
    expect(run(nap, 19 * H).events).toEqual([]);
    // 40 min lying down at 20:00 (T0 - 2 h, shifted: from 0), up 2 h, then the night from 02:40 + ... .
    const evening: Script = [[0, 'presence', true], [10, 'bedState', 'in'], [10, 'sleepState', 'awake'], ...vitals(10, 2400, () => false),
      [2400, 'bedState', 'out'], [2420, 'presence', false], ...heartbeats(2460, 9600)];
    const night = moduleNight().map(([t, m, v]) => [t + 9600, m, v] as Script[number]);
    const { events } = run([...evening, ...night], 9600 + 31_300);
    expect(events.map((f) => [f.at, f.e.data.startTs, f.e.data.timeInBedS])).toEqual([[9600 + 27_600 + H, at(9630), 27_570]]);
  });

  it('restart in the middle of the night (state through JSON, as the snapshot store does): the same report', () => {
    const whole = run(movementNight(), 29_800).events;
    for (const cut of [12_000, 20_500, 26_100 + 1800]) {
      const [before, after] = splitAt(movementNight(), cut);
      const first = replay(det, before, S(), { tickEveryS: 5, untilS: cut - 5 });
      const second = replay(det, after, S(), { tickEveryS: 5, untilS: 29_800, state: snapshot(first.state), fromS: cut });
      expect([...first.events, ...second.events]).toEqual(whole);
    }
  });

  it('upgraded mid-night from a screener of another layout (issue 18): the night goes on, the earlier minutes are not analysable', () => {
    // A radar with a heart rate every second: the screener analyses what it sees.
    const s: Script = [[0, 'presence', true], [30, 'bedState', 'in']];
    for (let t = 31; t < 5 * H; t++) s.push([t, 'heartRateBpm', 60 + 3 * Math.sin(t / 4)]);
    s.push([5 * H, 'bedState', 'out'], [5 * H + 20, 'presence', false], ...heartbeats(5 * H + 60, 6 * H + 600));
    const [before, after] = splitAt(s, 2 * H);
    const first = replay(det, before, S(), { tickEveryS: 5, untilS: 2 * H - 5 });
    const old = snapshot(first.state) as unknown as { hr: Record<string, unknown> & { version: number; features: Record<string, unknown> } };
    // What version 1 saved: no 1 Hz heart-rate ring in the feature stage.
    old.hr.version = 1;
    delete old.hr.features.hr;
    const second = replay(det, after, S(), { tickEveryS: 5, untilS: 6 * H + 600, state: old as never, fromS: 2 * H });
    const r = reports(second.events);
    expect(r).toHaveLength(1);
    const hr = r[0]!.e.data.hrApneaScreening as { minutes: string; minutesAnalysed: number };
    // From 22:00 to the upgrade at 00:00 nothing could be kept: '-'; analysed again after it.
    expect(hr.minutes.slice(0, 119)).toBe('-'.repeat(119));
    expect(hr.minutesAnalysed).toBeGreaterThan(150);
  });

  it('the hub down for 40 min mid-sleep (no readings, no ticks): that time is no data, not sleep; the night goes on', () => {
    const [before, after] = splitAt(movementNight(), 5000);
    const first = replay(det, before, S(), { tickEveryS: 5, untilS: 5000 });
    const second = replay(det, after.filter(([t]) => t >= 7400), S(), { tickEveryS: 5, untilS: 29_800, state: snapshot(first.state), fromS: 7400 });
    expect([...first.events, ...second.events].map((f) => f.at)).toEqual([26_100 + H]);
    const d = second.events[0]!.e.data;
    // The radar's last reading before the outage was at 4995 s: it is trusted for device_quiet_s
    // (120 s) more; from then to its first reading after the restart (7405 s) is unknown. The
    // still stretch goes on after it.
    expect(d.scoredBy).toEqual({ sleepStateS: 0, movementS: 26_070 - 1410 - 2290, unscoredS: 0, noDataS: 7405 - 5115 });
    expect(d.totalSleepS).toBe(23_780 - 2290);
    expect(d.timeInBedS).toBe(26_070);
  });

  it('apnea index: the apnea detector\'s own count of the night, the same pauses as its event.apnea', () => {
    // MR60BHA1 says breathStatus none for 15 s at 01:00, 12 s at 02:00 and 25 s at 03:00 (an alarm).
    const pauses: Script = [];
    for (const [t, len] of [[3 * H, 15], [4 * H, 12], [5 * H, 25]] as const) pauses.push([t, 'breathStatus', 'none'], [t + len, 'breathStatus', 'normal']);
    // The module sends no positive rate while it says none (apnea.ts): its rate reports pause too.
    const inPause = (t: number) => [3 * H, 4 * H, 5 * H].some((p) => t >= p && t <= p + 25);
    const script = [...moduleNight().filter(([t, m]) => m !== 'breathRatePerMin' || !inPause(t)), ...pauses];
    const report = run(script, 31_300).events[0]!.e.data.apnea;
    expect(report).toEqual({ events: 3, monitoredS: 27_570, perHour: 0.4, band: 'normal', longestEventS: 25 });
    const apnea = replay(apneaDetector, script, ApneaSettingsSchema.parse({}), { tickEveryS: 5, untilS: 31_300 }).events;
    expect(apnea.filter((f) => f.e.type === 'event.apnea').map((f) => f.e.data.durationS)).toEqual([15, 12, 25]);
    // Apnea settings are the apnea detector's: with min_pause_s 13 the 12 s pause is not an apnea here either.
    expect(run(script, 31_300, S({}, { min_pause_s: 13 })).events[0]!.e.data.apnea).toMatchObject({ events: 2, longestEventS: 25 });
    expect(run(script, 31_300, S({}, { enabled: false })).events[0]!.e.data.apnea).toBeNull();
  });

  it('obstructive apnea night seen by heart rate: the screener (1 Hz radar heart rate while in bed) classes it A; a quiet night C', () => {
    const night = (cyclic: boolean): Script => {
      const s: Script = [[0, 'presence', true], [30, 'bedState', 'in'], [30, 'sleepState', 'light']];
      for (let t = 31; t < 5 * H; t++) {
        // Cyclic variation of heart rate: a 45 s apnea-arousal cycle (bradycardia, then a surge), plus breathing.
        const base = cyclic ? 62 + (t % 45 < 35 ? -4 : 10 * Math.sin((Math.PI * ((t % 45) - 35)) / 10)) : 60;
        // +-0.3 bpm of deterministic jitter: a pure sinusoid sampled at 1 Hz has no beat-to-beat
        // variability at all and reads as slightly cyclic to the screener (class B, 0 flagged minutes:
        // a failure mode in its README); heart rates, even a radar's, are not that regular.
        const jitter = 0.3 * Math.sin(t * 12.9898) * Math.cos(t * 78.233);
        s.push([t, 'heartRateBpm', Math.round((base + 2 * Math.sin((2 * Math.PI * t) / 4.1) + jitter) * 10) / 10]);
        if (t % 5 === 0) s.push([t, 'breathRatePerMin', 13]);
      }
      s.push([5 * H, 'bedState', 'out'], [5 * H + 30, 'presence', false], ...heartbeats(5 * H + 60, 6 * H + 60));
      return s;
    };
    const screen = (cyclic: boolean) => run(night(cyclic), 6 * H + 60).events[0]!.e.data.hrApneaScreening as Record<string, unknown>;
    const a = screen(true);
    expect(a).toMatchObject({ cls: 'A', startMinuteTs: at(0) });
    expect(a.apneaMinutes).toBeGreaterThanOrEqual(250);
    expect(a.minutesAnalysed).toBeGreaterThanOrEqual(290);
    expect((a.minutes as string).length).toBe(300);
    const c = screen(false);
    expect(c).toMatchObject({ cls: 'C', apneaMinutes: 0 });
    expect(c.minutesAnalysed).toBeGreaterThanOrEqual(290);
  });

  it('bed-bound (MR60BHA2: presence and rates, no bed state, no movement): a report at 12:00 each day, time unscored', () => {
    const script: Script = [[0, 'presence', true]];
    for (let t = 5; t < 40 * H; t += 10) script.push([t, t % 20 === 5 ? 'heartRateBpm' : 'breathRatePerMin', t % 20 === 5 ? 64 : 14]);
    const { events } = run(script, 40 * H);
    expect(events.map((f) => [f.at, f.e.data.endedBy, f.e.data.startTs, f.e.data.endTs])).toEqual([
      [14 * H, 'report_by', at(15), at(14 * H)], // a bed radar from its first breathing rate (presence and vital signs)
      [38 * H, 'report_by', at(14 * H), at(38 * H)],
    ]);
    expect(events[1]!.e.data).toMatchObject({
      timeInBedS: 24 * H, totalSleepS: 0, sleepOnsetTs: null, sleepOnsetLatencyS: null, wakeAfterSleepOnsetS: null,
      avgHeartRateAsleepBpm: null, scoredBy: { sleepStateS: 0, movementS: 0, unscoredS: 24 * H, noDataS: 0 },
    });
    expect(run(script, 40 * H, S({ report_by: null })).events).toEqual([]);
  });

  it('not a bed: a living-room presence radar, a heart-rate strap, a door contact never make a night', () => {
    const livingRoom: Script = [[0, 'presence', true], [0, 'targetState', 'still']];
    for (let t = 60; t < 20 * H; t += 60) livingRoom.push([t, 'presence', true]);
    expect(run(livingRoom, 20 * H).events).toEqual([]);
    const strap: Script = [];
    for (let t = 0; t < 20 * H; t += 5) strap.push([t, 'heartRateBpm', 70]);
    expect(run(strap, 20 * H).events).toEqual([]);
    const door = replay(det, [[0, 'contact', true], [H, 'contact', false]], S(), { tickEveryS: 5, untilS: 2 * H });
    expect(door.events).toEqual([]);
    expect(door.state).toEqual(det.initialState());
  });

  it('disabled: nothing', () => {
    expect(run(moduleNight(), 31_300, S({ enabled: false })).events).toEqual([]);
  });

  it('bounded state: a whole night at 1 Hz keeps the snapshot small', () => {
    const s: Script = [[0, 'presence', true], [30, 'bedState', 'in']];
    for (let t = 31; t < 9 * H; t++) s.push([t, 'heartRateBpm', 60 + (t % 7)]);
    const { state } = replay(det, s, S(), { tickEveryS: 5, untilS: 9 * H });
    expect(JSON.stringify(state).length).toBeLessThan(120_000);
  });

  it('every event is an info report.sleep (never an alarm)', () => {
    const all: EventDraft[] = [...run(moduleNight(), 31_300).events, ...run(movementNight(), 29_800).events].map((f) => f.e);
    expect(all.every((e) => e.type === 'report.sleep' && e.severity === 'info' && e.state === 'info')).toBe(true);
  });
});
