/** Time is injected everywhere (detectors, store, uplink) so tests and replays control it. */
export interface Clock {
  /** ms since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for scenario tests and replays. */
export function createManualClock(startMs = 0): Clock & { set(ms: number): void; advance(ms: number): void } {
  let t = startMs;
  return {
    now: () => t,
    set: (ms: number) => { t = ms; },
    advance: (ms: number) => { t += ms; },
  };
}

/**
 * The monotonic clock and the boot it belongs to, stored with every event so that a `ts` stamped
 * before NTP can be corrected once the wall clock is synchronised (src/core/ts-correction.ts), and
 * with every detector snapshot; ingest finds wall-clock steps against it, so detector durations are
 * monotonic (src/daemon/wall-clock-watch.ts). The system one is src/transports/clock/boot-clock.ts.
 */
export interface BootClock {
  /** This boot's id, or null where the system has none (then nothing stamped now can be corrected). */
  readonly bootId: string | null;
  /** The monotonic clock in ms: never jumps, shared by the processes of one boot. */
  monoNowMs(): number;
}

/** A boot clock that moves only when told to: tests and replays. */
export function createManualBootClock(bootId: string | null, startMs = 0): BootClock & { advance(ms: number): void } {
  let t = startMs;
  return { bootId, monoNowMs: () => t, advance: (ms: number) => { t += ms; } };
}
