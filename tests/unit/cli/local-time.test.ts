/**
 * The one formatter of times a person reads (src/cli/local-time.ts, issue 16 point 2): wall time of
 * the home's IANA zone with its offset, whatever zone this process runs in, across daylight saving.
 */
import { describe, expect, it } from 'vitest';
import { displayZone, formatLocalTime, formatOffset } from '../../../src/cli/local-time.js';

describe('formatLocalTime', () => {
  it('Asia/Shanghai: the issue\'s own example, eight hours ahead of UTC, all year', () => {
    expect(formatLocalTime(Date.parse('2026-12-07T09:51:19.258Z'), 'Asia/Shanghai')).toBe('2026-12-07 17:51:19 +08:00');
    expect(formatLocalTime(Date.parse('2026-07-01T20:00:00Z'), 'Asia/Shanghai')).toBe('2026-07-02 04:00:00 +08:00');
  });

  it('Europe/Berlin across the October change: 02:59:59 summer time, then 02:00:00 winter time', () => {
    // 2026-10-25 01:00 UTC: clocks go back from 03:00 CEST to 02:00 CET.
    expect(formatLocalTime(Date.parse('2026-10-25T00:59:59Z'), 'Europe/Berlin')).toBe('2026-10-25 02:59:59 +02:00');
    expect(formatLocalTime(Date.parse('2026-10-25T01:00:00Z'), 'Europe/Berlin')).toBe('2026-10-25 02:00:00 +01:00');
    // ... and the March change forward: 01:59:59 CET, then 03:00:00 CEST.
    expect(formatLocalTime(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe('2026-03-29 01:59:59 +01:00');
    expect(formatLocalTime(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29 03:00:00 +02:00');
  });

  it('negative and half-hour offsets; seconds are cut, never rounded up into the next minute', () => {
    expect(formatLocalTime(Date.parse('2026-01-01T00:00:59.999Z'), 'America/St_Johns')).toBe('2025-12-31 20:30:59 -03:30');
    expect(formatLocalTime(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-01-01 05:30:00 +05:30');
    expect(formatOffset(0)).toBe('+00:00');
    expect(formatOffset(-150)).toBe('-02:30');
  });

  it('falls back to this machine\'s zone when the hub has none or an unknown one', () => {
    const system = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(displayZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(displayZone(null)).toBe(system);
    expect(displayZone('Mars/Olympus')).toBe(system);
  });
});
