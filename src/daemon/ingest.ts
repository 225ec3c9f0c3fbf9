import type { Clock } from '../core/clock.js';
import type { EventDraft, PendingEvent, StoredEvent } from '../core/event.js';
import { implausible, type PlausibleRange } from '../core/plausibility.js';
import type { Measurement, Reading } from '../core/reading.js';
import type { Detector, StepResult } from '../detectors/types.js';
import type { DetectorBinding } from '../pipeline/bindings.js';
import { createDetectorRunner, type RunnerSlot } from '../pipeline/runner.js';
import type { StreamDriver } from '../drivers/types.js';
import type { DetectorSnapshot, DetectorStateStore } from '../store/detector-state.js';
import type { Db } from '../store/database.js';
import type { Outbox } from '../store/outbox.js';
import { transaction } from '../store/transaction.js';
import type { ReadingStore } from '../store/readings.js';
import type { DeviceIngestStats, HeldStats } from '../control/status.js';
import { createEventCommitter } from './held-events.js';

export type { DeviceIngestStats, HeldStats } from '../control/status.js';
import { createSavePacer, PROGRESS_SAVE_MS } from './state-saves.js';
import { stepSinceSave, watchWallClock } from './wall-clock-watch.js';

/**
 * The hot path, as direct calls: bytes -> driver -> readings -> detectors -> committed events.
 * An event is handed to `onEvent` (log, uplink) only after the outbox committed it. Detector state
 * is snapshotted right after each event and on `snapshot()` (with the readings flush: a timer that
 * started or ended at the next one, other changes every few seconds, state-saves.ts), and restored
 * when a device is added, so a restart neither forgets an open alarm nor resets a timer.
 * Time: detectors get the wall clock, read through a watch that finds its steps against the
 * monotonic clock and moves every state by them first (wall-clock-watch.ts, Detector.rebase).
 */
export interface Ingest {
  /** Registers a byte-stream device; returns the function its transport calls with each chunk. */
  addDevice(deviceId: string, driver: StreamDriver): (chunk: Uint8Array) => void;
  /** Registers a device whose transport decodes itself (BLE, Modbus); returns what it calls with measurements. */
  addSource(deviceId: string): (measurements: readonly Measurement[]) => void;
  stats(deviceId: string): DeviceIngestStats | undefined;
  /** Commits a hub-level event (not from a detector), through the same path as detector events. */
  raise(draft: EventDraft): void;
  /** Lets time-driven detectors look at the clock (every few seconds, from the daemon). */
  tick(): void;
  /** The wall clock as the detectors see it: a step since the last read has moved their states first. */
  now(): number;
  /** Retries held events, then saves the state of every detector that changed since the last snapshot. */
  snapshot(force?: boolean): void;
  /**
   * Commits the held events, oldest first, each in its own transaction, until one fails. Never
   * inside another transaction: then it does nothing (flushReadingsAndStates calls it first).
   */
  retryHeld(): void;
  /** Events held because their commit failed: how many (alarms among them), and how many were dropped to bound memory. */
  held(): HeldStats;
}

export interface IngestDeps {
  clock: Clock;
  readings: ReadingStore;
  outbox: Outbox;
  /** Where detector state is kept across restarts; without it detectors start afresh. */
  states?: DetectorStateStore;
  /** Every detector with its settings (see detectors.ts): device-scoped ones run per device. */
  detectors: readonly DetectorBinding[];
  onEvent: (event: StoredEvent) => void;
  /** Runs `fn` in one store transaction (the daemon passes SQLite's); default: just runs it. */
  transact?: <T>(fn: () => T) => T;
  /** Sees every reading (the control socket's live view); keep it cheap. */
  tap?: (r: Reading) => void;
  /** The alarm lifecycle: may refuse a draft (a duplicate raise), hears of every commit, and of a commit that failed after it heard. */
  gate?: { admit(draft: EventDraft): boolean; committed(e: StoredEvent): void; rolledBack?(): void };
  /**
   * Runs a store write (the daemon's: src/store/storage-health.ts, which releases the space reserve
   * on SQLITE_FULL and tries once more, and keeps the storage state); default: runs it.
   */
  write?: <T>(where: string, fn: () => T) => T;
  /** A measurement was dropped as implausible (already counted in the device's stats); for a log line. */
  onImplausible?: (deviceId: string, m: Measurement, bound: PlausibleRange) => void;
  /** A commit failed (disk full, I/O error): the event is held in memory and retried with every flush. */
  onStoreError?: (err: unknown, held: number) => void;
  /**
   * An event was held instead of committed (the store failed, or events before it are held): it has
   * its id and ts but no seq. The daemon publishes it at once, marked unstored (docs/uplink.md).
   */
  onHeld?: (event: PendingEvent) => void;
  /** Held events were dropped to bound memory (never alarms or reports): how many this time. */
  onHeldDropped?: (dropped: readonly PendingEvent[]) => void;
  /**
   * This boot's monotonic clock, ms (src/transports/clock/boot-clock.ts): wall-clock steps are
   * found against it, and it paces the saves of large states. Default: the wall clock itself
   * (replays and tests that drive one manual clock: no step is ever seen).
   */
  monoNowMs?: () => number;
  /** The wall clock stepped by `stepMs` (positive: forward); every detector state was moved with it. */
  onClockStep?: (stepMs: number) => void;
}

export type { DetectorBinding } from '../pipeline/bindings.js';
export { HOME_KEY } from '../pipeline/runner.js';

/** A runner slot (src/pipeline/runner.ts) that commits its events and saves its state. */
interface DetectorSlot extends RunnerSlot {
  /** The wall clock stepped: moves the state's instants (Detector.rebase). */
  rebase(stepMs: number): void;
  /** The state to save, or undefined when unchanged since the last call or not due yet unless `force` (state-saves.ts). */
  takeSnapshot(force?: boolean, progress?: boolean): DetectorSnapshot | undefined;
}

export function createIngest(deps: IngestDeps): Ingest {
  const { clock, readings, states } = deps;
  const write = deps.write ?? (<T>(_where: string, fn: () => T): T => fn());
  const events = createEventCommitter({ ...deps, transact: deps.transact ?? (<T>(fn: () => T): T => fn()), write });
  const { commit, retryHeld } = events;

  /** Saves snapshots taken after an event; a failure keeps them waiting in the store for the next save. */
  const saveStates = (snaps: DetectorSnapshot[]): void => {
    try {
      write('detector_state', () => states?.save(snaps));
    } catch {
      // Recorded by `write`; the snapshot waits in the state store and goes with the next save.
    }
  };

  const hubCounters = { events: 0 };
  const devices = new Map<string, { driver: StreamDriver | null; stats: Omit<DeviceIngestStats, 'driver'> }>();
  // Which slot gets which reading, and the tick's order: the runner's, as in anjuctl replay.
  const runner = createDetectorRunner<DetectorSlot, { events: number }>(deps.detectors, (key, detector, settings, counters) => slot(key, detector, settings, counters));
  /** Every slot, the devices' in registration order then the home's (tick and snapshot walk it every few seconds). */
  const allSlots = (): readonly DetectorSlot[] => runner.slots();

  // Time: the wall clock for the detectors, watched against the monotonic clock; a step moves every
  // state before anything is judged at the new time (wall-clock-watch.ts, Detector.rebase).
  const mono = deps.monoNowMs ?? (() => clock.now());
  const time = watchWallClock(() => clock.now(), mono, (stepMs) => {
    for (const s of allSlots()) s.rebase(stepMs);
    deps.onClockStep?.(stepMs);
  });
  time.read(); // the frame every restored state is brought into
  // The last progress round (state-saves.ts): the oldest restored save of this boot, else now.
  let progressAt = mono();
  let restoredAt = Infinity;

  function slot<S, C>(key: string, detector: Detector<S, C>, settings: C, counters: { events: number }): DetectorSlot {
    const saved = states?.load(key, detector.name);
    let state = saved === undefined ? detector.initialState() : saved.state as S;
    // A step of the wall clock since the save (while the daemon was down) moves the timers too.
    const step = saved === undefined || !detector.rebase ? 0 : stepSinceSave(saved, time.read());
    if (step !== 0) state = detector.rebase!(state, step, settings);
    let dirty = step !== 0;
    // Paced from the last save, in this boot even by an earlier process (state-saves.ts).
    const pacer = createSavePacer(detector.updatesInPlace === true, saved?.monoMs ?? mono(), state);
    if (saved?.monoMs != null) restoredAt = Math.min(restoredAt, saved.monoMs);
    const apply = (r: StepResult<S>): void => {
      // A detector that updates its state in place (large ring buffers) says so: then "stepped"
      // means "changed". Others return a new object when something changed.
      if (r.state !== state || detector.updatesInPlace) dirty = true;
      state = r.state;
      if (r.events.length === 0) return;
      for (const draft of r.events) commit(draft, counters);
      // Save at once: a restart right after a raise must know the alarm is open.
      const snap = self.takeSnapshot(true);
      if (snap) saveStates([snap]);
    };
    const self: DetectorSlot = {
      metrics: detector.metrics ? new Set(detector.metrics) : null,
      step: (reading, now) => apply(detector.step(state, reading, now, settings)),
      tick(now) {
        if (detector.tick) apply(detector.tick(state, now, settings));
      },
      rebase(stepMs) {
        if (!detector.rebase) return;
        state = detector.rebase(state, stepMs, settings);
        dirty = true;
      },
      takeSnapshot(force = false, progress = false) {
        // At once after an event (a restart must know an alarm is open); otherwise a timer that
        // started or ended within a second, progress every few seconds (state-saves.ts).
        if (!dirty || !pacer.due(state, mono(), force, progress)) return undefined;
        dirty = false;
        return { device: key, detector: detector.name, state };
      },
    };
    return self;
  }

  runner.addHome(hubCounters);

  /** A device's detector slots and counters; returns what its decoded measurements go through. */
  function register(deviceId: string, driver: StreamDriver | null): (measurements: readonly Measurement[]) => void {
    const stats = { readings: 0, events: 0, implausible: 0, lastSeenTs: null as number | null };
    const offer = runner.addDevice(deviceId, stats);
    devices.set(deviceId, { driver, stats });
    return (measurements) => {
      const now = time.now();
      stats.lastSeenTs = now;
      for (const m of measurements) {
        // Once, for every source: a number no sensor can mean goes nowhere (issue 12, finding 11).
        const bound = typeof m.value === 'number' ? implausible(m.metric, m.value) : null;
        if (bound !== null) {
          stats.implausible++;
          deps.onImplausible?.(deviceId, m, bound);
          continue;
        }
        const reading: Reading = { device: deviceId, ts: now, metric: m.metric, value: m.value };
        stats.readings++;
        readings.add(reading);
        deps.tap?.(reading);
        offer(reading, now);
      }
    };
  }

  return {
    addDevice(deviceId, driver) {
      const feed = register(deviceId, driver);
      return (chunk) => {
        const measurements = driver.push(chunk);
        if (measurements.length > 0) feed(measurements);
      };
    },
    addSource: (deviceId) => register(deviceId, null),
    stats(deviceId) {
      const d = devices.get(deviceId);
      return d ? { ...d.stats, driver: d.driver?.stats() ?? null } : undefined;
    },
    raise(draft) {
      commit(draft, hubCounters);
    },
    tick() {
      runner.tick(time.now());
    },
    retryHeld,
    held: events.held,
    now: () => time.now(),
    snapshot(force = false) {
      retryHeld();
      if (!states) return;
      const snaps: DetectorSnapshot[] = [];
      const m = mono();
      const progress = m - Math.min(progressAt, restoredAt) >= PROGRESS_SAVE_MS;
      if (progress) {
        progressAt = m;
        restoredAt = Infinity;
      }
      for (const s of allSlots()) { const x = s.takeSnapshot(force, progress); if (x) snaps.push(x); }
      states.save(snaps);
    },
  };
}

/**
 * What the daemon's flush timer commits: first the held events, each in its own transaction (never
 * inside the next one: issue 12, finding 14), then the buffered readings and the detector states
 * due for a snapshot, in ONE transaction when there is a database, so one fsync a flush for both;
 * readings and states leave memory only once it committed (src/store/transaction.ts). The
 * benchmarks call this too, so they measure the daemon's flush and not a variant of it.
 */
export function flushReadingsAndStates(db: Db | null, readings: ReadingStore | null, ingest: Ingest | null): void {
  ingest?.retryHeld();
  const both = (): void => { readings?.flush(); ingest?.snapshot(); };
  if (db) transaction(db, both);
  else both();
}
