/**
 * Wall-clock steps, seen against the monotonic clock (issue 12). Detectors take the wall clock as
 * `now` (timestamps, local-time rules) and measure durations as differences of it; that is right
 * only while the wall clock does not jump. It does: NTP steps a Pi without RTC by hours at its first
 * synchronisation (it booted on fake-hwclock's saved time, or 1970), an operator sets it by hand.
 *
 * The offset between the two clocks (wall - monotonic) stays put while both run; NTP slews at most
 * 500 ppm (0.5 ms a second), so a change of more than STEP_MS between two reads is a step of the
 * wall clock by that change. Ingest reads time only through this watch, and moves every detector
 * state by each step before anything is judged at the new time (Detector.rebase).
 */
export const STEP_MS = 1000;

/** The wall clock read together with the monotonic one. */
export interface ClockReading {
  readonly wallMs: number;
  /** wallMs minus the monotonic clock: constant while the wall clock does not step. */
  readonly offsetMs: number;
}

export interface WallClockWatch {
  /** The wall clock (ms since the epoch); a step since the last read is reported to `onStep` first. */
  now(): number;
  /** The same, with the offset the step detection compares (the frame the states are in after it). */
  read(): ClockReading;
}

export function watchWallClock(wall: () => number, mono: () => number, onStep: (stepMs: number, wallMs: number) => void): WallClockWatch {
  let offset: number | null = null;
  const read = (): ClockReading => {
    const wallMs = wall();
    const offsetMs = wallMs - mono();
    const before = offset;
    offset = offsetMs; // slewing is followed; only a jump between two reads counts
    if (before !== null && Math.abs(offsetMs - before) > STEP_MS) onStep(offsetMs - before, wallMs);
    return { wallMs, offsetMs };
  };
  return { now: () => read().wallMs, read };
}

/** What a saved state was saved at: the wall clock, and the offset when the save was in this boot. */
export interface SavedAt {
  readonly wallMs: number;
  /** The monotonic clock at the save, ms, in this boot; null when the save was in another boot. */
  readonly monoMs: number | null;
}

/**
 * How far to move a state saved at `saved` to bring it into the frame of `now` (0: not at all).
 * - Saved in this boot: the wall clock's steps since the save are the change of the offset; time
 *   that passed while the daemon was down counts (a restart keeps timers).
 * - Saved in another boot, the monotonic clock restarted: only the wall clock tells the time that
 *   passed. When it reads earlier than the save, it is not right yet (1970, or fake-hwclock's older
 *   saved time) and the state would hold instants in the future: it is moved so that the save was
 *   just now (the downtime counts as none). A later step of this boot's clock then moves it like
 *   every other state (see docs/operations.md "Clock steps").
 */
export function stepSinceSave(saved: SavedAt, now: ClockReading): number {
  const step = saved.monoMs !== null ? now.offsetMs - (saved.wallMs - saved.monoMs) : Math.min(0, now.wallMs - saved.wallMs);
  return Math.abs(step) > STEP_MS ? step : 0;
}
