/**
 * Replays a scripted situation through a pure detector the way the daemon drives it: readings at
 * their seconds, and `tick` every `tickEveryS` seconds in between (the daemon ticks every few
 * seconds). Optionally "restarts" at given seconds: the state goes through JSON (what the SQLite
 * snapshot does) and the replay continues with the restored copy. Optionally the wall clock steps:
 * from a given second on, `now` is off by the step, and the state is first moved by the detector's
 * `rebase`, as ingest does when it sees the step (src/daemon/wall-clock-watch.ts). Seconds (`at`)
 * stay on the monotonic clock: the time that really passed.
 */
import type { EventDraft } from '../../src/core/event.js';
import type { MeasurementValue } from '../../src/core/reading.js';
import type { Detector } from '../../src/detectors/types.js';

/** [second after t0, device, metric, value] */
export type ScriptLine = readonly [number, string, string, MeasurementValue];

export interface Fired {
  /** Seconds after t0 when the event came out. */
  readonly at: number;
  readonly e: EventDraft;
}

export interface ReplayOptions {
  readonly t0: number;
  /** Tick period, seconds; 0 = no ticks. */
  readonly tickEveryS?: number;
  /** Keep ticking until this second (default: the last reading). */
  readonly untilS?: number;
  /** Seconds at which the state is round-tripped through JSON before going on. */
  readonly restartAtS?: readonly number[];
  /** Wall-clock steps: from second `atS` on, the wall clock reads `stepMs` more (several add up). */
  readonly clockSteps?: ReadonlyArray<{ readonly atS: number; readonly stepMs: number }>;
}

export function replay<S, C>(det: Detector<S, C>, settings: C, script: readonly ScriptLine[], opts: ReplayOptions) {
  const tickEvery = opts.tickEveryS ?? 5;
  const lines = [...script].sort((a, b) => a[0] - b[0]);
  const end = Math.max(opts.untilS ?? 0, lines.length ? lines[lines.length - 1]![0] : 0);
  const restarts = [...(opts.restartAtS ?? [])].sort((a, b) => a - b);
  let state = det.initialState();
  const fired: Fired[] = [];
  let i = 0;
  let nextTick = tickEvery > 0 && det.tick ? 0 : Infinity;
  let restarted = 0;
  const steps = [...(opts.clockSteps ?? [])].sort((a, b) => a.atS - b.atS);
  let stepped = 0;
  let wallOffsetMs = 0;
  for (;;) {
    const nextLine = i < lines.length ? lines[i]![0] : Infinity;
    const t = Math.min(nextLine, nextTick);
    if (t === Infinity || t > end) break;
    while (restarted < restarts.length && restarts[restarted]! <= t) {
      state = JSON.parse(JSON.stringify(state)) as S;
      restarted++;
    }
    while (stepped < steps.length && steps[stepped]!.atS <= t) {
      const { stepMs } = steps[stepped++]!;
      wallOffsetMs += stepMs;
      // Without a rebase the state keeps its instants: what a step did before issue 12.
      if (det.rebase) state = det.rebase(state, stepMs, settings);
    }
    const now = opts.t0 + t * 1000 + wallOffsetMs;
    if (nextLine <= nextTick) {
      const [, device, metric, value] = lines[i++]!;
      const r = det.step(state, { device, metric, value, ts: now }, now, settings);
      state = r.state;
      for (const e of r.events) fired.push({ at: t, e });
    } else {
      const r = det.tick!(state, now, settings);
      state = r.state;
      for (const e of r.events) fired.push({ at: t, e });
      nextTick += tickEvery;
    }
  }
  return { fired, state };
}

/** `[second, type, state]` for each event: the compact form most scenarios assert on. */
export const brief = (fired: readonly Fired[]) => fired.map((f) => [f.at, f.e.type, f.e.state] as const);

export const H = 3600;
