import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import type { Detector, StepResult } from '../detectors/types.js';
import type { DetectorBinding } from './bindings.js';

/**
 * The detector runner: which detector slots exist, which readings each is offered, in which order,
 * and the tick. The daemon's ingest (src/daemon/ingest.ts: slots that commit their events and save
 * their states), `anjuctl replay` (src/pipeline/replay.ts: slots in memory) and the benchmarks
 * (bench/detectors.ts) all drive detectors through this one module, so what a replay prints is by
 * construction what the hub would do with the same readings at the same times. What a slot does
 * with a step's result is the caller's (the slot factory); which slot steps when is this module's.
 *
 * Order, everywhere: a device's slots are its device-scoped bindings in order; a reading of a device
 * goes to its own slots, then the home's, each only when it declared the reading's metric
 * (Detector.metrics) or takes every reading; then to the slots of other devices that take it as a
 * companion (Detector.companionMetrics, DetectorBinding.companions: a bed's paired oximeter), in the
 * order those devices were added. A tick goes to every device's slots in the order the devices were
 * added, then to the home's.
 */

/** How often time-driven detectors look at the clock ("no activity for 12 h", "silent device"): the daemon's tick, and the replay's. */
export const DETECTOR_TICK_MS = 5000;

/** Snapshot key of home-scoped detectors (device ids cannot contain '@'). */
export const HOME_KEY = '@home';

/** One detector bound to its settings, holding the state for one device or the home. */
export interface RunnerSlot {
  /** The metrics it is offered (Detector.metrics); null: every reading. */
  readonly metrics: ReadonlySet<string> | null;
  step(reading: Reading, now: number): void;
  tick(now: number): void;
}

/**
 * Makes the slot of one detector for one device (`key` = its id) or the home (HOME_KEY), with its
 * settings already resolved; `ctx` is what the caller passed with the device (its counters, say).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SlotFactory<T extends RunnerSlot, C> = (key: string, detector: Detector<any, any>, settings: unknown, ctx: C) => T;

export interface DetectorRunner<T extends RunnerSlot, C> {
  /** Builds the home's slots (once, before any device: restoring them may already walk `slots()`). */
  addHome(ctx: C): void;
  /** Builds a device's slots (once per device); returns what offers it each of its readings. */
  addDevice(deviceId: string, ctx: C): (reading: Reading, now: number) => void;
  /** A reading of a device with no slots of its own (the replay's home-mode device): the home's slots only. */
  homeOnly(reading: Reading, now: number): void;
  /** Every slot: the devices' in the order they were added, then the home's (the tick's order). */
  slots(): readonly T[];
  /** Lets time-driven detectors look at the clock. */
  tick(now: number): void;
}

/** Metric names a device may bring with their own route (a driver has a few dozen; a source sending more gets them filtered on each reading). */
const MAX_ROUTES = 256;

/**
 * Which slots a reading of each metric goes to: those that declared the metric (Detector.metrics)
 * and those that take every reading, in the slots' order (the device's bindings, then the home's),
 * so events come out in the same order as if every slot were offered every reading. Built on a
 * metric's first reading and kept.
 */
function metricRoutes<T extends RunnerSlot>(slots: readonly T[]): (metric: string) => readonly T[] {
  const routes = new Map<string, readonly T[]>();
  return (metric) => {
    let r = routes.get(metric);
    if (r === undefined) {
      r = slots.filter((s) => s.metrics === null || s.metrics.has(metric));
      if (routes.size < MAX_ROUTES) routes.set(metric, r);
    }
    return r;
  };
}

export function createDetectorRunner<T extends RunnerSlot, C>(bindings: readonly DetectorBinding[], makeSlot: SlotFactory<T, C>): DetectorRunner<T, C> {
  const homeBindings = bindings.filter((b) => b.detector.scope === 'home');
  const deviceBindings = bindings.filter((b) => b.detector.scope !== 'home');
  const homeSlots: T[] = [];
  const deviceSlots = new Map<string, T[]>();
  /**
   * By source device: the other devices' slots that take some of its metrics as companions, each
   * with the metrics it takes. A device without companions costs one Map lookup per reading.
   */
  const companionSlots = new Map<string, Array<{ readonly metrics: ReadonlySet<string>; readonly slot: T }>>();
  /** Every slot in tick order; rebuilt when one is added (tick and snapshot walk it every few seconds). */
  let every: T[] | null = null;
  let homeRoute = metricRoutes(homeSlots);
  const slots = (): readonly T[] => (every ??= [...[...deviceSlots.values()].flat(), ...homeSlots]);

  return {
    addHome(ctx) {
      for (const b of homeBindings) {
        homeSlots.push(makeSlot(HOME_KEY, b.detector, b.settings(null), ctx));
        every = null;
      }
      homeRoute = metricRoutes(homeSlots);
    },
    addDevice(deviceId, ctx) {
      const slots: T[] = [];
      deviceSlots.set(deviceId, slots);
      for (const b of deviceBindings) {
        slots.push(makeSlot(deviceId, b.detector, b.settings(deviceId), ctx));
        every = null;
      }
      deviceBindings.forEach((b, i) => {
        if (!b.companions || !b.detector.companionMetrics) return;
        const metrics = new Set(b.detector.companionMetrics);
        for (const source of b.companions(deviceId)) {
          if (source === deviceId) continue;
          const list = companionSlots.get(source) ?? [];
          list.push({ metrics, slot: slots[i]! });
          companionSlots.set(source, list);
        }
      });
      const route = metricRoutes([...slots, ...homeSlots]);
      return (reading, now) => {
        for (const s of route(reading.metric)) s.step(reading, now);
        const companions = companionSlots.get(deviceId);
        if (companions !== undefined) for (const c of companions) if (c.metrics.has(reading.metric)) c.slot.step(reading, now);
      };
    },
    homeOnly(reading, now) {
      for (const s of homeRoute(reading.metric)) s.step(reading, now);
    },
    slots,
    tick(now) {
      for (const s of slots()) s.tick(now);
    },
  };
}

/**
 * A slot whose state lives in memory only (the replay, the benchmarks): each step's events go to
 * `onEvents` with the time they came out.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function memorySlot(detector: Detector<any, any>, settings: unknown, onEvents: (events: readonly EventDraft[], now: number) => void): RunnerSlot {
  let state: unknown = detector.initialState();
  const take = (r: StepResult<unknown>, now: number): void => {
    state = r.state;
    if (r.events.length > 0) onEvents(r.events, now);
  };
  return {
    metrics: detector.metrics ? new Set(detector.metrics) : null,
    step: (reading, now) => take(detector.step(state, reading, now, settings), now),
    tick(now) {
      if (detector.tick) take(detector.tick(state, now, settings), now);
    },
  };
}
