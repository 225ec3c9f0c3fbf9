/**
 * Named scenarios for alarm.night_wandering on the bed radar. The home is at UTC+8; T0 is 20:00
 * local; local(25) is 01:00 the next morning. Ticks every 5 s.
 */
import { describe, expect, it } from 'vitest';
import {
  nightWanderingDefaults,
  nightWanderingDetector as det,
  type NightWanderingSettings,
} from '../../../src/detectors/night-wandering.js';
import { NightWanderingSettingsSchema } from '../../../src/detectors/settings/night-wandering.js';
import { brief, H, replay, type ScriptLine } from '../../helpers/detector-replay.js';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0); // 20:00 at UTC+8
const local = (hh: number, mm = 0) => (hh - 20) * H + mm * 60;
const ts = (sec: number) => T0 + sec * 1000;
const R = 'bed-radar';

const S = (over: Record<string, unknown> = {}): NightWanderingSettings => NightWanderingSettingsSchema.parse({ timezone_offset_min: 480, ...over });
const run = (script: ScriptLine[], untilS: number, over: Record<string, unknown> = {}, restartAtS: number[] = []) =>
  replay(det, S(over), script, { t0: T0, tickEveryS: 5, untilS, restartAtS });

const goesToBed = (at: number): ScriptLine[] => [[at, R, 'presence', true], [at + 30, R, 'bedState', 'in']];
/** Gets up: the module says out of bed, then nobody in its field 40 s later. */
const getsUp = (at: number): ScriptLine[] => [[at, R, 'bedState', 'out'], [at + 40, R, 'presence', false]];
const backToBed = (at: number): ScriptLine[] => [[at, R, 'presence', true], [at + 20, R, 'bedState', 'in']];

describe('night-wandering detector', () => {
  it('defaults: night 23:00-06:00, 20 min, warning', () => {
    expect(NightWanderingSettingsSchema.parse({})).toEqual(nightWanderingDefaults);
    expect(NightWanderingSettingsSchema.parse({})).toEqual({
      enabled: true, night_start: '23:00', night_end: '06:00', max_out_of_bed_s: 1200, severity: 'warning', absent_is_out_of_bed: true, timezone: null, timezone_offset_min: 0,
    });
    expect(NightWanderingSettingsSchema.safeParse({ night_start: '06:00', night_end: '06:00' }).success).toBe(false);
  });

  it('normal night: a toilet visit of 8 minutes raises nothing', () => {
    const script = [...goesToBed(local(22, 30)), ...getsUp(local(26)), ...backToBed(local(26, 8)), ...getsUp(local(30, 30))];
    expect(run(script, local(31)).fired).toEqual([]);
  });

  it('night wandering: out of bed at 01:00, not back after 20 min: warning; cleared when back in bed at 01:45', () => {
    const script = [...goesToBed(local(22, 30)), ...getsUp(local(25)), ...backToBed(local(25, 45))];
    const { fired } = run(script, local(27));
    expect(fired).toEqual([
      {
        at: local(25, 20) + 5,
        e: { type: 'alarm.night_wandering', severity: 'warning', device: R, state: 'raised', data: { outOfBedSinceTs: ts(local(25)), outOfBedS: 1205, maxOutOfBedS: 1200, nightStart: '23:00', nightEnd: '06:00' } },
      },
      {
        at: local(25, 45) + 20,
        e: { type: 'alarm.night_wandering', severity: 'warning', device: R, state: 'cleared', data: { clearedBy: 'back_in_bed', raisedAtTs: ts(local(25, 20) + 5), durationS: 1515, outOfBedS: 2720 } },
      },
    ]);
  });

  it('still out of bed when the night ends: raised, then cleared at 06:00 (night_ended)', () => {
    const { fired } = run([...goesToBed(local(22, 30)), ...getsUp(local(29))], local(31));
    expect(fired.map((f) => [f.at, f.e.state, f.e.data.clearedBy ?? null])).toEqual([[local(29, 20) + 5, 'raised', null], [local(30), 'cleared', 'night_ended']]);
    expect(fired[1]!.e.data).toEqual({ clearedBy: 'night_ended', raisedAtTs: ts(local(29, 20) + 5), durationS: 2395, outOfBedS: 3600 });
  });

  it('up at 05:50: the 20 min would end after 06:00, so it is the morning, not wandering', () => {
    expect(run([...goesToBed(local(22, 30)), ...getsUp(local(29, 50))], local(31)).fired).toEqual([]);
  });

  it('never went to bed (armchair until 01:00), or got up before the night: no alarm', () => {
    expect(run([[0, R, 'presence', false], [local(25), R, 'presence', true], [local(25, 1), R, 'bedState', 'in']], local(30)).fired).toEqual([]);
    expect(run([...goesToBed(local(21)), ...getsUp(local(22, 50))], local(30)).fired).toEqual([]);
  });

  it('the bed radar loses her (presence false) without a bedState report: out of bed, unless absent_is_out_of_bed is off', () => {
    const script: ScriptLine[] = [...goesToBed(local(22, 30)), [local(24, 10), R, 'presence', false]];
    expect(brief(run(script, local(25)).fired)).toEqual([[local(24, 30) + 5, 'alarm.night_wandering', 'raised']]);
    expect(run(script, local(25), { absent_is_out_of_bed: false }).fired).toEqual([]);
  });

  it('bedState none (undetermined) changes nothing', () => {
    const script: ScriptLine[] = [...goesToBed(local(22, 30)), [local(25), R, 'bedState', 'none'], [local(25, 1), R, 'bedState', 'in']];
    expect(run(script, local(26)).fired).toEqual([]);
  });

  it('two episodes in one night raise twice; one long episode raises once', () => {
    const script = [...goesToBed(local(22, 30)), ...getsUp(local(24)), ...backToBed(local(24, 30)), ...getsUp(local(27)), ...backToBed(local(27, 40))];
    expect(brief(run(script, local(29)).fired)).toEqual([
      [local(24, 20) + 5, 'alarm.night_wandering', 'raised'], [local(24, 30) + 20, 'alarm.night_wandering', 'cleared'],
      [local(27, 20) + 5, 'alarm.night_wandering', 'raised'], [local(27, 40) + 20, 'alarm.night_wandering', 'cleared'],
    ]);
  });

  it('restart in the middle of an episode (before and after the raise): the same events', () => {
    const script = [...goesToBed(local(22, 30)), ...getsUp(local(25)), ...backToBed(local(25, 45))];
    const straight = run(script, local(27));
    expect(run(script, local(27), {}, [local(25, 10), local(25, 30)]).fired).toEqual(straight.fired);
    expect(brief(straight.fired)).toEqual([[local(25, 20) + 5, 'alarm.night_wandering', 'raised'], [local(25, 45) + 20, 'alarm.night_wandering', 'cleared']]);
  });

  it('settings: another night window, time and severity; an IANA zone; disabled', () => {
    const script = [...goesToBed(local(21)), ...getsUp(local(22))];
    expect(brief(run(script, local(23), { night_start: '21:30', night_end: '07:00', max_out_of_bed_s: 600, severity: 'critical' }).fired)).toEqual([[local(22, 10) + 5, 'alarm.night_wandering', 'raised']]);
    expect(brief(run([...goesToBed(local(22, 30)), ...getsUp(local(25))], local(26), { timezone: 'Asia/Shanghai', timezone_offset_min: 0 }).fired)).toEqual([[local(25, 20) + 5, 'alarm.night_wandering', 'raised']]);
    expect(run([...goesToBed(local(22, 30)), ...getsUp(local(25))], local(26), { enabled: false }).fired).toEqual([]);
  });
});
