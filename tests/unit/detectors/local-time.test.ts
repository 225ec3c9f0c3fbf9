/** Local time as a pure function of `now` and a configured offset (never the system timezone). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  currentWindow,
  inDailyWindow,
  isValidTimeZone,
  lastWindowEnd,
  localMinutesOfDay,
  nextWindowEnd,
  offsetMinAt,
  parseHhMm,
  utcOffsetMinAt,
} from '../../../src/detectors/local-time.js';
import { localTimeShape } from '../../../src/detectors/settings/local-time.js';

const at = (iso: string) => Date.parse(iso);

describe('local-time', () => {
  it('parses HH:MM and refuses anything else', () => {
    expect(parseHhMm('00:00')).toBe(0);
    expect(parseHhMm('07:30')).toBe(450);
    expect(parseHhMm('23:59')).toBe(1439);
    for (const bad of ['24:00', '7:30', '07:60', '0730', '']) expect(() => parseHhMm(bad)).toThrow();
  });

  it('localMinutesOfDay: UTC, east and west offsets, across midnight, before 1970', () => {
    expect(localMinutesOfDay(at('2026-11-29T21:30:00Z'), 0)).toBe(21 * 60 + 30);
    // China (UTC+8): 21:30 UTC is 05:30 the next day.
    expect(localMinutesOfDay(at('2026-11-29T21:30:00Z'), 480)).toBe(5 * 60 + 30);
    // New York in winter (UTC-5): 03:10 UTC is 22:10 the day before.
    expect(localMinutesOfDay(at('2026-01-10T03:10:00Z'), -300)).toBe(22 * 60 + 10);
    expect(localMinutesOfDay(at('2026-01-10T03:10:59.999Z'), 0)).toBe(190); // seconds truncate
    expect(localMinutesOfDay(-60_000, 0)).toBe(1439);
  });

  it('inDailyWindow: [start, end), across midnight, empty when equal', () => {
    const [s, e] = [parseHhMm('07:00'), parseHhMm('10:00')];
    expect([419, 420, 599, 600].map((m) => inDailyWindow(m, s, e))).toEqual([false, true, true, false]);
    const [ns, ne] = [parseHhMm('23:00'), parseHhMm('06:00')];
    expect([1379, 1380, 0, 359, 360, 720].map((m) => inDailyWindow(m, ns, ne))).toEqual([false, true, true, true, false, false]);
    expect(inDailyWindow(100, 100, 100)).toBe(false);
  });

  it('lastWindowEnd / nextWindowEnd / currentWindow for a morning window at UTC+8', () => {
    const off = 480;
    const [s, e] = [parseHhMm('07:00'), parseHhMm('10:00')];
    // 2026-03-02 11:00 local = 03:00 UTC: the last end was today 10:00 local = 02:00 UTC.
    const now = at('2026-03-02T03:00:00Z');
    expect(lastWindowEnd(now, off, s, e)).toEqual({ startTs: at('2026-03-01T23:00:00Z'), endTs: at('2026-03-02T02:00:00Z') });
    expect(nextWindowEnd(now, off, e)).toBe(at('2026-03-03T02:00:00Z'));
    expect(currentWindow(now, off, s, e)).toBeNull();
    // Exactly at the end: that end counts as passed (<= now), and the window no longer contains now.
    const end = at('2026-03-02T02:00:00Z');
    expect(lastWindowEnd(end, off, s, e).endTs).toBe(end);
    expect(nextWindowEnd(end, off, e)).toBe(end + 86_400_000);
    expect(currentWindow(end - 1, off, s, e)).toEqual({ startTs: at('2026-03-01T23:00:00Z'), endTs: end });
  });

  it('a night window across midnight: current occurrence before and after midnight', () => {
    const [s, e] = [parseHhMm('23:00'), parseHhMm('06:00')];
    const night = { startTs: at('2026-06-01T23:00:00Z'), endTs: at('2026-06-02T06:00:00Z') };
    expect(currentWindow(at('2026-06-01T23:30:00Z'), 0, s, e)).toEqual(night);
    expect(currentWindow(at('2026-06-02T05:59:00Z'), 0, s, e)).toEqual(night);
    expect(currentWindow(at('2026-06-02T06:00:00Z'), 0, s, e)).toBeNull();
    expect(currentWindow(at('2026-06-01T22:59:59Z'), 0, s, e)).toBeNull();
    expect(lastWindowEnd(at('2026-06-02T12:00:00Z'), 0, s, e)).toEqual(night);
  });

  it('the offset remembered per minute never outlives the minute: every millisecond around a switch, back and forth', () => {
    const sw = at('2026-10-25T01:00:00Z'); // Paris back to winter time
    for (const ms of [-61_000, -60_001, -60_000, -1, 0, 1, 59_999, 60_000, -1, 0, -60_000, 0, 120_000, -1]) {
      expect(utcOffsetMinAt(sw + ms, 'Europe/Paris')).toBe(ms < 0 ? 120 : 60);
    }
    // Two zones asked in turn keep their own answers.
    for (let i = 0; i < 4; i++) {
      expect(utcOffsetMinAt(sw + i, 'Europe/Paris')).toBe(60);
      expect(utcOffsetMinAt(sw + i, 'Asia/Shanghai')).toBe(480);
    }
  });

  it('IANA zones come from the time-zone database, with daylight-saving time, not from the system', () => {
    expect(utcOffsetMinAt(at('2026-01-15T12:00:00Z'), 'Europe/Paris')).toBe(60);
    expect(utcOffsetMinAt(at('2026-07-15T12:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(utcOffsetMinAt(at('2026-07-15T12:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(utcOffsetMinAt(at('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(utcOffsetMinAt(at('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
    // The DST switch in Paris: 2026-03-29 01:00 UTC.
    expect(utcOffsetMinAt(at('2026-03-29T00:59:59Z'), 'Europe/Paris')).toBe(60);
    expect(utcOffsetMinAt(at('2026-03-29T01:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  it('offsetMinAt: an IANA zone wins over the fixed offset', () => {
    const now = at('2026-07-15T12:00:00Z');
    expect(offsetMinAt(now, { timezone: null, timezone_offset_min: 480 })).toBe(480);
    expect(offsetMinAt(now, { timezone: 'Europe/Paris', timezone_offset_min: 480 })).toBe(120);
  });

  it('the shared schema keys: defaults, and an unknown zone is a config error', () => {
    const S = z.strictObject(localTimeShape);
    expect(S.parse({})).toEqual({ timezone: null, timezone_offset_min: 0 });
    expect(S.safeParse({ timezone: 'Mars/Olympus' }).success).toBe(false);
    expect(S.safeParse({ timezone_offset_min: 900 }).success).toBe(false);
    expect(S.parse({ timezone: 'Asia/Shanghai' }).timezone).toBe('Asia/Shanghai');
  });
});
