import type { Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import type { Config } from '../config/schema.js';
import { breathingRateDetector } from '../detectors/breathing-rate.js';
import type { Detector } from '../detectors/types.js';
import type { StreamDriver, DriverStats } from '../drivers/types.js';
import type { Outbox } from '../store/outbox.js';
import type { ReadingStore } from '../store/readings.js';

/**
 * The hot path, as direct calls: bytes -> driver -> readings -> detectors -> committed events.
 * An event is handed to `onEvent` (log, uplink) only after the outbox committed it.
 */
export interface DeviceIngestStats {
  readings: number;
  events: number;
  lastSeenTs: number | null;
  driver: Readonly<DriverStats>;
}

export interface Ingest {
  /** Registers a device; returns the function its transport calls with each chunk of bytes. */
  addDevice(deviceId: string, driver: StreamDriver): (chunk: Uint8Array) => void;
  stats(deviceId: string): DeviceIngestStats | undefined;
}

export interface IngestDeps {
  clock: Clock;
  readings: ReadingStore;
  outbox: Outbox;
  detectors: Config['detectors'];
  onEvent: (event: StoredEvent) => void;
}

/** One detector bound to its settings, holding the state for one device. */
interface DetectorSlot {
  step(reading: Reading, now: number): void;
}

export function createIngest(deps: IngestDeps): Ingest {
  const { clock, readings, outbox, onEvent } = deps;
  const devices = new Map<string, { driver: StreamDriver; stats: Omit<DeviceIngestStats, 'driver'> }>();

  function slot<S, C>(detector: Detector<S, C>, settings: C, counters: { events: number }): DetectorSlot {
    let state = detector.initialState();
    return {
      step(reading, now) {
        const r = detector.step(state, reading, now, settings);
        state = r.state;
        for (const draft of r.events) {
          const stored = outbox.append(draft); // committed before anyone hears of it
          counters.events++;
          onEvent(stored);
        }
      },
    };
  }

  return {
    addDevice(deviceId, driver) {
      const stats = { readings: 0, events: 0, lastSeenTs: null as number | null };
      devices.set(deviceId, { driver, stats });
      const slots: DetectorSlot[] = [slot(breathingRateDetector, deps.detectors.breathing_rate, stats)];
      return (chunk) => {
        const measurements = driver.push(chunk);
        if (measurements.length === 0) return;
        const now = clock.now();
        stats.lastSeenTs = now;
        for (const m of measurements) {
          const reading: Reading = { device: deviceId, ts: now, metric: m.metric, value: m.value };
          stats.readings++;
          readings.add(reading);
          for (const s of slots) s.step(reading, now);
        }
      };
    },
    stats(deviceId) {
      const d = devices.get(deviceId);
      return d ? { ...d.stats, driver: d.driver.stats() } : undefined;
    },
  };
}
