/**
 * Correcting a `ts` stamped while the wall clock was not synchronised (a Pi has no RTC: it runs on
 * a saved or 1970 time until NTP sets it). The event also stored the monotonic clock and the boot
 * it was stamped in; once the wall clock is synchronised, in the same boot,
 *
 *   ts_corrected = wall_now_synced - (mono_now - mono_event)
 *
 * i.e. "as long ago as the monotonic clock says". Pure: the caller reads the clocks.
 */
export interface TsCorrectionInput {
  /** The synchronised wall clock now, ms since the Unix epoch. */
  wallNowMs: number;
  /** The monotonic clock now, ms, in the boot the event was stamped in. */
  monoNowMs: number;
  /** The monotonic clock when the event was stamped, ms. */
  monoEventMs: number;
}

/**
 * The corrected ts, or null when the readings cannot be of one boot (the event's monotonic time
 * is in the future, or a value is not a finite number): such an event stays marked, never guessed.
 */
export function correctedTs(i: TsCorrectionInput): number | null {
  if (![i.wallNowMs, i.monoNowMs, i.monoEventMs].every(Number.isFinite)) return null;
  const age = i.monoNowMs - i.monoEventMs;
  if (age < 0) return null;
  return Math.round(i.wallNowMs - age);
}
