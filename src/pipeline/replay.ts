import type { EventDraft } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import type { DetectorBinding } from './bindings.js';
import { createDetectorRunner, DETECTOR_TICK_MS, memorySlot, type RunnerSlot } from './runner.js';

/**
 * A recorded stream through the daemon's detector runner (runner.ts), in memory: what `anjuctl
 * replay` prints. The clock is the readings' `ts`; ticks fall every DETECTOR_TICK_MS of replayed
 * time after the first time seen, as anjud ticks its detectors, before a reading at a later time.
 * No store and no alarm lifecycle: the events are exactly the detectors' own.
 */

/** An event as the replay prints it: the draft and the replayed time it came out. */
export interface ReplayEvent extends EventDraft {
  readonly ts: number;
}

export interface ReplayPipeline {
  /** When the next tick falls; null before the first advanceTo. */
  nextTickAt(): number | null;
  /** Ticks due before `ts` (or at it, with `inclusive`), in time order. */
  advanceTo(ts: number, inclusive: boolean): ReplayEvent[];
  /** One reading at its `ts` (call advanceTo first). */
  feed(r: Reading): ReplayEvent[];
}

/**
 * `devices`: added first, in this order (the config's, so device supervision sees one that never
 * reports); any other id is added when first met, as the daemon adds a device when it starts.
 * `virtualDevices` (the home-mode device) have no slots: their readings go to the home's only.
 */
export function createReplayPipeline(bindings: readonly DetectorBinding[], opts: { devices?: readonly string[]; virtualDevices?: ReadonlySet<string>; tickMs?: number } = {}): ReplayPipeline {
  const tickMs = opts.tickMs ?? DETECTOR_TICK_MS;
  const virtual = opts.virtualDevices ?? new Set<string>();
  /** Where the events of the call in progress go. */
  let out: ReplayEvent[] = [];
  const collect = (events: readonly EventDraft[], now: number): void => {
    for (const e of events) out.push({ ts: now, ...e });
  };
  const runner = createDetectorRunner<RunnerSlot, null>(bindings, (_key, detector, settings) => memorySlot(detector, settings, collect));
  runner.addHome(null);
  const offers = new Map<string, (r: Reading, now: number) => void>();
  const offer = (id: string) => {
    let f = offers.get(id);
    if (!f) offers.set(id, (f = runner.addDevice(id, null)));
    return f;
  };
  for (const id of opts.devices ?? []) offer(id);
  let nextTick: number | null = null;
  const collecting = (run: () => void): ReplayEvent[] => {
    out = [];
    run();
    return out;
  };

  return {
    nextTickAt: () => nextTick,
    advanceTo: (ts, inclusive) => collecting(() => {
      if (nextTick === null) nextTick = ts + tickMs;
      while (nextTick < ts || (inclusive && nextTick === ts)) {
        runner.tick(nextTick);
        nextTick += tickMs;
      }
    }),
    feed: (r) => collecting(() => {
      if (virtual.has(r.device)) runner.homeOnly(r, r.ts);
      else offer(r.device)(r, r.ts);
    }),
  };
}
