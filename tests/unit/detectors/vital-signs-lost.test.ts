/**
 * Named scenarios for alarm.vital_signs_lost: a radar that sees someone in bed but no breath and no
 * heart beat for 60 s. Ticks every second, exact expected events.
 */
import { describe, expect, it } from 'vitest';
import {
  vitalSignsLostDefaults,
  vitalSignsLostDetector as det,
  type VitalSignsLostSettings,
} from '../../../src/detectors/vital-signs-lost.js';
import { VitalSignsLostSettingsSchema } from '../../../src/detectors/settings/vital-signs-lost.js';
import { at, replay, snapshot, splitAt, type Script } from './scenario.js';

const run = (script: Script, settings: Partial<VitalSignsLostSettings> = {}, untilS?: number) =>
  replay(det, script, { ...vitalSignsLostDefaults, ...settings }, untilS === undefined ? {} : { untilS });

/**
 * An MR60BHA1: presence and bed state at 0, then every 3 s body movement 1 (still) and, outside the
 * lost interval [a, b), a breath status, a breathing rate and a heart rate.
 */
function mr60bha1(untilS: number, lost: [number, number] | null, bed: 'in' | 'out' = 'in'): Script {
  const out: Script = [[0, 'presence', true], [0, 'bedState', bed], [0, 'motion', 'still']];
  for (let t = 3; t <= untilS; t += 3) {
    out.push([t, 'bodyMovement', 1]);
    if (lost === null || t < lost[0] || t >= lost[1]) out.push([t, 'breathStatus', 'normal'], [t, 'breathRatePerMin', 14], [t, 'heartRateBpm', 62]);
  }
  return out;
}

describe('vital-signs-lost detector (in bed, no breath and no heart for 60 s)', () => {
  it('normal night (8 h): no events', () => {
    expect(run(mr60bha1(8 * 3600, null)).events).toEqual([]);
  });

  it('vital signs lost in bed: critical alarm 60 s after the last vital sign; cleared by the next one', () => {
    // Last vital signs at 99 s; none from 102 to 297; breath again at 300.
    const { events } = run(mr60bha1(400, [100, 300]));
    expect(events).toEqual([
      {
        at: 159,
        e: {
          type: 'alarm.vital_signs_lost',
          severity: 'critical',
          device: 'radar',
          state: 'raised',
          data: { lostSinceTs: at(99), lastVitalSignTs: at(99), silentS: 60, lostAfterS: 60 },
        },
      },
      {
        at: 300,
        e: {
          type: 'alarm.vital_signs_lost',
          severity: 'critical',
          device: 'radar',
          state: 'cleared',
          data: { lostSinceTs: at(99), raisedAtTs: at(159), durationS: 141, clearedBy: 'breathStatus' },
        },
      },
    ]);
  });

  it('59 s without vital signs is not enough: a heart rate at 158 s restarts the timer', () => {
    // Last vital signs at 99 s; a lone heart rate at 158 s (59 s later); then nothing: raised at 218 s.
    const { events } = run([...mr60bha1(400, [100, 400]), [158, 'heartRateBpm', 64]]);
    expect(events.map((x) => [x.at, x.e.state, x.e.data.lostSinceTs])).toEqual([[218, 'raised', at(158)]]);
  });

  it('out of bed: no alarm', () => {
    expect(run(mr60bha1(400, [100, 400], 'out')).events).toEqual([]);
  });

  it('absent, or beyond 1.5 m: no alarm', () => {
    const absent = mr60bha1(400, [100, 400]).map((x): Script[number] => (x[1] === 'presence' ? [x[0], 'presence', false] : x));
    expect(run(absent).events).toEqual([]);
    expect(run([...mr60bha1(400, [100, 400]), [100, 'distanceCm', 260]]).events).toEqual([]);
  });

  it('the radar going completely silent is not "vital signs lost" (device supervision reports it)', () => {
    const script = mr60bha1(400, null).filter(([t]) => t < 100);
    expect(run(script, {}, 400).events).toEqual([]);
  });

  it('movement is a sign of life: the timer restarts after it (and the settle time)', () => {
    // Last vital signs at 99; moves at 130, still at 140: counting restarts at 160 (settle 20 s),
    // so the alarm comes at 220 rather than 159.
    const { events } = run([...mr60bha1(400, [100, 400]), [130, 'motion', 'active'], [140, 'motion', 'still']]);
    expect(events.map((x) => [x.at, x.e.state, x.e.data.lostSinceTs])).toEqual([[220, 'raised', at(160)]]);
  });

  it('fires from tick alone when the radar only sends presence (MR60BHA2 without vital signs in range of its estimate)', () => {
    const script: Script = [];
    for (let t = 0; t <= 200; t++) {
      script.push([t, 'presence', true], [t, 'distanceCm', 90]);
      if (t < 50) script.push([t, 'breathRatePerMin', 15], [t, 'heartRateBpm', 58]);
    }
    expect(run(script).events.map((x) => [x.at, x.e.state, x.e.data.lastVitalSignTs])).toEqual([[109, 'raised', at(49)]]);
  });

  it('leaving the bed does not clear an open alarm; a vital sign does', () => {
    const { events } = run([...mr60bha1(400, [100, 300]), [200, 'bedState', 'out']]);
    expect(events.map((x) => [x.at, x.e.state])).toEqual([[159, 'raised'], [300, 'cleared']]);
  });

  it('restart in the middle (before and after the raise): continues exactly, no second raise', () => {
    const script = mr60bha1(400, [100, 300]);
    const whole = run(script);
    for (const cut of [130, 200]) {
      const [before, after] = splitAt(script, cut);
      const first = replay(det, before, vitalSignsLostDefaults, { untilS: cut - 1 });
      const second = replay(det, after, vitalSignsLostDefaults, { state: snapshot(first.state), fromS: cut });
      expect([...first.events, ...second.events]).toEqual(whole.events);
    }
  });

  it('settings: the schema gives the defaults; lost_after_s and disabled are honoured', () => {
    expect(VitalSignsLostSettingsSchema.parse({})).toEqual(vitalSignsLostDefaults);
    expect(() => VitalSignsLostSettingsSchema.parse({ lost_after: 60 })).toThrow();
    expect(run(mr60bha1(400, [100, 300]), { lost_after_s: 30 }).events.map((x) => x.at)).toEqual([129, 300]);
    expect(run(mr60bha1(400, [100, 300]), { enabled: false }).events).toEqual([]);
  });
});
