import { describe, expect, it } from 'vitest';
import { pickDue, pollIntervalAfterFailures, retryDelayMs, rtuInterFrameMs } from '../../../src/transports/modbus/poll-schedule.js';

describe('modbus poll schedule', () => {
  it('serves the device due longest first, and equal deadlines in turn', () => {
    const a = { id: 'a', dueAt: 100, lastServedAt: 50 };
    const b = { id: 'b', dueAt: 90, lastServedAt: 80 };
    const c = { id: 'c', dueAt: 90, lastServedAt: 10 };
    expect(pickDue([a, b, c], 95)?.id).toBe('c');
    expect(pickDue([a, b, c], 89)).toBeNull();
  });

  it('backs retries and dead units off exponentially, within bounds', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(100, n))).toEqual([100, 200, 400]);
    expect([0, 1, 2, 3, 4, 5, 60].map((n) => pollIntervalAfterFailures(2000, n, 30_000))).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(pollIntervalAfterFailures(60_000, 3, 30_000)).toBe(60_000);
  });

  it('keeps 3.5 character times between RTU frames', () => {
    expect(rtuInterFrameMs(9600)).toBe(5);
    expect(rtuInterFrameMs(19_200)).toBe(3);
    expect(rtuInterFrameMs(115_200)).toBe(2);
  });
});
