import { isValidTimeZone, utcOffsetMinAt } from '../detectors/local-time.js';

/**
 * The one way anjuctl shows a time to a person: local wall time of the home with its offset,
 * `2026-12-07 17:51:19 +08:00`. An installer in Hangzhou reads the hub's clock, not UTC, and the
 * offset says which clock it is, also on a laptop in another zone. The zone is `hub.timezone` (IANA,
 * resolved by Intl's ICU database, so daylight-saving changes are followed), else this machine's.
 * JSON output keeps epoch ms and ISO UTC: this is for eyes only.
 */

/** This machine's IANA zone (TZ, /etc/localtime), UTC when the runtime cannot tell. */
export function systemZone(): string {
  const z = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return z && isValidTimeZone(z) ? z : 'UTC';
}

/** The zone to show times in: the hub's when set and known, else this machine's. */
export function displayZone(hubTimezone: string | null | undefined): string {
  return hubTimezone && isValidTimeZone(hubTimezone) ? hubTimezone : systemZone();
}

const pad = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, '0');

/** `+08:00`, `-03:30`, `+00:00`. */
export function formatOffset(offsetMin: number): string {
  return `${offsetMin < 0 ? '-' : '+'}${pad(Math.abs(offsetMin) / 60)}:${pad(Math.abs(offsetMin) % 60)}`;
}

/** `2026-12-07 17:51:19 +08:00`: ts (ms since the epoch) as wall time in `zone`, to the second. */
export function formatLocalTime(ts: number, zone: string): string {
  const offsetMin = utcOffsetMinAt(ts, zone);
  // The wall clock is UTC shifted by the offset in force at ts: read with getUTC*, never the process zone.
  const d = new Date(Math.floor(ts / 1000) * 1000 + offsetMin * 60_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${formatOffset(offsetMin)}`;
}

/** A formatter bound to one zone, as commands pass it around. */
export type TimeFormat = (ts: number) => string;
export const timeFormat = (zone: string): TimeFormat => (ts) => formatLocalTime(ts, zone);
