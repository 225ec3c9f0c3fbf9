/** Named scenarios for device.offline, device.battery_low, device.tamper and device.fault. */
import { describe, expect, it } from 'vitest';
import {
  deviceSupervisionDefaults,
  deviceSupervisionDetector as det,
  silenceTimeoutS,
  type DeviceSupervisionSettings,
} from '../../../src/detectors/device-supervision.js';
import { DeviceSupervisionSettingsSchema } from '../../../src/detectors/settings/device-supervision.js';
import { brief, H, replay, type ScriptLine } from '../../helpers/detector-replay.js';

const T0 = Date.UTC(2026, 10, 29, 8, 0, 0);
const S = (over: Record<string, unknown> = {}): DeviceSupervisionSettings => DeviceSupervisionSettingsSchema.parse(over);
const run = (settings: DeviceSupervisionSettings, script: ScriptLine[], untilS: number, tickEveryS = 60, restartAtS: number[] = []) =>
  replay(det, settings, script, { t0: T0, tickEveryS, untilS, restartAtS });

describe('device-supervision detector', () => {
  it('defaults: per-class timeouts, battery 20/30 %, hub gap 300 s', () => {
    const s = S();
    expect(s).toEqual(deviceSupervisionDefaults);
    expect(s.silence_timeout_s).toEqual(deviceSupervisionDefaults.silence_timeout_s);
    expect(s).toMatchObject({ enabled: true, device_class: 'default', device_id: null, battery_low_percent: 20, battery_ok_percent: 30, hub_gap_s: 300 });
    expect(silenceTimeoutS(S({ device_class: 'smoke' }))).toBe(14_400);
    expect(silenceTimeoutS(S({ device_class: 'radar' }))).toBe(120);
    expect(silenceTimeoutS(S({ device_class: 'toaster' }))).toBe(3_600); // unknown class: default
    // Overriding one class keeps the others; new classes may be added.
    const custom = S({ device_class: 'doorbell', silence_timeout_s: { smoke: 7200, doorbell: 600 } });
    expect(custom.silence_timeout_s).toMatchObject({ smoke: 7200, co: 14_400, doorbell: 600 });
    expect(silenceTimeoutS(custom)).toBe(600);
    expect(DeviceSupervisionSettingsSchema.safeParse({ battery_low_percent: 30, battery_ok_percent: 30 }).success).toBe(false);
    expect(DeviceSupervisionSettingsSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });

  it('smoke detector silent -> offline after 4 h (first tick past it) -> back online at its next report', () => {
    const { fired } = run(S({ device_class: 'smoke' }), [
      [0, 'hall-smoke', 'smoke', false],
      [3000, 'hall-smoke', 'batteryPercent', 90], // a check-in
      [3000 + 5 * H, 'hall-smoke', 'smoke', false],
    ], 6 * H);
    expect(fired).toEqual([
      { at: 3000 + 4 * H + 60, e: { type: 'device.offline', severity: 'warning', device: 'hall-smoke', state: 'raised', data: { deviceClass: 'smoke', timeoutS: 14_400, lastSeenTs: T0 + 3_000_000, silentS: 14_460 } } },
      { at: 3000 + 5 * H, e: { type: 'device.offline', severity: 'warning', device: 'hall-smoke', state: 'cleared', data: { raisedAtTs: T0 + (3000 + 4 * H + 60) * 1000, durationS: 3540, metric: 'smoke' } } },
    ]);
  });

  it('hourly check-ins keep a smoke detector online all day (no event)', () => {
    const script: ScriptLine[] = [];
    for (let t = 0; t <= 24 * H; t += H) script.push([t, 'hall-smoke', 'batteryPercent', 90]);
    expect(run(S({ device_class: 'smoke' }), script, 24 * H).fired).toEqual([]);
  });

  it('radar: a dead serial line is offline after 120 s, and raised once however long it lasts', () => {
    const script: ScriptLine[] = [];
    for (let t = 0; t < 100; t++) script.push([t, 'bed-radar', 'presence', true]);
    const { fired } = run(S({ device_class: 'radar' }), script, 2 * H, 5);
    expect(brief(fired)).toEqual([[220, 'device.offline', 'raised']]);
    expect(fired[0]!.e.data).toEqual({ deviceClass: 'radar', timeoutS: 120, lastSeenTs: T0 + 99_000, silentS: 121 });
  });

  it('a device that never reported is offline after its timeout counted from the first tick, named by device_id', () => {
    const { fired } = run(S({ device_class: 'contact', device_id: 'front-door' }), [], 5 * H);
    expect(fired).toEqual([
      { at: 4 * H + 60, e: { type: 'device.offline', severity: 'warning', device: 'front-door', state: 'raised', data: { deviceClass: 'contact', timeoutS: 14_400, lastSeenTs: null, silentS: 14_460 } } },
    ]);
  });

  it('class timeout 0 = not supervised', () => {
    expect(run(S({ device_class: 'hub', silence_timeout_s: { hub: 0 } }), [[0, 'hub', 'homeMode', 'home']], 48 * H).fired).toEqual([]);
  });

  it('the hub being down is not the device being silent: silence is counted afresh after a tick gap', () => {
    const s = S({ device_class: 'smoke' });
    let st = det.initialState();
    st = det.step(st, { device: 'smk', metric: 'smoke', value: false, ts: T0 }, T0, s).state;
    st = det.tick!(st, T0, s).state;
    // The hub is off for 5 h; the detector may well have checked in meanwhile.
    const back = T0 + 5 * H * 1000;
    const r1 = det.tick!(st, back, s);
    expect(r1.events).toEqual([]);
    st = r1.state;
    // 4 h of listening later, still nothing: now it is offline.
    let events: unknown[] = [];
    for (let t = back + 60_000; t <= back + (4 * H + 120) * 1000; t += 60_000) {
      const r = det.tick!(st, t, s);
      st = r.state;
      if (r.events.length) events = [...events, [(t - back) / 1000, r.events[0]!.data]];
    }
    expect(events).toEqual([[4 * H + 60, { deviceClass: 'smoke', timeoutS: 14_400, lastSeenTs: T0, silentS: 14_460 }]]);
  });

  it('restart in the middle of a silence: offline exactly when it would have been without the restart', () => {
    const script: ScriptLine[] = [[0, 'smk', 'smoke', false]];
    const straight = run(S({ device_class: 'smoke' }), script, 5 * H);
    const restarted = run(S({ device_class: 'smoke' }), script, 5 * H, 60, [2 * H, 2 * H + 30]);
    expect(restarted.fired).toEqual(straight.fired);
    expect(brief(restarted.fired)).toEqual([[4 * H + 60, 'device.offline', 'raised']]);
  });

  it('restart while offline: not raised again, cleared by the next reading', () => {
    const script: ScriptLine[] = [[0, 'r', 'presence', true], [1000, 'r', 'presence', true]];
    const { fired } = run(S({ device_class: 'radar' }), script, 1100, 5, [500]);
    expect(brief(fired)).toEqual([[125, 'device.offline', 'raised'], [1000, 'device.offline', 'cleared']]);
  });

  it('low battery: the batteryLow flag raises and clears', () => {
    const { fired } = run(S({ device_class: 'contact' }), [[0, 'door', 'batteryLow', false], [10, 'door', 'batteryLow', true], [11, 'door', 'batteryLow', true], [900, 'door', 'batteryLow', false]], 1000);
    expect(fired).toEqual([
      { at: 10, e: { type: 'device.battery_low', severity: 'warning', device: 'door', state: 'raised', data: { source: 'batteryLow', value: true, lowPercent: 20 } } },
      { at: 900, e: { type: 'device.battery_low', severity: 'warning', device: 'door', state: 'cleared', data: { source: 'batteryLow', value: false, raisedAtTs: T0 + 10_000, durationS: 890 } } },
    ]);
  });

  it('low battery from percent with hysteresis: raise at <= 20 %, no flapping, clear at >= 30 % (new batteries)', () => {
    const pct = [45, 30, 21, 20, 23, 19, 25, 29, 22, 100];
    const { fired } = run(S({ device_class: 'smoke' }), pct.map((v, k) => [k * 600, 'smk', 'batteryPercent', v] as const), 6000);
    expect(fired.map((f) => [f.at, f.e.state, f.e.data.value])).toEqual([[1800, 'raised', 20], [5400, 'cleared', 100]]);
  });

  it('flag and percent together: one condition, cleared only when both are fine', () => {
    const { fired } = run(S(), [[0, 'd', 'batteryPercent', 15], [10, 'd', 'batteryLow', true], [20, 'd', 'batteryPercent', 95], [30, 'd', 'batteryLow', false]], 40);
    expect(fired.map((f) => [f.at, f.e.type, f.e.state])).toEqual([[0, 'device.battery_low', 'raised'], [30, 'device.battery_low', 'cleared']]);
  });

  it('tamper: raised when the cover is opened, cleared when closed; fault likewise, each once', () => {
    const { fired } = run(S({ device_class: 'smoke' }), [
      [0, 'smk', 'tamper', false], [5, 'smk', 'tamper', true], [6, 'smk', 'tamper', true], [60, 'smk', 'tamper', false],
      [100, 'smk', 'sensorFault', true], [101, 'smk', 'sensorFault', true], [400, 'smk', 'sensorFault', false],
    ], 500);
    expect(fired).toEqual([
      { at: 5, e: { type: 'device.tamper', severity: 'warning', device: 'smk', state: 'raised', data: {} } },
      { at: 60, e: { type: 'device.tamper', severity: 'warning', device: 'smk', state: 'cleared', data: { raisedAtTs: T0 + 5_000, durationS: 55 } } },
      { at: 100, e: { type: 'device.fault', severity: 'warning', device: 'smk', state: 'raised', data: {} } },
      { at: 400, e: { type: 'device.fault', severity: 'warning', device: 'smk', state: 'cleared', data: { raisedAtTs: T0 + 100_000, durationS: 300 } } },
    ]);
  });

  it('a 10 readings/s radar leaves the state object untouched for readings within the same second (no copy, no snapshot)', () => {
    const s = S({ device_class: 'radar' });
    let st = det.step(det.initialState(), { device: 'r', metric: 'presence', value: true, ts: T0 }, T0, s).state;
    const same = det.step(st, { device: 'r', metric: 'presence', value: true, ts: T0 + 100 }, T0 + 100, s).state;
    expect(same).toBe(st);
    st = det.step(st, { device: 'r', metric: 'presence', value: true, ts: T0 + 1000 }, T0 + 1000, s).state;
    expect(st.lastSeenAt).toBe(T0 + 1000);
  });

  it('disabled: nothing', () => {
    expect(run(S({ enabled: false, device_class: 'radar' }), [[0, 'r', 'tamper', true]], H).fired).toEqual([]);
  });
});

describe('availability reported by another system (Zigbee2MQTT)', () => {
  it('available: false is offline at once, not a sign of life; the next reading clears it', async () => {
    const { deviceSupervisionDetector: det } = await import('../../../src/detectors/device-supervision.js');
    const s = S({ device_class: 'smoke', device_id: 'smoke-1' });
    let st = det.initialState();
    const step = (metric: string, value: boolean | number, now: number) => {
      const r = det.step(st, { device: 'smoke-1', ts: now, metric, value }, now, s);
      st = r.state;
      return r.events.map((e) => [e.type, e.state, (e.data as { reportedBy?: string }).reportedBy ?? null]);
    };
    expect(step('batteryPercent', 90, 1_000)).toEqual([]);
    expect(step('available', false, 5_000)).toEqual([['device.offline', 'raised', 'availability']]);
    expect(step('available', false, 6_000)).toEqual([]);
    expect(step('available', true, 9_000)).toEqual([['device.offline', 'cleared', null]]);
  });
});
