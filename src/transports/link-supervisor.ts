import { backoffDelayMs, type BackoffPolicy } from '../core/backoff.js';

/**
 * The one retry loop of every transport's link (a serial port, a Modbus bus, the Zigbee stick, the
 * Zigbee2MQTT broker, a BLE device): when an attempt fails or an established link goes down, the
 * transport says `failed(problem, error)`; the supervisor records it, waits the backoff
 * (src/core/backoff.ts) and calls `attempt()` again, until the transport says `up()`. Its
 * bookkeeping (problem, last error, failures, the next retry) is what `status` and `diagnose` show,
 * the same way for every link: `LinkRetryStatus`.
 *
 * Failures count from the last time the link was up. With `stableMs`, a link that went down sooner
 * than that after coming up keeps its count (a device that connects and drops at once backs off
 * instead of hammering); without it, `up()` starts the count over.
 */
export interface LinkRetryStatus {
  /** What is wrong, in the transport's words (a stable code such as `connect-failed`), or null while up. */
  problem: string | null;
  /** The last failure's message, kept until the link is up again. */
  lastError: string | null;
  /** Failed attempts since the link was last up (stable). */
  failures: number;
  /** The wait before the pending retry, or null when none is pending. */
  retryDelayMs: number | null;
  /** When the pending retry runs (the transport's clock, ms), or null. */
  nextRetryAt: number | null;
}

export interface LinkSupervisorOptions {
  policy: BackoffPolicy;
  /** Makes one attempt; its outcome comes back as up() or failed(). */
  attempt: () => void;
  /** The transport's clock (ms), for nextRetryAt and stableMs. */
  now: () => number;
  /** A link up at least this long counts as healthy: the next outage starts the backoff over. */
  stableMs?: number;
  random?: () => number;
  /** Timers; tests pass their own. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface LinkSupervisor {
  /** The link is up: the problem is cleared. */
  up(): void;
  /** An attempt failed or the link went down: recorded, and the next attempt scheduled. Returns the wait (ms). */
  failed(problem: string, error: string): number;
  /** No more attempts: a pending retry is cancelled. */
  stop(): void;
  /** Whether a retry is waiting. */
  readonly pending: boolean;
  status(): Readonly<LinkRetryStatus>;
}

export function createLinkSupervisor(o: LinkSupervisorOptions): LinkSupervisor {
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  const st: LinkRetryStatus = { problem: null, lastError: null, failures: 0, retryDelayMs: null, nextRetryAt: null };
  let timer: unknown = null;
  let upAt: number | null = null;
  let stopped = false;

  const cancel = (): void => {
    if (timer !== null) clearTimer(timer);
    timer = null;
    st.retryDelayMs = null;
    st.nextRetryAt = null;
  };

  return {
    up() {
      cancel();
      upAt = o.now();
      if (o.stableMs === undefined) st.failures = 0;
      st.problem = null;
      st.lastError = null;
    },
    failed(problem, error) {
      st.problem = problem;
      st.lastError = error;
      if (upAt !== null && o.stableMs !== undefined && o.now() - upAt >= o.stableMs) st.failures = 0;
      upAt = null;
      if (stopped) return 0;
      if (timer !== null) return st.retryDelayMs ?? 0; // one retry pending is enough
      const delay = backoffDelayMs(st.failures, o.policy, o.random);
      st.failures++;
      st.retryDelayMs = delay;
      st.nextRetryAt = o.now() + delay;
      timer = setTimer(() => {
        timer = null;
        st.retryDelayMs = null;
        st.nextRetryAt = null;
        if (!stopped) o.attempt();
      }, delay);
      return delay;
    },
    stop() {
      stopped = true;
      cancel();
    },
    get pending() { return timer !== null; },
    status: () => st,
  };
}
