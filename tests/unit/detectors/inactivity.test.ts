/**
 * Named scenarios for alarm.inactivity (the 12 h stopwatch) and alarm.inactivity_window (no morning
 * activity). The home is at UTC+8; T0 is 06:00 local on day 0. Ticks every 60 s, as in the daemon
 * (which ticks every few seconds) but cheaper for days of replay.
 */
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/core/reading.js';
import {
  classifyActivity,
  inactivityDefaults,
  inactivityDetector as det,
  type DeviceMemory,
  type InactivitySettings,
} from '../../../src/detectors/inactivity.js';
import { InactivitySettingsSchema } from '../../../src/detectors/settings/inactivity.js';
import { brief, H, replay, type ScriptLine } from '../../helpers/detector-replay.js';

const T0 = Date.UTC(2026, 10, 28, 22, 0, 0); // 06:00 on day 0 at UTC+8
/** Seconds after T0 for local time hh:mm on day `day`. */
const local = (hh: number, mm = 0, day = 0) => day * 24 * H + (hh - 6) * H + mm * 60;
const ts = (sec: number) => T0 + sec * 1000;

const S = (over: Record<string, unknown> = {}): InactivitySettings => InactivitySettingsSchema.parse({ timezone_offset_min: 480, ...over });
const run = (script: ScriptLine[], untilS: number, over: Record<string, unknown> = {}, restartAtS: number[] = []) =>
  replay(det, S(over), script, { t0: T0, tickEveryS: 60, untilS, restartAtS });

const every = (from: number, to: number, stepS: number, device: string, metric: string, value: Reading['value']): ScriptLine[] => {
  const out: ScriptLine[] = [];
  for (let t = from; t <= to; t += stepS) out.push([t, device, metric, value]);
  return out;
};

/** A bedroom radar (MR60BHA1) over a person lying still: what it keeps saying, every 5 s. */
function stillInBed(from: number, to: number): ScriptLine[] {
  const out: ScriptLine[] = [[from, 'bed-radar', 'presence', true], [from, 'bed-radar', 'bedState', 'in']];
  for (let t = from; t <= to; t += 5) {
    out.push([t, 'bed-radar', 'motion', 'still']);
    out.push([t, 'bed-radar', 'bodyMovement', t % 15 === 0 ? 1 : 2 + (t % 29)]); // 1 = breathing only, 2-30 micro-movements
    out.push([t, 'bed-radar', 'breathRatePerMin', 14]);
    out.push([t, 'bed-radar', 'heartRateBpm', 68]);
  }
  return out;
}

/** An ordinary day: up at 07:10, kitchen and hall PIRs through the day, a walk 15:00-16:00, bed at 22:30, a toilet visit at 02:00. */
function ordinaryDay(day: number): ScriptLine[] {
  const d = (hh: number, mm = 0) => local(hh, mm, day);
  const out: ScriptLine[] = [
    [d(7, 10), 'bed-radar', 'bedState', 'out'],
    [d(7, 11), 'bed-radar', 'motion', 'active'],
    [d(15), 'front-door', 'contact', false], [d(15, 1), 'front-door', 'contact', true],
    [d(16), 'front-door', 'contact', false], [d(16, 1), 'front-door', 'contact', true],
    [d(22, 30), 'bed-radar', 'bedState', 'in'],
    [d(26), 'bed-radar', 'bedState', 'out'], [d(26, 10), 'bed-radar', 'bedState', 'in'],
  ];
  for (let hh = 8; hh <= 22; hh += 1) out.push([d(hh, 20), 'kitchen-pir', 'occupancy', true], [d(hh, 22), 'kitchen-pir', 'occupancy', false]);
  return out;
}

/** Day 0 starts at 06:00 in bed; she gets up at 07:30 (so day 0's morning window is satisfied). */
const evening: ScriptLine[] = [[0, 'front-door', 'contact', true], [1, 'bed-radar', 'bedState', 'in'], [local(7, 30), 'bed-radar', 'bedState', 'out']];

describe('inactivity detector', () => {
  it('defaults: 12 h stopwatch, a 07:00-10:00 morning window', () => {
    expect(InactivitySettingsSchema.parse({})).toEqual(inactivityDefaults);
    expect(InactivitySettingsSchema.parse({})).toEqual({
      enabled: true, max_inactive_s: 43_200, severity: 'critical',
      windows: [{ name: 'morning', start: '07:00', end: '10:00', severity: 'critical' }],
      ignore_devices: [], exit_doors: [], exit_grace_s: 30, mode_device: 'hub', presence_absent_min_s: 60, body_movement_min: 31,
      timezone: null, timezone_offset_min: 0,
    });
    expect(InactivitySettingsSchema.safeParse({ windows: [{ name: 'a', start: '07:00', end: '07:00' }] }).success).toBe(false);
    expect(InactivitySettingsSchema.safeParse({ windows: [{ name: 'a' }, { name: 'a' }] }).success).toBe(false);
  });

  it('activity, precisely: what counts and what does not', () => {
    const s = S();
    const none: DeviceMemory = { contact: null, presence: null, absentSince: null, bed: null };
    const is = (metric: string, value: Reading['value'], mem: DeviceMemory = none, now = 0) =>
      classifyActivity({ device: 'd', metric, value, ts: now }, mem, now, s).activity;
    expect(is('contact', true)).toBe(false); // first report: the door's state, not a movement
    expect(is('contact', false, { ...none, contact: true })).toBe(true);
    expect(is('contact', true, { ...none, contact: true })).toBe(false);
    expect([is('occupancy', true), is('occupancy', false)]).toEqual([true, false]);
    expect([is('motion', 'active'), is('motion', true), is('motion', 'still'), is('motion', 'none'), is('motion', false)]).toEqual([true, true, false, false, false]);
    expect([is('targetState', 'moving'), is('targetState', 'moving-and-still'), is('targetState', 'still'), is('targetState', 'none')]).toEqual([true, true, false, false]);
    expect([is('bodyMovement', 1), is('bodyMovement', 30), is('bodyMovement', 31), is('bodyMovement', 80)]).toEqual([false, false, true, true]);
    expect(is('presence', true)).toBe(false); // first report
    expect(is('presence', true, { ...none, presence: true })).toBe(false); // a still person keeps it true
    expect(is('presence', true, { ...none, presence: false, absentSince: 0 }, 59_999)).toBe(false); // a radar losing a still target
    expect(is('presence', true, { ...none, presence: false, absentSince: 0 }, 60_000)).toBe(true); // someone walked in
    expect([is('bedState', 'out', { ...none, bed: 'in' }), is('bedState', 'none', { ...none, bed: 'in' }), is('bedState', 'in')]).toEqual([true, false, false]);
    for (const m of ['breathRatePerMin', 'heartRateBpm', 'sleepState', 'distanceCm', 'batteryPercent', 'stillEnergy', 'tamper']) expect(is(m, 1)).toBe(false);
  });

  it('normal days: two days of an ordinary routine raise nothing', () => {
    const script = [...evening, ...ordinaryDay(0), ...ordinaryDay(1), ...ordinaryDay(2)];
    expect(run(script, local(12, 0, 2)).fired).toEqual([]);
  });

  it('a fall-like 12 h silence in view of a radar that still reports presence: raised at 12 h, cleared when she is found', () => {
    const lastMove = local(10);
    const script: ScriptLine[] = [
      ...evening,
      [local(7, 30), 'bed-radar', 'bedState', 'out'],
      [lastMove, 'living-radar', 'targetState', 'moving'],
      // On the floor: the living-room radar (LD2410) keeps reporting a still target every second.
      ...every(lastMove + 1, lastMove + 12 * H + 300, 1, 'living-radar', 'presence', true),
      ...every(lastMove + 1, lastMove + 12 * H + 300, 1, 'living-radar', 'targetState', 'still'),
      [lastMove + 13 * H, 'front-door', 'contact', false], // the neighbour comes in
    ];
    const { fired } = run(script, lastMove + 13 * H + 60);
    expect(fired).toEqual([
      {
        at: lastMove + 12 * H + 1,
        e: { type: 'alarm.inactivity', severity: 'critical', device: null, state: 'raised', data: { lastActivityTs: ts(lastMove), lastActivityDevice: 'living-radar', inactiveS: 43_201, maxInactiveS: 43_200 } },
      },
      {
        at: lastMove + 13 * H,
        e: { type: 'alarm.inactivity', severity: 'critical', device: null, state: 'cleared', data: { clearedBy: 'activity', device: 'front-door', metric: 'contact', raisedAtTs: ts(lastMove + 12 * H + 1), durationS: 3599, lastActivityTs: ts(lastMove) } },
      },
    ]);
  });

  it('a bed-bound person breathing quietly all day (presence, motion still, micro-movements, rates): still raised after 12 h without real activity', () => {
    const carer = local(8);
    const script: ScriptLine[] = [
      [0, 'front-door', 'contact', true],
      [carer, 'front-door', 'contact', false], [carer + 60, 'front-door', 'contact', true], // the morning carer leaves at 08:01
      ...stillInBed(carer + 120, carer + 12 * H + 600),
      // The radar loses her for 20 s and finds her again: not activity.
      [local(14), 'bed-radar', 'presence', false], [local(14) + 20, 'bed-radar', 'presence', true],
    ];
    const { fired } = run(script, carer + 12 * H + 600);
    expect(brief(fired)).toEqual([[carer + 60 + 12 * H + 5, 'alarm.inactivity', 'raised']]);
    expect(fired[0]!.e.data).toMatchObject({ lastActivityTs: ts(carer + 60), lastActivityDevice: 'front-door' });
  });

  it('no morning activity: raised at 10:00 when nothing happened 07:00-10:00, cleared by the first activity', () => {
    const script: ScriptLine[] = [
      ...evening, ...ordinaryDay(0), // last activity: back in bed at 02:10 after the toilet
      ...stillInBed(local(26, 11), local(10, 40, 1)),
      [local(10, 30, 1), 'kitchen-pir', 'occupancy', true],
    ];
    const { fired } = run(script, local(11, 0, 1));
    expect(fired).toEqual([
      {
        at: local(10, 0, 1),
        e: {
          type: 'alarm.inactivity_window', severity: 'critical', device: null, state: 'raised',
          data: { window: 'morning', condition: 'morning', start: '07:00', end: '10:00', windowStartTs: ts(local(7, 0, 1)), windowEndTs: ts(local(10, 0, 1)), lastActivityTs: ts(local(26, 10)) },
        },
      },
      {
        at: local(10, 30, 1),
        e: {
          type: 'alarm.inactivity_window', severity: 'critical', device: null, state: 'cleared',
          data: { window: 'morning', condition: 'morning', start: '07:00', end: '10:00', clearedBy: 'activity', device: 'kitchen-pir', metric: 'occupancy', raisedAtTs: ts(local(10, 0, 1)), durationS: 1800 },
        },
      },
    ]);
  });

  it('a window is not judged on the day the hub starts inside it, nor while the stopwatch alarm is open', () => {
    // Started at 08:00 (inside the window) with no activity at all: no window alarm that day.
    const started = replay(det, S(), [], { t0: T0 + 2 * H * 1000, tickEveryS: 60, untilS: 3 * H });
    expect(started.fired).toEqual([]);
    // Silent since 20:00 on day 0: the stopwatch raises at 08:00 on day 1; 10:00 adds no second alarm.
    const day: ScriptLine[] = [];
    for (let hh = 8; hh <= 20; hh++) day.push([local(hh), 'kitchen-pir', 'occupancy', true]);
    const { fired } = run([...evening, ...day], local(11, 0, 1));
    expect(brief(fired)).toEqual([[local(8, 1, 1), 'alarm.inactivity', 'raised']]);
  });

  it('several windows, one crossing midnight, with their own severity', () => {
    const windows = [{ name: 'morning', start: '07:00', end: '10:00' }, { name: 'late', start: '22:00', end: '01:00', severity: 'warning' }];
    const script: ScriptLine[] = [...evening, [local(8), 'kitchen-pir', 'occupancy', true], [local(21), 'kitchen-pir', 'occupancy', true], [local(26), 'kitchen-pir', 'occupancy', true]];
    const { fired } = run(script, local(27), { windows, max_inactive_s: 86_400 });
    expect(fired.map((f) => [f.at, f.e.severity, f.e.state, f.e.data.window])).toEqual([[local(25), 'warning', 'raised', 'late'], [local(26), 'warning', 'cleared', 'late']]);
  });

  it('away mode (visiting family) suspends both and clears an open alarm; back home, the stopwatch restarts', () => {
    const script: ScriptLine[] = [
      ...evening, [local(9), 'kitchen-pir', 'occupancy', true],
      [local(9, 30), 'hub', 'homeMode', 'away'],
      [local(18, 0, 2), 'hub', 'homeMode', 'home'],
    ];
    const { fired } = run(script, local(18, 0, 2) + 12 * H + 120);
    expect(brief(fired)).toEqual([[local(18, 0, 2) + 12 * H + 60, 'alarm.inactivity', 'raised']]);
    // An alarm open when the mode goes to away is cleared.
    const open = run([...evening, [local(9), 'kitchen-pir', 'occupancy', true], [local(21, 30), 'hub', 'homeMode', 'away']], local(22));
    expect(open.fired.map((f) => [f.at, f.e.state, f.e.data.clearedBy ?? null])).toEqual([[local(21, 1), 'raised', null], [local(21, 30), 'cleared', 'away_mode']]);
  });

  it('out of the house through an exit door: no morning alarm while out; without exit_doors there would be one', () => {
    const script: ScriptLine[] = [
      ...evening, ...ordinaryDay(0),
      [local(6, 30, 1), 'front-door', 'contact', false], [local(6, 31, 1), 'front-door', 'contact', true], // out to the market
      ...every(local(6, 29, 1), local(6, 31, 1) + 5, 1, 'hall-radar', 'presence', true), // the hall radar's hold time
      [local(11, 0, 1), 'front-door', 'contact', false], [local(11, 1, 1), 'front-door', 'contact', true],
    ];
    expect(run(script, local(12, 0, 1), { exit_doors: ['front-door'] }).fired).toEqual([]);
    expect(brief(run(script, local(12, 0, 1)).fired)).toEqual([[local(10, 0, 1), 'alarm.inactivity_window', 'raised'], [local(11, 0, 1), 'alarm.inactivity_window', 'cleared']]);
  });

  it('an exit door closed from inside, then presence: the suspension ends and the stopwatch runs from the close', () => {
    const close = local(9);
    const script: ScriptLine[] = [
      ...evening,
      [close - 10, 'front-door', 'contact', false], [close, 'front-door', 'contact', true],
      ...every(close + 40, close + 12 * H + 300, 10, 'living-radar', 'presence', true), // she sits in the living room (continued presence after the grace)
    ];
    const { fired } = run(script, close + 12 * H + 300, { exit_doors: ['front-door'] });
    expect(brief(fired)).toEqual([[close + 12 * H + 10, 'alarm.inactivity', 'raised']]);
  });

  it('ignore_devices: a ceiling fan in view of a PIR does not hide a 12 h silence', () => {
    const script: ScriptLine[] = [...evening, [local(8), 'kitchen-pir', 'occupancy', true], ...every(local(8, 10), local(21), 300, 'fan-pir', 'occupancy', true)];
    expect(brief(run(script, local(21), { ignore_devices: ['fan-pir'] }).fired)).toEqual([[local(20, 1), 'alarm.inactivity', 'raised']]);
    expect(run(script, local(21)).fired).toEqual([]);
  });

  it('restart in the middle of the 12 h silence and of a morning alarm: the same events as without restarts', () => {
    const script: ScriptLine[] = [
      ...evening, ...ordinaryDay(0), // last activity 02:10 on day 1
      ...stillInBed(local(26, 11), local(15, 0, 1)),
      [local(14, 30, 1), 'kitchen-pir', 'occupancy', true],
    ];
    const straight = run(script, local(15, 0, 1));
    const restarted = run(script, local(15, 0, 1), {}, [local(30), local(9, 59, 1), local(10, 30, 1), local(14, 20, 1)]);
    expect(restarted.fired).toEqual(straight.fired);
    expect(brief(straight.fired)).toEqual([
      [local(10, 0, 1), 'alarm.inactivity_window', 'raised'],
      [local(14, 10, 1) + 5, 'alarm.inactivity', 'raised'], // 12 h after 02:10, at the bed radar's next reading
      [local(14, 30, 1), 'alarm.inactivity', 'cleared'],
      [local(14, 30, 1), 'alarm.inactivity_window', 'cleared'],
    ]);
  });

  it('bounded state: a thousand device ids do not grow the per-device memory past the cap', () => {
    const script: ScriptLine[] = [];
    for (let k = 0; k < 1000; k++) script.push([k, `d${k}`, 'contact', k % 2 === 0]);
    expect(Object.keys(run(script, 1000).state.devices)).toHaveLength(64);
  });

  it('disabled: nothing', () => {
    expect(run([...evening], 2 * 24 * H, { enabled: false }).fired).toEqual([]);
  });
});
