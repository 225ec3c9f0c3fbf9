/**
 * The one backoff of the hub: how long to wait before the next attempt after `attempt` failures
 * (0 for the first retry). Used by the uplink and, through the link supervisor
 * (src/transports/link-supervisor.ts), by every transport.
 *
 * Exponential with "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter", 2015): a
 * uniform random delay in [0, min(cap, base * 2^attempt)]. After a city-wide outage 6,000 hubs then
 * spread their reconnects over the window instead of arriving in lockstep. `random` is injected so
 * tests are exact.
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(attempt, baseMs, capMs));
}

/** The ceiling of attempt n: min(cap, base * 2^n); the delay itself without jitter. */
export function backoffCeilingMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/**
 * A link's retry policy (config: each transport's reconnect_min_s / reconnect_max_s, or its
 * historical names). `jitter: 'none'` waits the ceiling itself: only for a link no other hub
 * shares (a local radio), where spreading attempts buys nothing and a predictable retry helps.
 */
export interface BackoffPolicy {
  readonly minMs: number;
  readonly maxMs: number;
  readonly jitter: 'full' | 'none';
}

export function backoffDelayMs(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  return p.jitter === 'none' ? backoffCeilingMs(attempt, p.minMs, p.maxMs) : fullJitterDelayMs(attempt, p.minMs, p.maxMs, random);
}
