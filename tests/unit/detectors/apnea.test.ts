/**
 * Named scenarios for the apnea detector (event.apnea, alarm.apnea, nightly apnea index): each replays
 * a night second by second through the pure detector, with a tick every second, and expects exact events.
 */
import { describe, expect, it } from 'vitest';
import {
  apneaDefaults,
  apneaDetector as det,
  apneaIndexBand,
  apneaSummary,
  type ApneaSettings,
} from '../../../src/detectors/apnea.js';
import { ApneaSettingsSchema } from '../../../src/detectors/settings/apnea.js';
import { at, replay, snapshot, splitAt, type Script } from './scenario.js';

const run = (script: Script, settings: Partial<ApneaSettings> = {}, untilS?: number) =>
  replay(det, script, { ...apneaDefaults, ...settings }, untilS === undefined ? {} : { untilS });

/**
 * An MR60BHA1 over the bed: presence, in bed, still; every 3 s breathStatus normal + 14/min, and a
 * heart rate and body movement 1 (still) that go on during pauses. A pause [a, b) is
 * `breathStatus: none` at a, no breathing readings until b, then normal + 14/min at b.
 */
function mr60bha1Night(untilS: number, pauses: Array<[number, number]> = []): Script {
  const out: Script = [[0, 'presence', true], [0, 'bedState', 'in'], [0, 'motion', 'still']];
  for (let t = 1; t <= untilS; t++) {
    const inPause = pauses.some(([a, b]) => t >= a && t < b);
    if (pauses.some(([a]) => a === t)) out.push([t, 'breathStatus', 'none']);
    if (pauses.some(([, b]) => b === t)) out.push([t, 'breathStatus', 'normal'], [t, 'breathRatePerMin', 14]);
    else if (t % 3 === 0 && !inPause) out.push([t, 'breathStatus', 'normal'], [t, 'breathRatePerMin', 14]);
    if (t % 3 === 0) out.push([t, 'heartRateBpm', 62], [t, 'bodyMovement', 1]);
  }
  return out;
}

/**
 * An MR60BHA2 over the bed (no bed state, no motion): presence, distance and phases 4 times a second,
 * a breathing rate 4 times a second except during the silences [a, b) (the module's 0.0 "no value",
 * dropped by the driver), a heart rate once a second throughout.
 */
function mr60bha2Night(untilS: number, silences: Array<[number, number]> = []): Script {
  const out: Script = [];
  for (let q = 0; q <= untilS * 4; q++) {
    const t = q / 4;
    out.push([t, 'presence', true], [t, 'distanceCm', 80], [t, 'breathPhase', Math.sin(t)]);
    if (!silences.some(([a, b]) => t >= a && t < b)) out.push([t, 'breathRatePerMin', 15]);
    if (q % 4 === 0) out.push([t, 'heartRateBpm', 60]);
  }
  return out;
}

const apnea = (startS: number, durationS: number, source = 'breathStatus', endedBy = 'breathing') => ({
  type: 'event.apnea',
  severity: 'info',
  device: 'radar',
  state: 'info',
  data: { pauseStartTs: at(startS), durationS, source, endedBy },
});

describe('apnea detector (AASM cessation >= 10 s, alarm after 20 s, nightly index)', () => {
  it('normal night (8 h, MR60BHA1): no events; index 0, normal; 8 h monitored', () => {
    const { events, state } = run(mr60bha1Night(8 * 3600));
    expect(events).toEqual([]);
    const night = apneaSummary(state).night!;
    expect(night).toMatchObject({ startedAtTs: at(0), monitoredS: 8 * 3600, events: 0, perHour: 0, band: 'normal' });
  });

  it('obstructive apnea night: a 15 s pause every 3 min for 6 h is 120 apneas, index 20/h (moderate), no alarm', () => {
    const pauses: Array<[number, number]> = [];
    for (let a = 100; a + 15 <= 6 * 3600; a += 180) pauses.push([a, a + 15]);
    expect(pauses).toHaveLength(120);
    const { events, state } = run(mr60bha1Night(6 * 3600, pauses));
    expect(events.map((x) => x.e)).toEqual(pauses.map(([a]) => apnea(a, 15)));
    expect(events.map((x) => x.at)).toEqual(pauses.map(([, b]) => b));
    expect(apneaSummary(state)).toEqual({
      night: { startedAtTs: at(0), lastMonitoredTs: at(6 * 3600), monitoredS: 21600, events: 120, perHour: 20, band: 'moderate', longestEventS: 15, meanEventS: 15 },
      previousNight: null,
    });
  });

  it('a 40 s breathing stop: alarm.apnea raised at 20 s, cleared when breathing resumes, event.apnea of 40 s', () => {
    const { events } = run(mr60bha1Night(300, [[100, 140]]));
    expect(events).toEqual([
      {
        at: 120,
        e: { type: 'alarm.apnea', severity: 'critical', device: 'radar', state: 'raised', data: { pauseStartTs: at(100), pauseS: 20, source: 'breathStatus', alarmAfterS: 20 } },
      },
      { at: 140, e: apnea(100, 40) },
      {
        at: 140,
        e: {
          type: 'alarm.apnea',
          severity: 'critical',
          device: 'radar',
          state: 'cleared',
          data: { pauseStartTs: at(100), raisedAtTs: at(120), pauseS: 40, durationS: 20, clearedBy: 'breathStatus' },
        },
      },
    ]);
  });

  it('tick detects the pause when no reading arrives at all (MR60BHA1 silent after saying none)', () => {
    const script = mr60bha1Night(300, [[100, 125]]).filter(([t]) => t <= 100 || t >= 125);
    expect(run(script).events.map((x) => [x.at, x.e.type, x.e.state, x.e.data.pauseS ?? x.e.data.durationS])).toEqual([
      [120, 'alarm.apnea', 'raised', 20],
      [125, 'event.apnea', 'info', 25],
      [125, 'alarm.apnea', 'cleared', 25],
    ]);
  });

  it('a 9 s pause is not an apnea; 10 s is', () => {
    expect(run(mr60bha1Night(200, [[100, 109]])).events).toEqual([]);
    expect(run(mr60bha1Night(200, [[100, 110]])).events.map((x) => x.e)).toEqual([apnea(100, 10)]);
  });

  it('a 19 s pause logs an apnea but raises no alarm', () => {
    expect(run(mr60bha1Night(200, [[100, 119]])).events.map((x) => [x.at, x.e.type])).toEqual([[119, 'event.apnea']]);
  });

  it('MR60BHA2: 30 s without a breathing rate while its heart rate goes on is an apnea from the last rate', () => {
    // Last rate at 199.75 s, next at 230 s: a 30.25 s pause. The presence reading at 219.75 s (20 s
    // into the pause) raises the alarm; a tick would have, had no reading come.
    const { events } = run(mr60bha2Night(300, [[200, 230]]));
    expect(events.map((x) => [x.at, x.e.type, x.e.state, x.e.data])).toEqual([
      [219.75, 'alarm.apnea', 'raised', { pauseStartTs: at(199.75), pauseS: 20, source: 'rateSilence', alarmAfterS: 20 }],
      [230, 'event.apnea', 'info', { pauseStartTs: at(199.75), durationS: 30, source: 'rateSilence', endedBy: 'breathing' }],
      [230, 'alarm.apnea', 'cleared', { pauseStartTs: at(199.75), raisedAtTs: at(219.75), pauseS: 30, durationS: 10, clearedBy: 'breathRatePerMin' }],
    ]);
  });

  it('MR60BHA2: breathing and heart rate both silent (person moving beside the bed, or lost by the module) is not an apnea', () => {
    const script = mr60bha2Night(300).filter(([t, m]) => !((m === 'breathRatePerMin' || m === 'heartRateBpm') && t >= 200 && t < 240));
    expect(run(script).events).toEqual([]);
  });

  it('MR60BHA1 reporting every 3 s: a 12 s hole between rate reports is not judged (only breathStatus none is)', () => {
    const script = mr60bha1Night(300).filter(([t, m]) => !((m === 'breathRatePerMin' || m === 'breathStatus') && t > 100 && t < 112));
    expect(run(script).events).toEqual([]);
  });

  it('the whole radar going quiet is not an apnea (device supervision reports it)', () => {
    // MR60BHA2 unplugged at 200 s: nothing at all arrives until 400 s.
    const script = mr60bha2Night(400).filter(([t]) => t < 200 || t >= 400);
    expect(run(script).events).toEqual([]);
  });

  it('out of bed, absent, or beyond 1.5 m: breathStatus none raises nothing', () => {
    const pause: Array<[number, number]> = [[100, 160]];
    const outOfBed = mr60bha1Night(300, pause).map((x): Script[number] => (x[1] === 'bedState' ? [x[0], 'bedState', 'out'] : x));
    expect(run(outOfBed).events).toEqual([]);
    const absent = mr60bha1Night(300, pause).map((x): Script[number] => (x[1] === 'presence' ? [x[0], 'presence', false] : x));
    expect(run(absent).events).toEqual([]);
    expect(run([...mr60bha1Night(300, pause), [50, 'distanceCm', 240]]).events).toEqual([]);
  });

  it('leaving the bed mid-pause discards the pause; an open alarm stays open until breathing is seen', () => {
    // Pause from 100; out of bed at 105 (discarded, no event); back at 110; breathing only at 200.
    const left = run([...mr60bha1Night(300, [[100, 200]]), [105, 'bedState', 'out'], [110, 'bedState', 'in']]);
    // Back in bed at 110 with the status still none: a new pause from 110, alarm at 130, apnea of 90 s.
    expect(left.events.map((x) => [x.at, x.e.type, x.e.state, x.e.data.pauseStartTs])).toEqual([
      [130, 'alarm.apnea', 'raised', at(110)],
      [200, 'event.apnea', 'info', at(110)],
      [200, 'alarm.apnea', 'cleared', at(110)],
    ]);
    // Alarm open at 130; the person gets up at 150: nothing is cleared until a breath is seen at 200.
    const open = run([...mr60bha1Night(300, [[100, 200]]), [150, 'bedState', 'out']]);
    expect(open.events.map((x) => [x.at, x.e.type, x.e.state])).toEqual([
      [120, 'alarm.apnea', 'raised'],
      [200, 'alarm.apnea', 'cleared'],
    ]);
  });

  it('movement: a short "pause" during movement is an artefact; movement ending a 15 s pause is an arousal, logged', () => {
    // Status none at 100, movement at 105 (a 5 s pause: discarded), still at 106: suspended until 126
    // (settle); breathing at 130 ends a 4 s pause from 126: nothing.
    const artefact = run([...mr60bha1Night(300, [[100, 130]]), [105, 'motion', 'active'], [106, 'motion', 'still']]);
    expect(artefact.events).toEqual([]);
    // bodyMovement 45 (> 30) at 115 ends a 15 s pause: logged as ended by movement.
    const arousal = run([...mr60bha1Night(300, [[100, 118]]), [115, 'bodyMovement', 45]]);
    expect(arousal.events.map((x) => [x.at, x.e])).toEqual([[115, apnea(100, 15, 'breathStatus', 'movement')]]);
  });

  it('0 is "no value": a rate of 0 neither ends a pause nor counts as one', () => {
    const { events } = run([...mr60bha1Night(300, [[100, 140]]), [110, 'breathRatePerMin', 0], [112, 'breathRatePerMin', -1]]);
    expect(events.map((x) => [x.at, x.e.type, x.e.state])).toEqual([
      [120, 'alarm.apnea', 'raised'],
      [140, 'event.apnea', 'info'],
      [140, 'alarm.apnea', 'cleared'],
    ]);
  });

  it('restart in the middle of the 40 s stop (snapshot at 110 s): continues exactly', () => {
    const script = mr60bha1Night(300, [[100, 140]]);
    const whole = run(script);
    const [before, after] = splitAt(script, 110);
    const first = replay(det, before, apneaDefaults, { untilS: 109 });
    const second = replay(det, after, apneaDefaults, { state: snapshot(first.state), fromS: 110 });
    expect([...first.events, ...second.events]).toEqual(whole.events);
    expect(snapshot(second.state)).toEqual(snapshot(whole.state));
  });

  it('restart with the alarm open: not raised again, cleared once', () => {
    const script = mr60bha1Night(300, [[100, 140]]);
    const [before, after] = splitAt(script, 125);
    const first = replay(det, before, apneaDefaults, { untilS: 124 });
    expect(first.events.map((x) => x.e.state)).toEqual(['raised']);
    const second = replay(det, after, apneaDefaults, { state: snapshot(first.state), fromS: 125 });
    expect(second.events.map((x) => [x.at, x.e.type, x.e.state])).toEqual([
      [140, 'event.apnea', 'info'],
      [140, 'alarm.apnea', 'cleared'],
    ]);
  });

  it('a new night starts after 4 h out of bed; the previous night stays readable', () => {
    const night1 = mr60bha1Night(3600, [[100, 130]]);
    // Out of bed at 3601 s; back in bed 5 h later with one 12 s pause.
    const later = mr60bha1Night(1800, [[500, 512]]).map(([t, m, v]): Script[number] => [t + 3600 + 5 * 3600, m, v]);
    const { state } = run([...night1, [3601, 'bedState', 'out'], ...later]);
    const { night, previousNight } = apneaSummary(state);
    expect(previousNight).toMatchObject({ startedAtTs: at(0), monitoredS: 3601, events: 1, band: 'normal', longestEventS: 30 });
    expect(night).toMatchObject({ startedAtTs: at(3600 + 5 * 3600), monitoredS: 1800, events: 1, perHour: 2, band: 'normal' });
  });

  it('index bands: < 5 normal, 5-15 mild, 15-30 moderate, >= 30 severe', () => {
    expect([0, 4.9, 5, 14.9, 15, 29.9, 30, 80].map(apneaIndexBand)).toEqual(['normal', 'normal', 'mild', 'mild', 'moderate', 'moderate', 'severe', 'severe']);
  });

  it('settings: the schema gives the defaults; limits are honoured; disabled does nothing', () => {
    expect(ApneaSettingsSchema.parse({})).toEqual(apneaDefaults);
    expect(() => ApneaSettingsSchema.parse({ min_pause_s: 20, alarm_after_s: 15 })).toThrow(/alarm_after_s/);
    expect(() => ApneaSettingsSchema.parse({ min_pause: 10 })).toThrow();
    const s = ApneaSettingsSchema.parse({ min_pause_s: 5, alarm_after_s: 8, severity: 'warning' });
    expect(run(mr60bha1Night(200, [[100, 110]]), s).events.map((x) => [x.at, x.e.type, x.e.state, x.e.severity])).toEqual([
      [108, 'alarm.apnea', 'raised', 'warning'],
      [110, 'event.apnea', 'info', 'info'],
      [110, 'alarm.apnea', 'cleared', 'warning'],
    ]);
    expect(run(mr60bha1Night(300, [[100, 160]]), { enabled: false }).events).toEqual([]);
  });

  it('state stays bounded over a long night (no growing arrays)', () => {
    const pauses: Array<[number, number]> = [];
    for (let a = 100; a + 15 <= 4 * 3600; a += 60) pauses.push([a, a + 15]);
    const { state } = run(mr60bha1Night(4 * 3600, pauses));
    expect(JSON.stringify(state).length).toBeLessThan(1200);
  });
});
