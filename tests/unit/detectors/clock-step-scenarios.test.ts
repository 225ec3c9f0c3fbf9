/**
 * Issue 12, finding 9: a wall-clock step in the middle of a sustain, silence or inactivity period
 * neither delays nor advances the event. Each detector's named situation is replayed three times:
 * as it happened, with the wall clock stepped back an hour in the middle of the period, and with it
 * stepped forward an hour (detectors see the stepped clock; ingest moves their state by the step,
 * Detector.rebase). The event must come at the same second of real time, with the same data once
 * its timestamps are read on the unstepped clock. And the calendar rules follow the corrected
 * clock: what a rebase recomputes instead of moving.
 */
import { describe, expect, it } from 'vitest';
import { InactivitySettingsSchema } from '../../../src/detectors/settings/inactivity.js';
import { NightWanderingSettingsSchema } from '../../../src/detectors/settings/night-wandering.js';
import { SleepReportSettingsSchema } from '../../../src/detectors/settings/sleep-report.js';
import { ApneaSettingsSchema } from '../../../src/detectors/settings/apnea.js';
import { AbsenceSettingsSchema } from '../../../src/detectors/settings/absence.js';
import { absenceDetector } from '../../../src/detectors/absence.js';
import { inactivityDetector } from '../../../src/detectors/inactivity.js';
import { nightWanderingDetector } from '../../../src/detectors/night-wandering.js';
import { sleepReportDetector } from '../../../src/detectors/sleep-report.js';
import { brief, H, replay, type ScriptLine } from '../../helpers/detector-replay.js';
import { asUnstepped, detectorCases } from './clock-steps.js';

const T0 = Date.UTC(2026, 10, 29, 22, 0, 0); // 22:00 UTC, the settings' zone
const HOUR_MS = 3_600_000;

const every = (from: number, to: number, stepS: number, device: string, metric: string, value: ScriptLine[3]): ScriptLine[] => {
  const out: ScriptLine[] = [];
  for (let t = from; t <= to; t += stepS) out.push([t, device, metric, value]);
  return out;
};
const R = 'radar';
const inBed = (at: number): ScriptLine[] => [[at, R, 'presence', true], [at, R, 'bedState', 'in'], [at, R, 'motion', 'still']];

interface Situation {
  name: string;
  detector: string;
  script: ScriptLine[];
  untilS: number;
  /** Where the clock steps: inside the period being timed. */
  stepAtS: number;
  /** The event the period ends with, as [second, type, state], in the run without a step. */
  expect: readonly [number, string, string];
}

const SITUATIONS: Situation[] = [
  { name: 'breathing 30/min sustained 30 s', detector: 'breathing_rate', script: every(0, 60, 1, R, 'breathRatePerMin', 30), untilS: 60, stepAtS: 15, expect: [30, 'alarm.breathing_rate', 'raised'] },
  {
    name: 'apnea: the module reports no breathing for 20 s', detector: 'apnea', untilS: 40, stepAtS: 25,
    script: [...inBed(0), ...every(0, 9, 3, R, 'breathStatus', 'normal'), [10, R, 'breathStatus', 'none'], ...every(0, 40, 1, R, 'heartRateBpm', 60)],
    expect: [30, 'alarm.apnea', 'raised'],
  },
  { name: 'heart rate 140 sustained 30 s', detector: 'heart_rate', script: every(0, 60, 1, R, 'heartRateBpm', 140), untilS: 60, stepAtS: 20, expect: [30, 'alarm.heart_rate', 'raised'] },
  {
    name: 'vital signs lost for 40 s, radar alive', detector: 'vital_signs_lost', untilS: 90, stepAtS: 30,
    script: [...inBed(0), ...every(0, 10, 1, R, 'heartRateBpm', 60), ...every(0, 90, 5, R, 'distanceCm', 80)],
    expect: [50, 'alarm.vital_signs_lost', 'raised'],
  },
  { name: 'SpO2 88 % sustained 30 s', detector: 'spo2', script: every(0, 60, 1, 'oximeter', 'spo2Percent', 88), untilS: 60, stepAtS: 20, expect: [30, 'alarm.spo2', 'raised'] },
  {
    name: 'CO alarm raised and cleared: its duration', detector: 'fire_gas', untilS: 100, stepAtS: 50,
    script: [[10, 'co', 'coPpm', 60], [100, 'co', 'coPpm', 20]], expect: [100, 'alarm.co', 'cleared'],
  },
  {
    name: 'radar silent for its 120 s timeout', detector: 'device_supervision', untilS: 200, stepAtS: 60,
    script: every(0, 10, 1, R, 'presence', true), expect: [135, 'device.offline', 'raised'],
  },
  {
    name: 'left home: away for max_away_s', detector: 'absence', untilS: 400, stepAtS: 200,
    script: [[0, 'door', 'contact', true], [0, 'hall', 'presence', false], [5, 'door', 'contact', false], [8, 'door', 'contact', true]],
    expect: [310, 'alarm.absence', 'raised'],
  },
  { name: 'no activity for max_inactive_s', detector: 'inactivity', script: [[0, R, 'presence', true]], untilS: 400, stepAtS: 150, expect: [305, 'alarm.inactivity', 'raised'] },
  {
    name: 'out of bed at 01:00 for max_out_of_bed_s', detector: 'night_wandering', untilS: 3 * H + 400, stepAtS: 3 * H + 150,
    script: [[0, R, 'presence', true], [0, R, 'bedState', 'in'], [3 * H, R, 'bedState', 'out']], expect: [3 * H + 305, 'alarm.night_wandering', 'raised'],
  },
  {
    name: 'a night of 4 h, up for good after it', detector: 'sleep_report', untilS: 5 * H, stepAtS: 2 * H,
    script: [...inBed(0), ...every(5, 4 * H, 30, R, 'heartRateBpm', 58), ...every(15, 4 * H, 30, R, 'breathRatePerMin', 14), [4 * H, R, 'bedState', 'out'], [4 * H + 10, R, 'presence', false]],
    expect: [4 * H + 300, 'report.sleep', 'info'],
  },
];

describe('a wall-clock step of an hour, either way, in the middle of the period', () => {
  const cases = detectorCases(false); // the curfew and the windows apart: they have their own tests below
  it('covers every detector of the daemon', () => {
    expect(new Set(SITUATIONS.map((s) => s.detector))).toEqual(new Set(Object.keys(cases)));
  });

  for (const s of SITUATIONS) {
    it(`${s.detector}: ${s.name}`, () => {
      const { det, settings } = cases[s.detector]!;
      const run = (stepMs: number) => {
        const clockSteps = stepMs === 0 ? [] : [{ atS: s.stepAtS, stepMs }];
        return asUnstepped(replay(det, settings, s.script, { t0: T0, tickEveryS: 5, untilS: s.untilS, clockSteps }).fired, clockSteps);
      };
      const steady = run(0);
      expect(brief(steady)).toContainEqual(s.expect);
      expect(run(-HOUR_MS), 'stepped back an hour').toEqual(steady);
      expect(run(HOUR_MS), 'stepped forward an hour').toEqual(steady);
    });
  }
});

describe('calendar rules follow the corrected clock', () => {
  it('absence: the curfew is the corrected clock\'s (a clock 2 h ahead read 23:00 when she left at 21:00)', () => {
    const t0 = Date.UTC(2026, 10, 29, 23, 0, 0); // the clock's reading at real 21:00
    const settings = AbsenceSettingsSchema.parse({ door_device: 'door', confirm_s: 60 });
    const script: ScriptLine[] = [[0, 'door', 'contact', true], [0, 'hall', 'presence', false], [5, 'door', 'contact', false], [8, 'door', 'contact', true]];
    const { fired } = replay(absenceDetector, settings, script, { t0, tickEveryS: 5, untilS: 2 * H, clockSteps: [{ atS: 30, stepMs: -2 * HOUR_MS }] });
    // Away from 21:00 real: not at the (wrong) 23:00, but when the corrected clock reaches 22:00.
    expect(brief(fired)).toEqual([[H, 'alarm.absence', 'raised']]);
    expect(fired[0]!.e.data).toMatchObject({ reason: 'curfew', leftAtTs: t0 - 2 * HOUR_MS + 8000 });
  });

  it('inactivity window: a clock 2 h ahead, set back, still judges the morning it watched whole', () => {
    // Real 07:00; the clock says 09:00 until it is set back at 07:30. Nothing moves all morning.
    const t0 = Date.UTC(2026, 10, 30, 9, 0, 0);
    const settings = InactivitySettingsSchema.parse({ max_inactive_s: 86_400 });
    const { fired } = replay(inactivityDetector, settings, [[0, R, 'presence', true]], { t0, tickEveryS: 5, untilS: 4 * H, clockSteps: [{ atS: 1800, stepMs: -2 * HOUR_MS }] });
    // Raised when the corrected clock reaches 10:00: three hours after the (real) 07:00 start.
    expect(brief(fired)).toEqual([[3 * H, 'alarm.inactivity_window', 'raised']]);
    expect(fired[0]!.e.data).toMatchObject({ window: 'morning', windowEndTs: Date.UTC(2026, 10, 30, 10, 0, 0) });
  });

  it('night wandering: an exit the corrected clock places before the night is no episode', () => {
    // The clock reads 23:30 at the exit, an hour ahead: set back at 23:35, the exit was at 22:30.
    const t0 = Date.UTC(2026, 10, 29, 23, 0, 0);
    const settings = NightWanderingSettingsSchema.parse({ max_out_of_bed_s: 1200 });
    const script: ScriptLine[] = [[0, R, 'presence', true], [0, R, 'bedState', 'in'], [1800, R, 'bedState', 'out']];
    expect(brief(replay(nightWanderingDetector, settings, script, { t0, tickEveryS: 5, untilS: 2 * H }).fired)).toEqual([[3005, 'alarm.night_wandering', 'raised']]);
    const stepped = replay(nightWanderingDetector, settings, script, { t0, tickEveryS: 5, untilS: 2 * H, clockSteps: [{ atS: 2100, stepMs: -HOUR_MS }] });
    expect(brief(stepped.fired)).toEqual([]);
    expect(stepped.state).toMatchObject({ exitAt: null, raisedAt: null });
  });

  it('night wandering: an open alarm whose exit the corrected clock places before the night ends as night_ended', () => {
    const t0 = Date.UTC(2026, 10, 29, 23, 0, 0);
    const settings = NightWanderingSettingsSchema.parse({ max_out_of_bed_s: 1200 });
    const script: ScriptLine[] = [[0, R, 'presence', true], [0, R, 'bedState', 'in'], [1800, R, 'bedState', 'out']];
    const { fired } = replay(nightWanderingDetector, settings, script, { t0, tickEveryS: 5, untilS: 2 * H, clockSteps: [{ atS: 3100, stepMs: -HOUR_MS }] });
    expect(brief(fired)).toEqual([[3005, 'alarm.night_wandering', 'raised'], [3100, 'alarm.night_wandering', 'cleared']]);
    expect(fired[1]!.e.data).toMatchObject({ clearedBy: 'night_ended' });
  });

  for (const stepH of [2, -2]) {
    it(`sleep report of a bed-bound night: cut at the corrected report_by (clock ${stepH > 0 ? 'behind' : 'ahead'} by 2 h, set at 23:00)`, () => {
      // In bed from 22:00 real, never up; report_by 12:00, reached 14 h later.
      const clockOff = -stepH * HOUR_MS;
      const settings = { ...SleepReportSettingsSchema.parse({}), apnea: ApneaSettingsSchema.parse({}) };
      const script: ScriptLine[] = [...inBed(0), ...every(30, 15 * H, 60, R, 'presence', true)];
      const { fired } = replay(sleepReportDetector, settings, script, { t0: T0 + clockOff, tickEveryS: 5, untilS: 15 * H, clockSteps: [{ atS: H, stepMs: stepH * HOUR_MS }] });
      expect(brief(fired)).toEqual([[14 * H, 'report.sleep', 'info']]);
      expect(fired[0]!.e.data).toMatchObject({ startTs: T0, endTs: T0 + 14 * HOUR_MS, timeInBedS: 14 * H, endedBy: 'report_by' });
    });
  }
});
