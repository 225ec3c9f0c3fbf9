/** The SOS button detector: a press raises alarm.sos, the cancel gesture within the window clears it. */
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/core/reading.js';
import { sosDefaults, sosDetector, type SosState } from '../../../src/detectors/sos.js';

const s = { ...sosDefaults };
const T0 = 1_800_000_000_000;
const at = (state: SosState, metric: string, value: boolean | string, t: number) => sosDetector.step(state, { device: 'btn', ts: t, metric, value } as Reading, t, s);
const kinds = (r: { events: readonly { state: string; data: Readonly<Record<string, unknown>> }[] }) => r.events.map((e) => `${e.state}${e.data.reason ? `:${String(e.data.reason)}` : ''}`);

describe('SOS button detector', () => {
  it('an IAS press raises a critical alarm.sos; a release or a second press right away changes nothing', () => {
    const r = at(sosDetector.initialState(), 'sos', true, T0);
    expect(r.events).toEqual([{ type: 'alarm.sos', severity: 'critical', device: 'btn', state: 'raised', data: { source: 'ias' } }]);
    const released = at(r.state, 'sos', false, T0 + 300);
    expect(released.events).toEqual([]);
    // Pressed again and again in fear: not a cancel (the double press must start after the window).
    const again = at(released.state, 'sos', true, T0 + 900);
    const third = at(again.state, 'sos', true, T0 + 1500);
    expect([...again.events, ...third.events]).toEqual([]);
  });

  it('an IAS double press within the cancel window clears it as cancelled; after the window, as reset', () => {
    const r = at(sosDetector.initialState(), 'sos', true, T0);
    const p1 = at(r.state, 'sos', true, T0 + 10_000);
    const p2 = at(p1.state, 'sos', true, T0 + 11_000);
    expect(kinds(p2)).toEqual(['cleared:cancelled']);
    expect(p2.events[0]!.data).toMatchObject({ source: 'ias:double_press', open_s: 11 });
    const late = at(at(at(sosDetector.initialState(), 'sos', true, T0).state, 'sos', true, T0 + 40_000).state, 'sos', true, T0 + 41_000);
    expect(kinds(late)).toEqual(['cleared:reset']);
  });

  it('Zigbee2MQTT actions: emergency raises, double cancels, unknown actions are ignored', () => {
    const r = at(sosDetector.initialState(), 'buttonAction', 'emergency', T0);
    expect(r.events[0]).toMatchObject({ type: 'alarm.sos', state: 'raised', data: { source: 'action:emergency' } });
    expect(at(r.state, 'buttonAction', 'single', T0 + 1000).events).toEqual([]);
    expect(kinds(at(r.state, 'buttonAction', 'double', T0 + 5000))).toEqual(['cleared:cancelled']);
    expect(at(sosDetector.initialState(), 'buttonAction', 'double', T0).events).toEqual([]); // nothing open
  });
});
