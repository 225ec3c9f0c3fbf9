/**
 * The link supervisor (src/transports/link-supervisor.ts) and the one backoff (src/core/backoff.ts),
 * with an injected clock, random and timers: exact delays, the bookkeeping status and diagnose
 * show, and when the backoff starts over.
 */
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, backoffDelayMs, fullJitterDelayMs } from '../../../src/core/backoff.js';
import { createLinkSupervisor, type LinkSupervisorOptions } from '../../../src/transports/link-supervisor.js';

/** Manual timers on a manual clock. */
function harness(over: Partial<LinkSupervisorOptions> = {}) {
  let t = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const randoms = [0.5];
  let attempts = 0;
  const sup = createLinkSupervisor({
    policy: { minMs: 1000, maxMs: 8000, jitter: 'full' },
    attempt: () => { attempts++; },
    now: () => t,
    random: () => randoms[0]!,
    setTimer: (fn, ms) => { const h = { at: t + ms, fn, live: true }; timers.push(h); return h; },
    clearTimer: (h) => { (h as { live: boolean }).live = false; },
    ...over,
  });
  const advance = (ms: number) => {
    t += ms;
    for (const h of timers) if (h.live && h.at <= t) { h.live = false; h.fn(); }
  };
  return { sup, advance, randoms, attempts: () => attempts, live: () => timers.filter((h) => h.live).length };
}

describe('backoff', () => {
  it('full jitter: a uniform delay in [0, min(cap, base * 2^n)]', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffCeilingMs(n, 1000, 8000))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(fullJitterDelayMs(2, 1000, 8000, () => 0)).toBe(0);
    expect(fullJitterDelayMs(2, 1000, 8000, () => 0.5)).toBe(2000);
    expect(fullJitterDelayMs(2, 1000, 8000, () => 0.999_999)).toBe(3999);
    expect(backoffCeilingMs(10_000, 1000, 8000)).toBe(8000); // no overflow on a long outage
  });

  it('without jitter the delay is the ceiling itself', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelayMs(n, { minMs: 100, maxMs: 800, jitter: 'none' }, () => 0))).toEqual([100, 200, 400, 800]);
    expect(backoffDelayMs(1, { minMs: 100, maxMs: 800, jitter: 'full' }, () => 0.25)).toBe(50);
  });
});

describe('link supervisor', () => {
  it('schedules each retry after the backoff, growing per failure, and records problem, error and the next retry', () => {
    const h = harness();
    expect(h.sup.failed('open-failed', 'ENOENT')).toBe(500); // 0.5 * 1000
    expect(h.sup.status()).toEqual({ problem: 'open-failed', lastError: 'ENOENT', failures: 1, retryDelayMs: 500, nextRetryAt: 500 });
    h.advance(499);
    expect(h.attempts()).toBe(0);
    h.advance(1);
    expect(h.attempts()).toBe(1);
    expect(h.sup.status()).toMatchObject({ retryDelayMs: null, nextRetryAt: null, problem: 'open-failed' });
    expect(h.sup.failed('open-failed', 'EACCES')).toBe(1000); // 0.5 * 2000
    h.advance(1000);
    expect(h.sup.failed('open-failed', 'EACCES')).toBe(2000);
    h.advance(2000);
    h.randoms[0] = 0.999;
    expect(h.sup.failed('open-failed', 'EACCES')).toBe(7992); // capped at 8000
    expect(h.sup.status().failures).toBe(4);
  });

  it('up() clears the problem and starts the count over; one retry pending at a time', () => {
    const h = harness();
    h.sup.failed('lost', 'gone');
    expect(h.sup.failed('lost', 'again')).toBe(500); // the pending one stands
    expect(h.live()).toBe(1);
    expect(h.sup.status().lastError).toBe('again');
    h.advance(500);
    h.sup.up();
    expect(h.sup.status()).toEqual({ problem: null, lastError: null, failures: 0, retryDelayMs: null, nextRetryAt: null });
    expect(h.sup.failed('lost', 'x')).toBe(500);
  });

  it('with stableMs, a link that drops soon after coming up keeps backing off; one that stayed up starts over', () => {
    const h = harness({ stableMs: 10_000 });
    h.sup.failed('lost', 'a');
    h.advance(500);
    h.sup.up();
    h.advance(100);
    expect(h.sup.failed('lost', 'b')).toBe(1000); // second failure: not stable
    h.advance(1000);
    h.sup.up();
    h.advance(10_000);
    expect(h.sup.failed('lost', 'c')).toBe(500); // stayed up: the count starts over
  });

  it('stop() cancels the pending retry and schedules no more', () => {
    const h = harness();
    h.sup.failed('lost', 'a');
    h.sup.stop();
    expect(h.sup.pending).toBe(false);
    h.advance(60_000);
    expect(h.attempts()).toBe(0);
    expect(h.sup.failed('lost', 'b')).toBe(0);
    expect(h.live()).toBe(0);
  });
});
