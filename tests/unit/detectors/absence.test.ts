/**
 * Named scenarios for alarm.absence ("left home and did not come back") and alarm.door_open.
 * The home is at UTC+8 (timezone_offset_min 480); T0 is 08:00 local. Ticks every 5 s.
 */
import { describe, expect, it } from 'vitest';
import { absenceDefaults, absenceDetector as det, type AbsenceSettings } from '../../../src/detectors/absence.js';
import { AbsenceSettingsSchema } from '../../../src/detectors/settings/absence.js';
import { brief, H, replay, type ScriptLine } from '../../helpers/detector-replay.js';

const T0 = Date.UTC(2026, 10, 29, 0, 0, 0); // 08:00 at UTC+8
const local = (hh: number, mm = 0) => (hh - 8) * H + mm * 60; // seconds after T0 for a local time that day
const ts = (sec: number) => T0 + sec * 1000;

const S = (over: Record<string, unknown> = {}): AbsenceSettings =>
  AbsenceSettingsSchema.parse({ door_device: 'front-door', timezone_offset_min: 480, ...over });
const run = (script: ScriptLine[], untilS: number, over: Record<string, unknown> = {}, restartAtS: number[] = []) =>
  replay(det, S(over), script, { t0: T0, tickEveryS: 5, untilS, restartAtS });

const every = (from: number, to: number, stepS: number, device: string, metric: string, value: boolean | string): ScriptLine[] => {
  const out: ScriptLine[] = [];
  for (let t = from; t <= to; t += stepS) out.push([t, device, metric, value]);
  return out;
};

/** Morning at home: door closed, bedroom radar (reports on change) saw her get up, hall radar (10/s, here 1/s) sees her now and then. */
const morningAtHome: ScriptLine[] = [
  [0, 'front-door', 'contact', true],
  [1, 'bed-radar', 'presence', true],
  [600, 'bed-radar', 'presence', false],
  [700, 'hall-pir', 'occupancy', true],
  [790, 'hall-pir', 'occupancy', false],
];

/** She leaves at 19:00 local: hall radar sees her until 5 s after the door closes (its hold time), then nobody. */
function leavesAt(leave: number): ScriptLine[] {
  return [
    ...every(leave - 120, leave + 15, 1, 'hall-radar', 'presence', true),
    ...every(leave + 16, leave + 200, 1, 'hall-radar', 'presence', false),
    [leave, 'front-door', 'contact', false],
    [leave + 10, 'front-door', 'contact', true],
  ];
}

describe('absence detector', () => {
  it('defaults', () => {
    const d = AbsenceSettingsSchema.parse({});
    expect(d).toEqual(absenceDefaults);
    expect(d).toEqual({
      enabled: true, door_device: null, presence_devices: [], mode_device: 'hub', confirm_s: 120, exit_grace_s: 30, max_away_s: 14_400,
      curfew: '22:00', curfew_end: '06:00', door_open_warn_s: 600, timezone: null, timezone_offset_min: 0,
    });
    expect(AbsenceSettingsSchema.safeParse({ exit_grace_s: 200 }).success).toBe(false);
    expect(AbsenceSettingsSchema.safeParse({ curfew: '25:00' }).success).toBe(false);
    expect(AbsenceSettingsSchema.parse({ curfew: null }).curfew).toBeNull();
  });

  it('left home at 19:00 and not back by the 22:00 curfew: critical at 22:00, cleared when she is seen at 23:30', () => {
    const leave = local(19);
    const back = local(23, 30);
    const script: ScriptLine[] = [
      ...morningAtHome,
      ...leavesAt(leave),
      [back, 'front-door', 'contact', false],
      [back + 8, 'front-door', 'contact', true],
      [back + 15, 'hall-pir', 'occupancy', true],
    ];
    const { fired, state } = run(script, back + 600);
    expect(fired).toEqual([
      {
        at: local(22),
        e: {
          type: 'alarm.absence', severity: 'critical', device: null, state: 'raised',
          data: { reason: 'curfew', leftAtTs: ts(leave + 10), awayS: local(22) - leave - 10, maxAwayS: 14_400, curfew: '22:00', curfewEnd: '06:00' },
        },
      },
      {
        at: back + 15,
        e: {
          type: 'alarm.absence', severity: 'critical', device: null, state: 'cleared',
          data: { clearedBy: 'presence', device: 'hall-pir', reason: 'curfew', raisedAtTs: ts(local(22)), durationS: back + 15 - local(22), leftAtTs: ts(leave + 10), awayS: back + 15 - leave - 10 },
        },
      },
    ]);
    expect(state.phase).toBe('home');
  });

  it('left home at 10:00 and back at 12:30: no alarm', () => {
    const leave = local(10);
    const script: ScriptLine[] = [...morningAtHome, ...leavesAt(leave), [local(12, 30), 'front-door', 'contact', false], [local(12, 30) + 5, 'front-door', 'contact', true], [local(12, 30) + 20, 'hall-radar', 'presence', true]];
    expect(run(script, local(21, 59)).fired).toEqual([]);
  });

  it('away longer than max_away_s (4 h) in the daytime: raised at 4 h, reason max_away', () => {
    const leave = local(9);
    const { fired } = run([...morningAtHome, ...leavesAt(leave), [local(14), 'hall-pir', 'occupancy', true]], local(15));
    expect(brief(fired)).toEqual([[leave + 10 + 4 * H + 5, 'alarm.absence', 'raised'], [local(14), 'alarm.absence', 'cleared']]);
    expect(fired[0]!.e.data).toMatchObject({ reason: 'max_away', awayS: 4 * H + 5 });
  });

  it('leaving is confirmed only when every sensor says nobody: a slow on-change radar reporting "nobody" 90 s after the close', () => {
    const leave = local(19);
    const script: ScriptLine[] = [
      [0, 'front-door', 'contact', true],
      [1, 'living-radar', 'presence', true],
      [leave, 'front-door', 'contact', false],
      [leave + 10, 'front-door', 'contact', true],
      [leave + 100, 'living-radar', 'presence', false], // Seeed radars report unoccupied 1-2 min late
    ];
    const { fired, state } = run(script, local(22) + 60);
    expect(brief(fired)).toEqual([[local(22), 'alarm.absence', 'raised']]);
    expect(state.phase).toBe('away');
  });

  it('a carer leaves while she stays in the armchair in view of an on-change radar (no new reading): never "away", no curfew alarm', () => {
    const script: ScriptLine[] = [
      [0, 'front-door', 'contact', true],
      [1, 'living-radar', 'presence', true],
      [local(20), 'front-door', 'contact', false],
      [local(20) + 10, 'front-door', 'contact', true],
    ];
    const { fired, state } = run(script, local(23));
    expect(fired).toEqual([]);
    expect(state.phase).toBe('leaving'); // waiting for the radar to say nobody, which it does not
  });

  it('a carer leaves while she keeps moving in view of a 10/s radar: back to home after the grace', () => {
    const script: ScriptLine[] = [[0, 'front-door', 'contact', true], ...every(local(20) - 60, local(20) + 300, 1, 'living-radar', 'presence', true), [local(20), 'front-door', 'contact', false], [local(20) + 10, 'front-door', 'contact', true]];
    const { fired, state } = run(script, local(23));
    expect(fired).toEqual([]);
    expect(state.phase).toBe('home');
  });

  it('someone walking into a field right after the close means she is inside (a new presence needs no grace)', () => {
    const script: ScriptLine[] = [[0, 'front-door', 'contact', true], [10, 'front-door', 'contact', false], [20, 'front-door', 'contact', true], [25, 'kitchen-pir', 'occupancy', true]];
    expect(run(script, 300).state.phase).toBe('home');
  });

  it('away mode (visiting family) suspends the alarm; back in home mode she is expected within confirm_s', () => {
    const leave = local(16);
    const script: ScriptLine[] = [
      ...morningAtHome, ...leavesAt(leave),
      [leave + 600, 'hub', 'homeMode', 'away'],
      // Next day 11:00: the family brings her back; the carer switches to home just before she walks in.
      [local(35), 'hub', 'homeMode', 'home'],
      [local(35) + 60, 'front-door', 'contact', false],
      [local(35) + 70, 'front-door', 'contact', true],
      [local(35) + 90, 'hall-pir', 'occupancy', true],
    ];
    const { fired, state } = run(script, local(36));
    expect(fired).toEqual([]);
    expect(state).toMatchObject({ mode: 'home', phase: 'home' });
  });

  it('switching to away mode clears an open absence alarm', () => {
    const leave = local(19);
    const { fired } = run([...morningAtHome, ...leavesAt(leave), [local(22, 10), 'hub', 'homeMode', 'away']], local(23));
    expect(fired.map((f) => [f.at, f.e.state, f.e.data.clearedBy ?? f.e.data.reason])).toEqual([[local(22), 'raised', 'curfew'], [local(22, 10), 'cleared', 'away_mode']]);
  });

  it('back to home mode at 23:00 but nobody comes in: raised after confirm_s (curfew)', () => {
    const leave = local(15);
    const { fired } = run([...morningAtHome, ...leavesAt(leave), [leave + 60, 'hub', 'homeMode', 'away'], [local(23), 'hub', 'homeMode', 'home']], local(23) + 300);
    expect(brief(fired)).toEqual([[local(23) + 120, 'alarm.absence', 'raised']]);
    expect(fired[0]!.e.data).toMatchObject({ reason: 'curfew', leftAtTs: ts(local(23)), awayS: 120 });
  });

  it('door left open: warning after 600 s, cleared when closed; she is home, so no absence', () => {
    const script: ScriptLine[] = [
      [0, 'front-door', 'contact', true],
      ...every(0, 2400, 2, 'hall-radar', 'presence', true),
      [1000, 'front-door', 'contact', false],
      [2000, 'front-door', 'contact', true],
    ];
    expect(run(script, 2400).fired).toEqual([
      // Raised by the first call after 600 s: here the hall radar's reading at 1602 s (time-driven checks run before each reading).
      { at: 1602, e: { type: 'alarm.door_open', severity: 'warning', device: 'front-door', state: 'raised', data: { openSinceTs: ts(1000), openS: 602 } } },
      { at: 2000, e: { type: 'alarm.door_open', severity: 'warning', device: 'front-door', state: 'cleared', data: { raisedAtTs: ts(1602), durationS: 398, openS: 1000 } } },
    ]);
  });

  it('the first door report after start-up is its state, not a departure', () => {
    expect(run([[0, 'front-door', 'contact', true]], local(23)).state.phase).toBe('home');
  });

  it('presence_devices: only the listed sensors count (a porch PIR that sees the street does not)', () => {
    const leave = local(19);
    const script: ScriptLine[] = [...morningAtHome, ...leavesAt(leave), [local(21), 'porch-pir', 'occupancy', true]];
    const { fired } = run(script, local(22) + 30, { presence_devices: ['hall-radar', 'hall-pir', 'bed-radar'] });
    expect(brief(fired)).toEqual([[local(22), 'alarm.absence', 'raised']]);
  });

  it('restart in the middle (leaving, away, raised): the same events as without restarts', () => {
    const leave = local(19);
    const script: ScriptLine[] = [...morningAtHome, ...leavesAt(leave), [local(23, 30), 'hall-pir', 'occupancy', true], [local(23, 40), 'front-door', 'contact', false]];
    const straight = run(script, local(23, 55));
    const restarted = run(script, local(23, 55), {}, [leave + 60, leave + 1000, local(22, 30), local(23, 45)]);
    expect(restarted.fired).toEqual(straight.fired);
    expect(brief(straight.fired)).toEqual([[local(22), 'alarm.absence', 'raised'], [local(23, 30), 'alarm.absence', 'cleared'], [local(23, 50) + 5, 'alarm.door_open', 'raised']]);
  });

  it('not configured (no door_device) or disabled: nothing', () => {
    const leave = local(19);
    const script = [...morningAtHome, ...leavesAt(leave)];
    expect(replay(det, AbsenceSettingsSchema.parse({}), script, { t0: T0, tickEveryS: 5, untilS: local(23) }).fired).toEqual([]);
    expect(run(script, local(23), { enabled: false }).fired).toEqual([]);
  });

  it('an IANA zone works the same as the fixed offset', () => {
    const leave = local(19);
    const { fired } = run([...morningAtHome, ...leavesAt(leave)], local(22) + 30, { timezone: 'Asia/Shanghai', timezone_offset_min: 0 });
    expect(brief(fired)).toEqual([[local(22), 'alarm.absence', 'raised']]);
  });
});
