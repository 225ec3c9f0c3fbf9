import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogLimiter, type LimitedSink } from '../../../src/core/log-limiter.js';

function sink(): LimitedSink & { lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => { lines.push({ level, obj: obj as Record<string, unknown>, msg }); };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

describe('log limiter', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('logs the first at once, then one line per interval per key with the suppressed count', () => {
    const s = sink();
    const l = createLogLimiter(s, { intervalMs: 1000 });
    for (let i = 0; i < 20_000; i++) l.log('warn', 'ack', { n: i }, 'malformed ack');
    expect(s.lines).toEqual([{ level: 'warn', obj: { n: 0 }, msg: 'malformed ack' }]);
    vi.advanceTimersByTime(1000);
    expect(s.lines).toHaveLength(2);
    expect(s.lines[1]).toEqual({ level: 'warn', obj: { n: 19_999, suppressed: 19_999, suppressedInS: 1 }, msg: 'malformed ack (19999 more like this suppressed)' });
    // Still flooding: at most one line per interval.
    for (let i = 0; i < 5; i++) l.log('warn', 'ack', { n: i }, 'malformed ack');
    expect(s.lines).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(s.lines.at(-1)!.obj.suppressed).toBe(5);
    // A quiet interval ends the window: the next one is logged at once again.
    vi.advanceTimersByTime(1000);
    expect(s.lines).toHaveLength(3);
    l.log('warn', 'ack', { n: 'again' }, 'malformed ack');
    expect(s.lines).toHaveLength(4);
    expect(s.lines[3]!.obj).toEqual({ n: 'again' });
  });

  it('keeps keys apart, bounds their number, and flush logs what is pending', () => {
    const s = sink();
    const l = createLogLimiter(s, { intervalMs: 1000, maxKeys: 2 });
    l.log('warn', 'a', {}, 'A');
    l.log('info', 'b', {}, 'B');
    l.log('warn', 'a', {}, 'A');
    expect(s.lines.map((x) => x.msg)).toEqual(['A', 'B']);
    // Distinct keys beyond maxKeys share one window.
    for (let i = 0; i < 100; i++) l.log('warn', `k${i}`, { i }, 'K');
    expect(s.lines.map((x) => x.msg)).toEqual(['A', 'B', 'K']);
    l.flush();
    expect(s.lines.slice(3).map((x) => x.msg).sort()).toEqual(['A (1 more like this suppressed)', 'K (99 more like this suppressed)']);
    vi.advanceTimersByTime(5000);
    expect(s.lines).toHaveLength(5); // flush cleared the timers
  });
});
