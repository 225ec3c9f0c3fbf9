/**
 * Issue 12, finding 9, as a property: for every detector without calendar rules (and those whose
 * calendar rules are switched off: no curfew, no activity windows, no report_by), a run in which the
 * wall clock steps, back or forward, by any amount, at any moment, gives the same events at the same
 * seconds of real time as the run without the step, their timestamps read on the unstepped clock.
 * Seeded random streams of each detector's metrics, in runs with gaps, so alarms are raised and
 * cleared and gap rules restart timers.
 */
import { describe, expect, it } from 'vitest';
import type { MeasurementValue } from '../../../src/core/reading.js';
import { replay, type ScriptLine } from '../../helpers/detector-replay.js';
import { prng } from '../../helpers/prng.js';
import { asUnstepped, detectorCases } from './clock-steps.js';

const T0 = Date.UTC(2026, 10, 29, 22, 0, 0);
const SEEDS = 20;
const SECONDS = 2400;

/** One stream of readings: a value held for a run of seconds, reported every `everyS`, then maybe a silence. */
interface Stream {
  device: string;
  metric: string;
  values: readonly MeasurementValue[];
  everyS: number;
  runS: readonly [number, number];
  /** Chance of a silence after a run, and its longest length, s. */
  silence: readonly [number, number];
}

const s = (device: string, metric: string, values: readonly MeasurementValue[], everyS: number, runS: [number, number], silence: [number, number] = [0, 0]): Stream =>
  ({ device, metric, values, everyS, runS, silence });

function script(rand: () => number, streams: readonly Stream[]): ScriptLine[] {
  const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const out: ScriptLine[] = [];
  for (const st of streams) {
    let t = int(0, st.everyS);
    while (t < SECONDS) {
      const v = st.values[int(0, st.values.length - 1)]!;
      const end = t + int(st.runS[0], st.runS[1]);
      for (; t < end && t < SECONDS; t += st.everyS) out.push([t, st.device, st.metric, v]);
      if (rand() < st.silence[0]) t += int(1, st.silence[1]);
    }
  }
  return out;
}

const R = 'radar';
const bedRadar = [
  s(R, 'presence', [true, true, true, false], 1, [60, 600]),
  s(R, 'bedState', ['in', 'in', 'out'], 5, [60, 900]),
  s(R, 'motion', ['still', 'still', 'still', 'active'], 3, [10, 300]),
  s(R, 'heartRateBpm', [58, 62, 125, 140, 38], 1, [10, 120], [0.3, 90]),
  s(R, 'breathRatePerMin', [14, 16, 30, 5], 2, [10, 120], [0.4, 60]),
  s(R, 'breathStatus', ['normal', 'normal', 'none'], 3, [5, 60], [0.3, 40]),
  s(R, 'distanceCm', [80, 90, 200], 5, [30, 600]),
];

/** What each detector is fed: its own metrics and what gates them. */
const STREAMS: Record<string, readonly Stream[]> = {
  breathing_rate: [s(R, 'presence', [true, true, false], 1, [60, 600]), s(R, 'breathRatePerMin', [4, 16, 30], 1, [5, 120], [0.3, 60])],
  apnea: bedRadar,
  heart_rate: [...bedRadar, s(R, 'bodyMovement', [1, 10, 50], 2, [10, 200])],
  // Vital signs stop now and then while the radar goes on reporting the person in bed.
  vital_signs_lost: [
    s(R, 'presence', [true, true, true, false], 5, [60, 900]),
    s(R, 'bedState', ['in', 'in', 'in', 'out'], 5, [60, 900]),
    s(R, 'motion', ['still', 'still', 'still', 'active'], 5, [30, 300]),
    s(R, 'distanceCm', [80, 90, 200], 5, [30, 600]),
    s(R, 'heartRateBpm', [60], 1, [10, 60], [0.6, 120]),
    s(R, 'breathRatePerMin', [14], 2, [10, 60], [0.6, 120]),
  ],
  spo2: [s('ox', 'spo2Percent', [97, 96, 93, 90, 86], 1, [5, 90], [0.3, 30]), s('ox', 'lowPerfusion', [false, false, true], 7, [10, 200])],
  fire_gas: [s('co', 'coPpm', [0, 20, 40, 60, 120], 10, [10, 300], [0.2, 200]), s('smoke', 'smoke', [false, false, true], 30, [30, 300])],
  device_supervision: [s(R, 'presence', [true], 1, [5, 200], [0.5, 400]), s(R, 'batteryPercent', [50, 15, 35], 60, [60, 600]), s(R, 'tamper', [false, true], 30, [30, 300])],
  absence: [
    s('door', 'contact', [true, true, false], 3, [5, 200]),
    s('hall', 'presence', [true, false, false], 2, [10, 300], [0.3, 100]),
    s('hub', 'homeMode', ['home', 'home', 'away'], 120, [120, 600]),
  ],
  inactivity: [
    s('door', 'contact', [true, false], 30, [30, 400]),
    s('hall', 'motion', ['active', 'still', 'still', 'none'], 5, [10, 400], [0.4, 600]),
    s(R, 'presence', [true, false], 5, [30, 400], [0.3, 300]),
    s('hub', 'homeMode', ['home', 'home', 'home', 'away'], 300, [300, 900]),
  ],
  sleep_report: [...bedRadar, s(R, 'sleepState', ['light', 'deep', 'awake', 'none'], 30, [60, 600])],
};

describe('a run with wall-clock steps gives the events of the run without them', () => {
  const cases = detectorCases(false);

  for (const [name, streams] of Object.entries(STREAMS)) {
    it(name, () => {
      const { det, settings } = cases[name]!;
      let events = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const rand = prng(seed * 7919 + name.length);
        const lines = script(rand, streams);
        // One or two steps, each back or forward by up to 10 h. The SpO2 baseline's 10 s buckets and
        // the sleep report's HR-screening minutes are aligned to the clock: steps of whole minutes for those.
        const whole = name === 'spo2' || name === 'sleep_report';
        const step = () => (rand() < 0.5 ? -1 : 1) * (60_000 * Math.ceil(rand() * 600) + (whole ? 0 : Math.floor(rand() * 60_000)));
        const clockSteps = [{ atS: 30 + Math.floor(rand() * (SECONDS - 60)), stepMs: step() }];
        if (rand() < 0.5) clockSteps.push({ atS: 30 + Math.floor(rand() * (SECONDS - 60)), stepMs: step() });
        const steady = replay(det, settings, lines, { t0: T0, tickEveryS: 5, untilS: SECONDS }).fired;
        const stepped = replay(det, settings, lines, { t0: T0, tickEveryS: 5, untilS: SECONDS, clockSteps }).fired;
        expect(asUnstepped(stepped, clockSteps), `seed ${seed}, steps ${JSON.stringify(clockSteps)}`).toEqual(asUnstepped(steady, []));
        events += steady.length;
      }
      // Not vacuous: the streams make this detector raise (and usually clear) alarms, or report nights.
      expect(events).toBeGreaterThanOrEqual(SEEDS / 4);
    });
  }
});
