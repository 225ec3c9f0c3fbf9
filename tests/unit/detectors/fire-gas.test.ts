/** Named scenarios for alarm.smoke, alarm.co and alarm.gas: exact events, second by second. */
import { describe, expect, it } from 'vitest';
import {
  fireGasDefaults,
  fireGasDetector as det,
  type FireGasSettings,
} from '../../../src/detectors/fire-gas.js';
import { FireGasSettingsSchema } from '../../../src/detectors/settings/fire-gas.js';
import { brief, replay, type ScriptLine } from '../../helpers/detector-replay.js';

const T0 = Date.UTC(2026, 10, 29, 18, 0, 0);
const S: FireGasSettings = FireGasSettingsSchema.parse({});
const run = (script: ScriptLine[], settings: Partial<FireGasSettings> = {}, restartAtS: number[] = []) =>
  replay(det, { ...S, ...settings }, script, { t0: T0, tickEveryS: 0, restartAtS });

const series = (device: string, metric: string, from: number, values: number[]): ScriptLine[] =>
  values.map((v, k) => [from + k, device, metric, v] as const);

describe('fire-gas detector', () => {
  it('defaults: the schema with no keys gives the documented defaults', () => {
    expect(S).toEqual(fireGasDefaults);
    expect(S.co_ppm).toEqual({ raise_at: 50, clear_at: 30 });
    expect(S.gas_lel_percent).toEqual({ raise_at: 10, clear_at: 5 });
  });

  it('smoke: critical at the first report, once, cleared when the detector reports clear', () => {
    const { fired, state } = run([
      [0, 'kitchen-smoke', 'smoke', false],
      [10, 'kitchen-smoke', 'smoke', true],
      [11, 'kitchen-smoke', 'smoke', true], // Zigbee2MQTT republishes state: no second alarm
      [40, 'kitchen-smoke', 'battery', 80],
      [95, 'kitchen-smoke', 'smoke', false],
      [96, 'kitchen-smoke', 'smoke', false],
    ]);
    expect(fired).toEqual([
      { at: 10, e: { type: 'alarm.smoke', severity: 'critical', device: 'kitchen-smoke', state: 'raised', data: { source: 'smoke', value: true } } },
      { at: 95, e: { type: 'alarm.smoke', severity: 'critical', device: 'kitchen-smoke', state: 'cleared', data: { source: 'smoke', value: false, raisedAtTs: T0 + 10_000, durationS: 85 } } },
    ]);
    expect(state.smoke.raisedAt).toBeNull();
  });

  it('smoke reported alarming at the very first report still raises at once', () => {
    expect(brief(run([[0, 'hall-smoke', 'smoke', true]]).fired)).toEqual([[0, 'alarm.smoke', 'raised']]);
  });

  it('gas concentration with hysteresis: raise at >= 10 % LEL, no flapping between 5 and 10, clear at <= 5', () => {
    const script = series('boiler-gas', 'gasLelPercent', 0, [0, 2, 5, 9.9, 10, 12, 9, 6, 11, 5.1, 9.99, 5, 7, 9.9, 8]);
    const { fired } = run(script);
    expect(fired).toEqual([
      { at: 4, e: { type: 'alarm.gas', severity: 'critical', device: 'boiler-gas', state: 'raised', data: { source: 'gasLelPercent', value: 10, unit: '%LEL', raiseAt: 10, clearAt: 5 } } },
      { at: 11, e: { type: 'alarm.gas', severity: 'critical', device: 'boiler-gas', state: 'cleared', data: { source: 'gasLelPercent', value: 5, raisedAtTs: T0 + 4_000, durationS: 7, peak: 12 } } },
    ]);
  });

  it('gas hovering at the raise level: one alarm for the whole episode', () => {
    const hover: number[] = [];
    for (let k = 0; k < 300; k++) hover.push(k % 2 === 0 ? 10.2 : 9.8);
    const { fired } = run([...series('g', 'gasLelPercent', 0, hover), [300, 'g', 'gasLelPercent', 4.9]]);
    expect(brief(fired)).toEqual([[0, 'alarm.gas', 'raised'], [300, 'alarm.gas', 'cleared']]);
    expect(fired[1]!.e.data.peak).toBe(10.2);
  });

  it('combustible gas from a Zigbee detector (boolean): raise and clear', () => {
    const { fired } = run([[0, 'hs1cg', 'gas', false], [5, 'hs1cg', 'gas', true], [65, 'hs1cg', 'gas', false]]);
    expect(fired.map((f) => [f.at, f.e.type, f.e.state, f.e.data])).toEqual([
      [5, 'alarm.gas', 'raised', { source: 'gas', value: true }],
      [65, 'alarm.gas', 'cleared', { source: 'gas', value: false, raisedAtTs: T0 + 5_000, durationS: 60, peak: null }],
    ]);
  });

  it('CO ppm (EN 50291 levels): 49 ppm does not raise, 50 does; clears at 30, not at 31', () => {
    const { fired } = run(series('co-1', 'coPpm', 0, [10, 30, 49, 50, 120, 300, 80, 31, 45, 30, 12]));
    expect(fired).toEqual([
      { at: 3, e: { type: 'alarm.co', severity: 'critical', device: 'co-1', state: 'raised', data: { source: 'coPpm', value: 50, unit: 'ppm', raiseAt: 50, clearAt: 30 } } },
      { at: 9, e: { type: 'alarm.co', severity: 'critical', device: 'co-1', state: 'cleared', data: { source: 'coPpm', value: 30, raisedAtTs: T0 + 3_000, durationS: 6, peak: 300 } } },
    ]);
  });

  it('CO alarm with both a flag and ppm on one device: one alarm, open while either says alarm', () => {
    const { fired } = run([
      [0, 'co-2', 'coPpm', 20],
      [10, 'co-2', 'co', true], // the device's own alarm decides first
      [11, 'co-2', 'coPpm', 90], // no second alarm.co
      [20, 'co-2', 'coPpm', 10], // ppm is clear, but the device still says alarm
      [30, 'co-2', 'co', false], // now both clear
    ]);
    expect(fired.map((f) => [f.at, f.e.state, f.e.data])).toEqual([
      [10, 'raised', { source: 'co', value: true }],
      [30, 'cleared', { source: 'co', value: false, raisedAtTs: T0 + 10_000, durationS: 20, peak: 90 }],
    ]);
  });

  it('smoke, CO and gas are independent alarms on one device', () => {
    const { fired } = run([[0, 'multi', 'smoke', true], [1, 'multi', 'coPpm', 400], [2, 'multi', 'smoke', false], [3, 'multi', 'coPpm', 0]]);
    expect(brief(fired)).toEqual([[0, 'alarm.smoke', 'raised'], [1, 'alarm.co', 'raised'], [2, 'alarm.smoke', 'cleared'], [3, 'alarm.co', 'cleared']]);
  });

  it('detector fault and tamper are not fire alarms: no events here (device-supervision owns them), and a fault does not clear smoke', () => {
    const { fired, state } = run([[0, 'smk', 'smoke', true], [5, 'smk', 'sensorFault', true], [6, 'smk', 'tamper', true], [7, 'smk', 'sensorFault', false]]);
    expect(brief(fired)).toEqual([[0, 'alarm.smoke', 'raised']]);
    expect(state.smoke.raisedAt).toBe(T0);
  });

  it('values that are not air: NaN, negative, strings and wrong types are ignored', () => {
    const { fired } = run([
      [0, 'x', 'coPpm', Number.NaN], [1, 'x', 'coPpm', -5], [2, 'x', 'coPpm', '400'], [3, 'x', 'smoke', 'true'], [4, 'x', 'gasLelPercent', Number.POSITIVE_INFINITY],
    ]);
    expect(fired).toEqual([]);
  });

  it('settings: thresholds per gas, disabled, and clear_at must be below raise_at', () => {
    const custom = FireGasSettingsSchema.parse({ co_ppm: { raise_at: 100 } });
    expect(custom.co_ppm).toEqual({ raise_at: 100, clear_at: 30 });
    expect(brief(run(series('c', 'coPpm', 0, [60, 99, 100, 40, 30]), custom).fired)).toEqual([[2, 'alarm.co', 'raised'], [4, 'alarm.co', 'cleared']]);
    expect(run([[0, 's', 'smoke', true]], { enabled: false }).fired).toEqual([]);
    expect(FireGasSettingsSchema.safeParse({ gas_lel_percent: { raise_at: 10, clear_at: 10 } }).success).toBe(false);
    expect(FireGasSettingsSchema.safeParse({ co_ppm: { raise_at: 50, clear_at: 30, extra: 1 } }).success).toBe(false);
  });

  it('restart in the middle of a gas episode: no second raise, the clear carries the original raise time and peak', () => {
    const script = series('g', 'gasLelPercent', 0, [12, 15, 11, 8, 7, 6, 5]);
    const straight = run(script);
    const restarted = run(script, {}, [3]);
    expect(restarted.fired).toEqual(straight.fired);
    expect(brief(restarted.fired)).toEqual([[0, 'alarm.gas', 'raised'], [6, 'alarm.gas', 'cleared']]);
    expect(restarted.fired[1]!.e.data).toEqual({ source: 'gasLelPercent', value: 5, raisedAtTs: T0, durationS: 6, peak: 15 });
  });

  it('restart while smoke is open: the clear still comes, once', () => {
    const script: ScriptLine[] = [[0, 's', 'smoke', true], [50, 's', 'smoke', true], [100, 's', 'smoke', false]];
    expect(run(script, {}, [20]).fired).toEqual(run(script).fired);
  });
});
