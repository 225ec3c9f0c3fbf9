/**
 * Named scenarios for alarm.breathing_rate: each replays a situation second by second through the
 * pure detector with a manual clock and expects exact events.
 */
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../src/core/event.js';
import type { Reading } from '../../../src/core/reading.js';
import {
  breathingRateDefaults,
  breathingRateDetector as det,
  type BreathingRateSettings,
  type BreathingRateState,
} from '../../../src/detectors/breathing-rate.js';

const T0 = Date.UTC(2026, 10, 29, 1, 0, 0);

/** Feeds readings at the given seconds after T0; returns every event with the second it fired. */
function replay(script: Array<[number, string, Reading['value']]>, settings: Partial<BreathingRateSettings> = {}) {
  const s = { ...breathingRateDefaults, ...settings };
  let state: BreathingRateState = det.initialState();
  const events: Array<{ at: number; e: EventDraft }> = [];
  for (const [sec, metric, value] of script) {
    const now = T0 + sec * 1000;
    const r = det.step(state, { device: 'radar', ts: now, metric, value }, now, s);
    state = r.state;
    for (const e of r.events) events.push({ at: sec, e });
  }
  return { events, state };
}

const every = (from: number, to: number, value: number, stepS = 1): Array<[number, string, number]> => {
  const out: Array<[number, string, number]> = [];
  for (let t = from; t <= to; t += stepS) out.push([t, 'breathRatePerMin', value]);
  return out;
};

describe('breathing-rate detector (NEWS2 band, sustained)', () => {
  it('normal night at 14-18/min: no events', () => {
    const script: Array<[number, string, Reading['value']]> = [[0, 'presence', true]];
    for (let t = 1; t < 3600; t += 3) script.push([t, 'breathRatePerMin', 14 + (t % 5)]);
    expect(replay(script).events).toEqual([]);
  });

  it('tachypnoea 30/min sustained 60 s raises once, exactly at 60 s; clears after 10 s back in band', () => {
    const { events, state } = replay([[0, 'presence', true], ...every(10, 100, 30), ...every(101, 130, 16)]);
    expect(events.map((x) => [x.at, x.e.state])).toEqual([[70, 'raised'], [111, 'cleared']]);
    expect(events[0]!.e).toEqual({
      type: 'alarm.breathing_rate',
      severity: 'critical',
      device: 'radar',
      state: 'raised',
      data: { breathRatePerMin: 30, direction: 'high', lowPerMin: 8, highPerMin: 25, outOfBandSinceTs: T0 + 10_000, sustainedS: 60 },
    });
    expect(events[1]!.e.data).toEqual({ breathRatePerMin: 16, worstPerMin: 30, raisedAtTs: T0 + 70_000, durationS: 41 });
    expect(state.raisedAt).toBeNull();
  });

  it('bradypnoea: 8/min is in the critical band (<= 8), 9/min is not', () => {
    expect(replay([[0, 'presence', true], ...every(1, 90, 9)]).events).toEqual([]);
    const low = replay([[0, 'presence', true], ...every(1, 90, 8)]).events;
    expect(low.map((x) => [x.at, x.e.data.direction])).toEqual([[61, 'low']]);
  });

  it('boundaries: 25/min is out of band, 24/min is in band', () => {
    expect(replay([[0, 'presence', true], ...every(1, 90, 24)]).events).toEqual([]);
    expect(replay([[0, 'presence', true], ...every(1, 90, 25)]).events).toHaveLength(1);
  });

  it('a 50 s excursion does not raise', () => {
    expect(replay([[0, 'presence', true], ...every(1, 50, 30), ...every(51, 200, 16)]).events).toEqual([]);
  });

  it('nobody present: a rate is ignored and never raises', () => {
    expect(replay([[0, 'presence', false], ...every(1, 200, 30)]).events).toEqual([]);
  });

  it('leaving mid-run restarts the sustain timer', () => {
    const { events } = replay([[0, 'presence', true], ...every(1, 50, 30), [51, 'presence', false], [55, 'presence', true], ...every(56, 200, 30)]);
    expect(events.map((x) => x.at)).toEqual([116]);
  });

  it('0 and missing values are "no value": they neither raise nor clear', () => {
    const { events } = replay([[0, 'presence', true], ...every(1, 100, 30), ...every(101, 140, 0), ...every(141, 145, 30)]);
    expect(events.map((x) => x.e.state)).toEqual(['raised']);
  });

  it('a gap longer than max_gap_s restarts the sustain timer', () => {
    // 30 s of 30/min, 40 s of silence, 30 s of 30/min: never 60 s of continuous evidence.
    expect(replay([[0, 'presence', true], ...every(1, 30, 30), ...every(71, 100, 30)]).events).toEqual([]);
    // Readings every 20 s (within max_gap_s 30) do accumulate.
    expect(replay([[0, 'presence', true], ...every(0, 100, 30, 20)]).events.map((x) => x.at)).toEqual([60]);
  });

  it('the open alarm is not cleared when the person leaves or the radar goes quiet', () => {
    const { events, state } = replay([[0, 'presence', true], ...every(1, 70, 30), [71, 'presence', false], [500, 'presence', true]]);
    expect(events.map((x) => x.e.state)).toEqual(['raised']);
    expect(state.raisedAt).not.toBeNull();
  });

  it('a rate hovering at the limit does not flap: clearing needs 10 s continuously in band', () => {
    const hover: Array<[number, string, number]> = [];
    for (let t = 62; t < 120; t++) hover.push([t, 'breathRatePerMin', t % 6 === 0 ? 26 : 22]);
    const { events } = replay([[0, 'presence', true], ...every(1, 61, 30), ...hover, ...every(120, 140, 18)]);
    // The last 26/min is at 114 s, so 10 s in band ends at 125 s; no clear while it hovers.
    expect(events.map((x) => [x.at, x.e.state])).toEqual([[61, 'raised'], [125, 'cleared']]);
  });

  it('raises again for a second episode after clearing; never twice for one episode', () => {
    const { events } = replay([[0, 'presence', true], ...every(1, 100, 30), ...every(101, 115, 16), ...every(116, 200, 4)]);
    expect(events.map((x) => [x.at, x.e.state, x.e.data.breathRatePerMin])).toEqual([[61, 'raised', 30], [111, 'cleared', 16], [176, 'raised', 4]]);
  });

  it('settings are honoured: band, times, severity, and disabled', () => {
    const s = { low_per_min: 10, high_per_min: 20, sustain_s: 5, clear_after_s: 0, severity: 'warning' as const };
    const { events } = replay([[0, 'presence', true], ...every(1, 10, 21), [11, 'breathRatePerMin', 15]], s);
    expect(events.map((x) => [x.at, x.e.state, x.e.severity])).toEqual([[6, 'raised', 'warning'], [11, 'cleared', 'warning']]);
    expect(replay([[0, 'presence', true], ...every(1, 200, 30)], { enabled: false }).events).toEqual([]);
  });

  it('state is plain JSON: a snapshot restored mid-episode continues exactly', () => {
    const s = breathingRateDefaults;
    let state = det.initialState();
    for (let t = 0; t <= 40; t++) state = det.step(state, { device: 'radar', ts: T0 + t * 1000, metric: 'breathRatePerMin', value: 30 }, T0 + t * 1000, s).state;
    let restored = JSON.parse(JSON.stringify(state)) as BreathingRateState;
    const fired: number[] = [];
    for (let t = 41; t <= 80; t++) {
      const r = det.step(restored, { device: 'radar', ts: T0 + t * 1000, metric: 'breathRatePerMin', value: 30 }, T0 + t * 1000, s);
      restored = r.state;
      if (r.events.length) fired.push(t);
    }
    expect(fired).toEqual([60]);
  });
});
