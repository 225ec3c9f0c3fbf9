/**
 * Reconnect delay: exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff and Jitter", 2015): a uniform random delay in [0, min(cap, base * 2^attempt)]. After a
 * city-wide outage 6,000 hubs then spread their reconnects over the window instead of arriving
 * in lockstep. `random` is injected so tests are exact.
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
