/**
 * Named scenarios for the SpO2 detector (alarm.spo2, event.desaturation, nightly ODI): a BLE pulse
 * oximeter sending one measurement a second, replayed through the pure detector, exact events.
 */
import { describe, expect, it } from 'vitest';
import { odiBand, odiSummary, spo2Defaults, spo2Detector as det, type Spo2Settings } from '../../../src/detectors/spo2.js';
import { Spo2SettingsSchema } from '../../../src/detectors/settings/spo2.js';
import { at, replay, snapshot, splitAt, type Script } from './scenario.js';

const run = (script: Script, settings: Partial<Spo2Settings> = {}) => replay(det, script, { ...spo2Defaults, ...settings }, { device: 'oximeter' });

/** One SpO2 reading a second from `from` to `to` (inclusive). */
const spo2 = (from: number, to: number, value: number | ((t: number) => number)): Script => {
  const out: Script = [];
  for (let t = from; t <= to; t++) out.push([t, 'spo2Percent', typeof value === 'number' ? value : value(t)]);
  return out;
};

/** A dip starting at `a`: 95, 94, twelve seconds at `nadir`, 93, 94, 96, then back to 97. */
const DIP = (nadir: number): number[] => [95, 94, ...new Array<number>(12).fill(nadir), 93, 94, 96];

/** 97 % with dips at the given seconds. */
function night(untilS: number, dips: number[], nadir = 92): Script {
  return spo2(0, untilS, (t) => {
    for (const a of dips) if (t >= a && t < a + DIP(nadir).length) return DIP(nadir)[t - a]!;
    return 97;
  });
}

const desat = (startS: number, durationS: number, baselinePercent: number, nadirPercent: number) => ({
  type: 'event.desaturation',
  severity: 'info',
  device: 'oximeter',
  state: 'info',
  data: { startTs: at(startS), durationS, baselinePercent, nadirPercent, depthPercent: Math.round((baselinePercent - nadirPercent) * 10) / 10 },
});

describe('spo2 detector (NEWS2 <= 91 % sustained, AASM 3 % desaturations, ODI)', () => {
  it('normal night (8 h at 96-98 %): no events; ODI 0, normal', () => {
    const { events, state } = run(spo2(0, 8 * 3600, (t) => 96 + (t % 3)));
    expect(events).toEqual([]);
    expect(odiSummary(state).night).toMatchObject({ monitoredS: 8 * 3600, events: 0, perHour: 0, band: 'normal' });
  });

  it('desaturation events: a 5-point dip every 3 min for 1 h is 20 events of 15 s; ODI 20/h, moderate; no alarm', () => {
    const dips: number[] = [];
    for (let a = 100; a + 17 <= 3600; a += 180) dips.push(a);
    expect(dips).toHaveLength(20);
    const { events, state } = run(night(3600, dips));
    // At or below 94 (97 - 3) from a + 1 to a + 15; 96 at a + 16 ends it.
    expect(events.map((x) => x.e)).toEqual(dips.map((a) => desat(a + 1, 15, 97, 92)));
    expect(events.map((x) => x.at)).toEqual(dips.map((a) => a + 16));
    expect(odiSummary(state)).toEqual({
      night: { startedAtTs: at(0), lastMonitoredTs: at(3600), monitoredS: 3600, events: 20, perHour: 20, band: 'moderate', longestEventS: 15, meanEventS: 15 },
      previousNight: null,
    });
  });

  it('apnoeic dips below 91 % for 14 s are desaturations, not alarms (the alarm needs 60 s)', () => {
    const { events } = run(night(1000, [200, 400, 600], 86));
    expect(events.map((x) => [x.at, x.e.type, x.e.data.nadirPercent])).toEqual([
      [216, 'event.desaturation', 86],
      [416, 'event.desaturation', 86],
      [616, 'event.desaturation', 86],
    ]);
  });

  it('too short (9 s) or too shallow (2 points) is not a desaturation', () => {
    const short = spo2(0, 600, (t) => (t >= 300 && t < 309 ? 92 : 97));
    expect(run(short).events).toEqual([]);
    const shallow = spo2(0, 600, (t) => (t >= 300 && t < 360 ? 95 : 97));
    expect(run(shallow).events).toEqual([]);
    // 10 s is enough.
    expect(run(spo2(0, 600, (t) => (t >= 300 && t < 310 ? 92 : 97))).events.map((x) => x.e)).toEqual([desat(300, 10, 97, 92)]);
  });

  it('sustained hypoxaemia 88 %: alarm.spo2 at 60 s, cleared 30 s after recovery; the fall is also a desaturation', () => {
    const { events } = run(spo2(0, 500, (t) => (t >= 300 && t < 390 ? 88 : 96)));
    expect(events).toEqual([
      {
        at: 360,
        e: { type: 'alarm.spo2', severity: 'critical', device: 'oximeter', state: 'raised', data: { spo2Percent: 88, thresholdPercent: 91, lowSinceTs: at(300), sustainedS: 60 } },
      },
      { at: 390, e: desat(300, 90, 96, 88) },
      {
        at: 420,
        e: { type: 'alarm.spo2', severity: 'critical', device: 'oximeter', state: 'cleared', data: { spo2Percent: 96, lowestPercent: 88, raisedAtTs: at(360), durationS: 60 } },
      },
    ]);
  });

  it('91 % is critical, 92 % is not', () => {
    expect(run(spo2(0, 200, 92)).events).toEqual([]);
    expect(run(spo2(0, 200, 91)).events.map((x) => [x.at, x.e.state])).toEqual([[60, 'raised']]);
  });

  it('artefact gating: values while sensorDisplaced / lowPerfusion / questionable / invalid (or any status flag) are ignored', () => {
    const flags = ['sensorDisplaced', 'lowPerfusion', 'oximeterQuestionable', 'oximeterInvalid', 'oximeterUnavailable', 'sensorNotOnUser', 'sensorDisconnected', 'oximeterMalfunction'];
    for (const flag of flags) {
      // A probe slipping off reads 80 % for 5 minutes, flagged: no alarm, no desaturation.
      const script: Script = spo2(0, 700, (t) => (t >= 300 && t < 600 ? 80 : 97)).flatMap(([t, m, v]): Script => [[t, flag, t >= 300 && t < 600], [t, m, v]]);
      const { events, state } = run(script);
      expect(events).toEqual([]);
      // Flagged time is not monitored time: 700 s of readings, 300 s flagged, ~400 s counted.
      expect(odiSummary(state).night!.monitoredS).toBe(400);
    }
  });

  it('stored, demonstration or test data (Measurement Status bits 9-11) is not the resident now: ignored', () => {
    // An oximeter uploading its memory: 85 % values flagged "data from measurement storage" (0x0200).
    const script: Script = spo2(0, 700, (t) => (t >= 300 && t < 600 ? 85 : 97)).flatMap(([t, m, v]): Script => [[t, 'oximeterMeasurementStatus', t >= 300 && t < 600 ? 0x0200 : 0x0080], [t, m, v]]);
    expect(run(script).events).toEqual([]);
    const live: Script = spo2(0, 700, (t) => (t >= 300 && t < 600 ? 85 : 97)).flatMap(([t, m, v]): Script => [[t, 'oximeterMeasurementStatus', 0x0080], [t, m, v]]);
    expect(run(live).events.map((x) => [x.at, x.e.type, x.e.state])).toEqual([[360, 'alarm.spo2', 'raised'], [600, 'event.desaturation', 'info'], [630, 'alarm.spo2', 'cleared']]);
  });

  it('out of range values (0, 40, 101, 127) are ignored', () => {
    const script = spo2(0, 600, (t) => [97, 0, 40, 101, 127][t % 5]!);
    expect(run(script).events).toEqual([]);
  });

  it('a desaturation interrupted by more than max_gap_s of flagged readings is discarded', () => {
    const script: Script = spo2(0, 600, (t) => (t >= 300 && t < 340 ? 90 : 97)).flatMap(([t, m, v]): Script => [[t, 'lowPerfusion', t >= 310 && t < 325], [t, m, v]]);
    expect(run(script).events).toEqual([]);
    // A shorter interruption (5 s) is bridged.
    const bridged: Script = spo2(0, 600, (t) => (t >= 300 && t < 340 ? 90 : 97)).flatMap(([t, m, v]): Script => [[t, 'lowPerfusion', t >= 310 && t < 315], [t, m, v]]);
    expect(run(bridged).events.map((x) => x.e)).toEqual([desat(300, 40, 97, 90)]);
  });

  it('no baseline yet: a low start is not a desaturation (but a sustained one is still an alarm)', () => {
    expect(run(spo2(0, 100, (t) => (t < 40 ? 93 : 97))).events).toEqual([]);
  });

  it('restart in the middle of a desaturation and of a sustained low: continues exactly', () => {
    const script = spo2(0, 500, (t) => (t >= 300 && t < 390 ? 88 : 96));
    const whole = run(script);
    for (const cut of [200, 330, 370, 400]) {
      const [before, after] = splitAt(script, cut);
      const first = run(before);
      const second = replay(det, after, spo2Defaults, { device: 'oximeter', state: snapshot(first.state) });
      expect([...first.events, ...second.events]).toEqual(whole.events);
      expect(snapshot(second.state)).toEqual(snapshot(whole.state));
    }
  });

  it('ODI bands use the AHI cut-offs; a new night starts after 4 h without oximetry', () => {
    expect([4, 5, 15, 30].map(odiBand)).toEqual(['normal', 'mild', 'moderate', 'severe']);
    const later = night(1800, [500]).map(([t, m, v]): Script[number] => [t + 6 * 3600, m, v]);
    const { state } = run([...night(3600, [100, 400]), ...later]);
    const { night: current, previousNight } = odiSummary(state);
    expect(previousNight).toMatchObject({ startedAtTs: at(0), monitoredS: 3600, events: 2, perHour: 2 });
    expect(current).toMatchObject({ startedAtTs: at(6 * 3600), monitoredS: 1800, events: 1, perHour: 2 });
  });

  it('state stays bounded (ring of 10 s buckets)', () => {
    const { state } = run(night(4 * 3600, Array.from({ length: 60 }, (_, i) => 100 + i * 200)));
    expect(state.ring.k).toHaveLength(13);
    expect(JSON.stringify(state).length).toBeLessThan(1000);
  });

  it('settings: the schema gives the defaults; scale-2 limit and disabled are honoured', () => {
    expect(Spo2SettingsSchema.parse({})).toEqual(spo2Defaults);
    expect(() => Spo2SettingsSchema.parse({ plausible_min_percent: 95 })).toThrow(/plausible_min_percent/);
    expect(() => Spo2SettingsSchema.parse({ threshold: 91 })).toThrow();
    expect(run(spo2(0, 200, 88), { critical_at_or_below_percent: 83 }).events).toEqual([]);
    expect(run(spo2(0, 200, 80), { enabled: false }).events).toEqual([]);
  });
});
