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
