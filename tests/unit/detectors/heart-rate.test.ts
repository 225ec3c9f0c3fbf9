/**
 * Named scenarios for alarm.heart_rate (NEWS2 pulse bands, sustained, artefact-gated): each replays a
 * situation through the pure detector with a manual clock and expects exact events.
 */
import { describe, expect, it } from 'vitest';
import {
  heartRateDefaults,
  heartRateDetector as det,
  type HeartRateSettings,
} from '../../../src/detectors/heart-rate.js';
import { HeartRateSettingsSchema } from '../../../src/detectors/settings/heart-rate.js';
import { at, replay, snapshot, splitAt, type Script } from './scenario.js';

const run = (script: Script, settings: Partial<HeartRateSettings> = {}) => replay(det, script, { ...heartRateDefaults, ...settings });

/** A heart rate every `stepS` seconds from `from` to `to` (inclusive). */
const hr = (from: number, to: number, bpm: number | ((t: number) => number), stepS = 2, metric = 'heartRateBpm'): Script => {
  const out: Script = [];
  for (let t = from; t <= to; t += stepS) out.push([t, metric, typeof bpm === 'number' ? bpm : bpm(t)]);
  return out;
};

/** A still person in front of the radar. */
const still: Script = [[0, 'presence', true], [0, 'motion', 'still'], [0, 'bodyMovement', 1]];

const states = (events: ReturnType<typeof run>['events']) => events.map((x) => [x.at, x.e.state, x.e.severity]);

describe('heart-rate detector (NEWS2 pulse bands, sustained, artefact-gated)', () => {
  it('normal night (1 h, 55-85 bpm): no events', () => {
    expect(run([...still, ...hr(1, 3600, (t) => 55 + (t % 31))]).events).toEqual([]);
  });

  it('tachycardia 140 at rest: critical at exactly 60 s; cleared 30 s after it is back to normal', () => {
    const { events, state } = run([...still, ...hr(10, 200, 140), ...hr(202, 260, 80)]);
    expect(events).toEqual([
      {
        at: 70,
        e: {
          type: 'alarm.heart_rate',
          severity: 'critical',
          device: 'radar',
          state: 'raised',
          data: { heartRateBpm: 140, direction: 'high', limitBpm: 131, outOfBandSinceTs: at(10), sustainedS: 60 },
        },
      },
      {
        at: 232,
        e: {
          type: 'alarm.heart_rate',
          severity: 'critical',
          device: 'radar',
          state: 'cleared',
          data: { heartRateBpm: 80, worstBpm: 140, raisedAtTs: at(70), durationS: 162 },
        },
      },
    ]);
    expect(state.alarm).toBeNull();
  });

  it('tachycardia 140 with motion artefacts (radar reports motion active): no alarm', () => {
    expect(run([[0, 'presence', true], [0, 'motion', 'active'], ...hr(1, 600, 140)]).events).toEqual([]);
  });

  it('tachycardia 140 with body movement above 30: no alarm; at 30 or below: alarm', () => {
    expect(run([[0, 'presence', true], [0, 'motion', 'still'], [0, 'bodyMovement', 45], ...hr(1, 600, 140)]).events).toEqual([]);
    expect(states(run([[0, 'presence', true], [0, 'motion', 'still'], [0, 'bodyMovement', 30], ...hr(1, 200, 140)]).events)).toEqual([[61, 'raised', 'critical']]);
  });

  it('movement suspends the stopwatch: 40 s before, movement, 20 s settling, then 20 s more raise at 60 s of clean evidence', () => {
    // 140 from 0 to 40 s (40 s counted); moves at 41, still at 42; ignored until 62 (settle 20 s);
    // counting resumes at 62 and reaches 60 s at 82.
    const { events } = run([...still, ...hr(0, 200, 140), [41, 'motion', 'active'], [42, 'motion', 'still']]);
    expect(events.map((x) => [x.at, x.e.data])).toEqual([[82, { heartRateBpm: 140, direction: 'high', limitBpm: 131, outOfBandSinceTs: at(0), sustainedS: 60 }]]);
  });

  it('restless person (moves every 40 s): 140 only while moving and settling (artefact), 80 when still: no alarm', () => {
    const script: Script = [...still, ...hr(0, 1200, (t) => (t % 40 < 30 ? 140 : 80))];
    for (let c = 0; c < 1200; c += 40) script.push([c, 'motion', 'active'], [c + 10, 'motion', 'still']);
    expect(run(script).events).toEqual([]);
  });

  it('restless person with a real tachycardia: the still windows (10 s in every 40 s) add up to 60 s at 240 s', () => {
    // Moves at 40c, still at 40c + 10, readings accepted from 40c + 30 to 40c + 40: 10 s of clean
    // evidence per cycle; the 30 s holes are within max_gap_s, so the stopwatch is suspended, not reset.
    const script: Script = [...still, ...hr(0, 1200, 140)];
    for (let c = 0; c < 1200; c += 40) script.push([c, 'motion', 'active'], [c + 10, 'motion', 'still']);
    expect(run(script).events.map((x) => [x.at, x.e.severity, x.e.data.outOfBandSinceTs, x.e.data.sustainedS])).toEqual([[240, 'critical', at(0), 60]]);
  });

  it('bradycardia 38: critical, direction low', () => {
    const { events } = run([...still, ...hr(1, 100, 38)]);
    expect(events.map((x) => [x.at, x.e.severity, x.e.data])).toEqual([[61, 'critical', { heartRateBpm: 38, direction: 'low', limitBpm: 40, outOfBandSinceTs: at(1), sustainedS: 60 }]]);
  });

  it('bands: 40 critical, 41 and 50 warning, 51 and 110 normal, 111 and 130 warning, 131 critical', () => {
    const sev = (bpm: number) => run([...still, ...hr(1, 100, bpm)]).events.map((x) => x.e.severity);
    expect([40, 41, 50, 51, 110, 111, 130, 131].map(sev)).toEqual([['critical'], ['warning'], ['warning'], [], [], ['warning'], ['warning'], ['critical']]);
  });

  it('warning 120 then critical 140: one alarm escalated once, cleared once with the highest severity', () => {
    const { events } = run([...still, ...hr(0, 90, 120), ...hr(92, 200, 140), ...hr(202, 300, 70)]);
    expect(events).toEqual([
      { at: 60, e: { type: 'alarm.heart_rate', severity: 'warning', device: 'radar', state: 'raised', data: { heartRateBpm: 120, direction: 'high', limitBpm: 111, outOfBandSinceTs: at(0), sustainedS: 60 } } },
      {
        at: 152,
        e: {
          type: 'alarm.heart_rate',
          severity: 'critical',
          device: 'radar',
          state: 'raised',
          data: { heartRateBpm: 140, direction: 'high', limitBpm: 131, outOfBandSinceTs: at(92), sustainedS: 60, escalatedFrom: 'warning', raisedAtTs: at(60) },
        },
      },
      { at: 232, e: { type: 'alarm.heart_rate', severity: 'critical', device: 'radar', state: 'cleared', data: { heartRateBpm: 70, worstBpm: 140, raisedAtTs: at(60), durationS: 172 } } },
    ]);
  });

  it('critical sustained from the start raises critical directly, never a warning first; falling back to warning does not de-escalate or re-raise', () => {
    const { events } = run([...still, ...hr(0, 100, 135), ...hr(102, 300, 120)]);
    expect(states(events)).toEqual([[60, 'raised', 'critical']]);
  });

  it('out of range values (250, 25) and 0 are ignored: no alarm, and they do not clear one', () => {
    expect(run([...still, ...hr(1, 300, 250), ...hr(2, 300, 25), ...hr(3, 300, 0)]).events).toEqual([]);
    // Open alarm at 61; then only implausible values: not cleared.
    const { events, state } = run([...still, ...hr(1, 61, 38), ...hr(63, 300, 25)]);
    expect(states(events)).toEqual([[61, 'raised', 'critical']]);
    expect(state.alarm).not.toBeNull();
  });

  it('a gap longer than max_gap_s restarts the stopwatch', () => {
    expect(run([...still, ...hr(0, 40, 140), ...hr(80, 110, 140)]).events).toEqual([]);
    expect(states(run([...still, ...hr(0, 100, 140, 20)]).events)).toEqual([[60, 'raised', 'critical']]);
  });

  it('nobody present: heart rates are ignored', () => {
    expect(run([[0, 'presence', false], ...hr(1, 300, 140)]).events).toEqual([]);
  });

  it('BLE heart-rate sensor without skin contact: ignored; with contact: alarm', () => {
    const ble = (contact: boolean): Script => hr(1, 200, 140).flatMap(([t, m, v]): Script => [[t, 'skinContact', contact], [t, m, v]]);
    expect(run(ble(false)).events).toEqual([]);
    expect(states(run(ble(true)).events)).toEqual([[61, 'raised', 'critical']]);
  });

  it('pulse oximeter pulseRateBpm: gated by its status flags', () => {
    const oxi = (flag: boolean): Script => hr(1, 200, 140, 2, 'pulseRateBpm').flatMap(([t, m, v]): Script => [[t, 'lowPerfusion', flag], [t, 'oximeterInvalid', false], [t, m, v]]);
    expect(run(oxi(true)).events).toEqual([]);
    expect(states(run(oxi(false)).events)).toEqual([[61, 'raised', 'critical']]);
  });

  it('restart in the middle of an escalating episode: snapshot continues exactly', () => {
    const script: Script = [...still, ...hr(0, 90, 120), ...hr(92, 200, 140), ...hr(202, 300, 70)];
    const whole = run(script);
    for (const cut of [30, 75, 120, 215]) {
      const [before, after] = splitAt(script, cut);
      const first = replay(det, before, heartRateDefaults);
      const second = replay(det, after, heartRateDefaults, { state: snapshot(first.state) });
      expect([...first.events, ...second.events]).toEqual(whole.events);
    }
  });

  it('settings: the schema gives the defaults, rejects unordered bands; warning band can be switched off', () => {
    expect(HeartRateSettingsSchema.parse({})).toEqual(heartRateDefaults);
    expect(() => HeartRateSettingsSchema.parse({ warning_low_bpm: 120 })).toThrow(/ordered/);
    expect(() => HeartRateSettingsSchema.parse({ plausible_min_bpm: 250 })).toThrow(/plausible_min_bpm/);
    const noWarning = HeartRateSettingsSchema.parse({ warning_high_bpm: 131, sustain_s: 10 });
    expect(run([...still, ...hr(1, 100, 125)], noWarning).events).toEqual([]);
    expect(run([...still, ...hr(1, 100, 140)], { enabled: false }).events).toEqual([]);
  });
});
