/**
 * Ingest offers a detector only the metrics it declares (Detector.metrics), indexed per metric.
 * These tests prove that changes nothing: whole streams (the example replays, the benchmark's night
 * of two radars decoded from real frames, and seeded random homes with every kind of sensor and
 * plenty of alarms) go through createIngest twice, once indexed and once with every detector
 * offered every reading, and must give the same events in the same order and the same detector
 * state snapshots at the same moments. And each detector that declares metrics is checked
 * directly: a reading of any other metric, in any state it reached, changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorkload, HOME_RADARS, T0_MS } from '../../../bench/ingest-workload.js';
import { createManualClock } from '../../../src/core/clock.js';
import type { EventDraft, StoredEvent } from '../../../src/core/event.js';
import type { MeasurementValue, Reading } from '../../../src/core/reading.js';
import { parseConfig } from '../../../src/config/load.js';
import { detectorBindings } from '../../../src/pipeline/bindings.js';
import { createIngest, type DetectorBinding } from '../../../src/daemon/ingest.js';
import type { Detector } from '../../../src/detectors/types.js';
import { createMr60bha1Driver } from '../../../src/drivers/seeed-mr60bha1/index.js';
import type { Outbox } from '../../../src/store/outbox.js';
import type { ReadingStore } from '../../../src/store/readings.js';
import { prng } from '../../helpers/prng.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HOME_YAML = readFileSync(join(ROOT, 'examples/replays/home.yaml'), 'utf8');
/** The example home with shorter delays, so the random streams raise and clear many alarms. */
const BUSY_HOME = `${HOME_YAML}
  breathing_rate: { sustain_s: 30 }
  heart_rate: { sustain_s: 30 }
  vital_signs_lost: { lost_after_s: 40 }
  sleep_report: { min_in_bed_s: 600 }
`;

interface Line { ts: number; device: string; metric: string; value: MeasurementValue }

function bindingsOf(yaml: string): DetectorBinding[] {
  const r = parseConfig(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return detectorBindings(r.config);
}

/** The same bindings with no metrics declared: every detector is offered every reading. */
function offerAll(bindings: readonly DetectorBinding[]): DetectorBinding[] {
  return bindings.map((b) => ({ ...b, detector: { ...b.detector, metrics: undefined } }));
}

const noReadings: ReadingStore = { add() {}, flush: () => 0, buffered: () => 0, prune: () => 0 } as unknown as ReadingStore;

/**
 * Drives createIngest as the daemon does: the clock at each reading's time, tick every 5 s and a
 * snapshot every second of the stream's time, a forced snapshot at the end. Returns one line per
 * committed event and per saved state, in order.
 */
function run(bindings: readonly DetectorBinding[], feed: (ingest: ReturnType<typeof createIngest>, clock: ReturnType<typeof createManualClock>, every: (ms: number) => void) => void, t0: number): string[] {
  const clock = createManualClock(t0);
  const log: string[] = [];
  let seq = 0;
  const outbox = {
    prepare: (d: EventDraft) => ({ ...d, id: '', ts: clock.now(), monoMs: null }),
    commit: (p: EventDraft) => ({ ...p, seq: ++seq, id: String(seq) }),
    inTransaction: () => false,
  } as unknown as Outbox;
  const ingest = createIngest({
    clock, readings: noReadings, outbox, detectors: bindings,
    states: { load: () => undefined, save: (snaps) => { for (const s of snaps) log.push(`state ${clock.now()} ${s.device} ${s.detector} ${JSON.stringify(s.state)}`); } },
    onEvent: (e: StoredEvent) => log.push(`event ${clock.now()} ${e.type} ${e.state} ${e.device} ${e.severity} ${JSON.stringify(e.data)}`),
  });
  let lastS: number | null = null;
  const every = (ms: number) => {
    const s = Math.floor(ms / 1000);
    while (lastS === null || lastS < s) {
      lastS = lastS === null ? s : lastS + 1;
      clock.set(Math.max(clock.now(), lastS * 1000));
      if (lastS % 5 === 0) ingest.tick();
      ingest.snapshot();
    }
    clock.set(ms);
  };
  feed(ingest, clock, every);
  ingest.snapshot(true);
  return log;
}

/** Readings one by one, through addSource (BLE, Modbus, Zigbee sources deliver decoded values). */
function runLines(bindings: readonly DetectorBinding[], lines: readonly Line[]): string[] {
  return run(bindings, (ingest, _clock, every) => {
    const feeds = new Map<string, (m: readonly { metric: string; value: MeasurementValue }[]) => void>();
    for (const l of lines) {
      every(l.ts);
      let f = feeds.get(l.device);
      if (!f) feeds.set(l.device, (f = ingest.addSource(l.device)));
      f([{ metric: l.metric, value: l.value }]);
    }
  }, lines[0]!.ts);
}

function replayFile(name: string): Line[] {
  return readFileSync(join(ROOT, 'examples/replays', name), 'utf8').split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => JSON.parse(l) as Partial<Line>)
    .filter((l): l is Line => l.device !== undefined);
}

/** A home with two bed radars going through regimes (asleep, apnea, moving, out of bed, silent...), doors, PIR, smoke, CO, an oximeter, home mode. */
function randomHome(seed: number, seconds: number): Line[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: Line[] = [];
  const t0 = Date.UTC(2026, 10, 29, 12, 0, 0);
  const regime = new Map<string, { g: string; until: number }>();
  for (let t = 0; t < seconds; t++) {
    const ts = t0 + t * 1000;
    const add = (device: string, metric: string, value: MeasurementValue) => out.push({ ts, device, metric, value });
    for (const d of ['bed-radar', 'room-radar']) {
      let r = regime.get(d);
      if (!r || r.until <= t) regime.set(d, (r = { g: pick(['sleep', 'sleep', 'sleep', 'apnea', 'silentBreath', 'moving', 'out', 'absent', 'quiet', 'brady', 'fast', 'far']), until: t + 20 + Math.floor(rnd() * 900) }));
      const g = r.g;
      if (g === 'quiet' || rnd() < 0.05) continue;
      add(d, 'presence', g !== 'absent');
      add(d, 'motion', g === 'moving' ? 'active' : g === 'absent' ? 'none' : pick(['still', 'still', 'none']));
      add(d, 'bodyMovement', g === 'moving' ? 40 + Math.floor(rnd() * 60) : Math.floor(rnd() * 10));
      add(d, 'distanceCm', g === 'far' ? 200 : 60 + Math.floor(rnd() * 40));
      if (g === 'apnea') add(d, 'breathStatus', 'none');
      else if (g !== 'silentBreath' && g !== 'absent') {
        add(d, 'breathStatus', g === 'fast' ? 'high' : 'normal');
        add(d, 'breathRatePerMin', g === 'fast' ? 32 : rnd() < 0.05 ? 0 : 12 + Math.floor(rnd() * 6));
      }
      if (g !== 'absent') add(d, 'heartRateBpm', g === 'brady' ? 35 : rnd() < 0.03 ? 0 : 55 + Math.floor(rnd() * 20));
      if (t % 5 === 0) {
        add(d, 'bedState', g === 'out' || g === 'absent' ? 'out' : 'in');
        add(d, 'sleepState', pick(['deep', 'light', 'awake', 'light']));
      }
      if (t % 10 === 0) add(d, 'moduleHeartbeat', 1);
      if (t % 3600 === 1800) add(d, 'nightSleepScore', 70 + Math.floor(rnd() * 20));
    }
    if (rnd() < 0.002) add('front-door', 'contact', rnd() < 0.5);
    if (rnd() < 0.004) add('hall-pir', 'occupancy', rnd() < 0.7);
    if (rnd() < 0.0005) add('kitchen-smoke', 'smoke', rnd() < 0.5);
    if (rnd() < 0.002) add('kitchen-co', 'coPpm', Math.floor(rnd() * 200));
    if (rnd() < 0.0005) add('kitchen-smoke', pick(['tamper', 'batteryLow', 'sensorFault']), rnd() < 0.5);
    if (rnd() < 0.001) add('kitchen-smoke', 'batteryPercent', Math.floor(rnd() * 100));
    if (t % 2 === 0 && t % 7200 < 3600) {
      add('oximeter', 'spo2Percent', t % 1800 < 200 ? 84 : 95 + Math.floor(rnd() * 4));
      add('oximeter', 'pulseRateBpm', rnd() < 0.01 ? 200 : 60 + Math.floor(rnd() * 10));
      if (rnd() < 0.01) add('oximeter', pick(['sensorDisplaced', 'lowPerfusion', 'skinContact']), rnd() < 0.5);
      if (rnd() < 0.002) add('oximeter', 'oximeterMeasurementStatus', pick([0, 1 << 9]));
    }
    if (rnd() < 0.0002) add('hub', 'homeMode', pick(['away', 'home']));
  }
  return out;
}

const eventTypes = (log: readonly string[]) => new Set(log.filter((l) => l.startsWith('event ')).map((l) => l.split(' ')[2]));

describe('per-metric dispatch gives what offering every reading to every detector gives', () => {
  it('declares metrics for some detectors and leaves the others on every reading', () => {
    const declared = bindingsOf(HOME_YAML).filter((b) => b.detector.metrics !== undefined).map((b) => b.detector.name);
    // If this list shrinks to nothing, the index is no longer tested by the replays below.
    expect(declared.sort()).toEqual(['breathing_rate', 'fire_gas', 'heart_rate', 'sos', 'spo2']);
  });

  for (const file of ['night-breathing-stop.jsonl', 'left-home-curfew.jsonl']) {
    it(`examples/replays/${file}`, () => {
      const lines = replayFile(file);
      const bindings = bindingsOf(HOME_YAML);
      const indexed = runLines(bindings, lines);
      expect(indexed.filter((l) => l.startsWith('event ')).length).toBeGreaterThan(0);
      expect(indexed).toEqual(runLines(offerAll(bindings), lines));
    });
  }

  it("the benchmark's night: two MR60BHA1 radars, decoded from UART-sized chunks", () => {
    const w = buildWorkload(1800);
    const config = `hub: { id: bench, timezone: Asia/Shanghai }\nuplink: { url: "mqtt://127.0.0.1:1883" }\ndevices:\n${HOME_RADARS.map((id) => `  - { id: ${id}, model: seeed-mr60bha1, room: r, serial: { path: /dev/null } }`).join('\n')}\n`;
    const bytes = (bindings: readonly DetectorBinding[]) => run(bindings, (ingest, _clock, every) => {
      const feeds = HOME_RADARS.map((id) => ingest.addDevice(id, createMr60bha1Driver()));
      for (const c of w.chunks) {
        every(T0_MS + c.second * 1000);
        feeds[c.device]!(c.bytes);
      }
    }, T0_MS);
    const bindings = bindingsOf(config);
    const indexed = bytes(bindings);
    expect(indexed.filter((l) => l.startsWith('state ')).length).toBeGreaterThan(100);
    expect(indexed).toEqual(bytes(offerAll(bindings)));
  });

  for (const seed of [1, 2]) {
    it(`a random busy home, 6 hours (seed ${seed})`, () => {
      const lines = randomHome(seed, 6 * 3600);
      const bindings = bindingsOf(BUSY_HOME);
      const indexed = runLines(bindings, lines);
      // The stream must exercise the detectors whose dispatch changed, and others around them.
      const types = eventTypes(indexed);
      for (const t of ['alarm.heart_rate', 'alarm.breathing_rate', 'alarm.spo2', 'alarm.co', 'alarm.smoke', 'alarm.apnea', 'device.offline']) expect(types).toContain(t);
      expect(indexed).toEqual(runLines(offerAll(bindings), lines));
    });
  }
});

describe('a detector that declares metrics ignores every other metric', () => {
  // Every metric of the random home and of METRICS.md's tables, with plausible and odd values.
  const lines = randomHome(3, 4 * 3600);
  const metrics = [...new Set([...lines.map((l) => l.metric), 'targetState', 'contact', 'occupancy', 'gas', 'gasLelPercent', 'co', 'available', 'skinContact', 'oximeterInvalid', 'sensorNotOnUser'])];
  const values: MeasurementValue[] = [true, false, 0, 1, 35, 50, 200, -1, 'in', 'out', 'none', 'active', 'still', 'normal', 'away'];
  const bindings = bindingsOf(BUSY_HOME).filter((b) => b.detector.metrics !== undefined);

  for (const b of bindings) {
    it(b.detector.name, () => {
      const det = b.detector as Detector<unknown, unknown>;
      const own = new Set(det.metrics);
      const others = metrics.filter((m) => !own.has(m));
      expect(others.length).toBeGreaterThan(10);
      const settings = b.settings('bed-radar');
      let state = det.initialState();
      let probes = 0;
      for (const [i, l] of lines.entries()) {
        if (l.device !== 'bed-radar' && l.device !== 'oximeter') continue;
        const reading: Reading = { ...l, device: 'bed-radar' };
        if (own.has(l.metric)) state = det.step(state, reading, l.ts, settings).state;
        if (i % 97 !== 0) continue;
        // In the state just reached, a reading of any other metric must be a no-op.
        for (const metric of others) {
          const r = det.step(state, { device: 'bed-radar', ts: l.ts, metric, value: values[probes++ % values.length]! }, l.ts, settings);
          expect(r.events).toHaveLength(0);
          expect(r.state).toBe(state);
        }
      }
      expect(probes).toBeGreaterThan(1000);
    });
  }
});
