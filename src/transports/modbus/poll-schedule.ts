/**
 * Pure scheduling rules of a Modbus bus (no timers, no I/O; times are monotonic milliseconds).
 *
 * A bus carries one request at a time, so every device competes for the same wire. Each device has
 * a due time; the bus always serves the device that has been due the longest (earliest deadline
 * first), and a retry is just a new, slightly later due time rather than a wait that holds the
 * bus. That bounds what a dead unit can cost the others: one request timeout per turn, at most
 * `retries + 1` turns per poll, and then its polls back off exponentially.
 */
import { backoffCeilingMs } from '../../core/backoff.js';

export interface Schedulable {
  /** When this device next wants the bus (monotonic ms). */
  readonly dueAt: number;
  /** When it last had the bus; breaks ties so equal deadlines take turns. */
  readonly lastServedAt: number;
}

/** The device to serve now, or null when none is due yet. */
export function pickDue<T extends Schedulable>(devices: readonly T[], now: number): T | null {
  let best: T | null = null;
  for (const d of devices) {
    if (d.dueAt > now) continue;
    if (!best || d.dueAt < best.dueAt || (d.dueAt === best.dueAt && d.lastServedAt < best.lastServedAt)) best = d;
  }
  return best;
}

/** The earliest due time of all devices (Infinity when there are none). */
export const nextDueAt = (devices: readonly Schedulable[]): number => devices.reduce((m, d) => Math.min(m, d.dueAt), Infinity);

/**
 * Wait before retry number `attempt` (1 = first retry) of one request: base, 2x, 4x... (the hub's one
 * exponential, src/core/backoff.ts; without jitter: the retries of one bus take turns on it anyway,
 * and `retries` bounds them).
 */
export const retryDelayMs = (retryBackoffMs: number, attempt: number): number => backoffCeilingMs(attempt - 1, retryBackoffMs, Infinity);

/**
 * Interval to the next poll after `failedPolls` polls in a row got no answer: the poll interval
 * doubled per failure, capped at `maxBackoffMs` (and never below the poll interval itself).
 */
export function pollIntervalAfterFailures(pollIntervalMs: number, failedPolls: number, maxBackoffMs: number): number {
  if (failedPolls <= 0) return pollIntervalMs;
  return Math.max(pollIntervalMs, backoffCeilingMs(failedPolls, pollIntervalMs, maxBackoffMs));
}

/**
 * Silence a master keeps between frames on an RTU line: 3.5 character times, each character 11
 * bits; fixed at 1.75 ms above 19200 baud (Modbus over Serial Line v1.02, 2.5.1.1). Rounded up to
 * whole milliseconds, since that is what timers give us.
 */
export function rtuInterFrameMs(baudRate: number): number {
  return baudRate > 19_200 ? 2 : Math.ceil((3.5 * 11 * 1000) / baudRate);
}
