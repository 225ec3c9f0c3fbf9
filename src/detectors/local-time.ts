
/**
 * Local wall-clock time as a pure function of `now` (ms since the epoch) and a UTC offset.
 *
 * Curfews, morning windows and "night" are local times, but detectors must not read the system
 * timezone (GUIDE convention 3: a replay on a laptop in another zone must give the same events as
 * the hub). So the offset is configuration: either a fixed `timezone_offset_min`, or an IANA zone
 * (`timezone: "Europe/Paris"`) resolved with `Intl.DateTimeFormat({ timeZone })`, which reads the
 * ICU time-zone database, never the process's TZ, and so also follows daylight-saving changes.
 *
 * Daily windows are [start, end) in local minutes and may cross midnight ("23:00"-"06:00").
 * An occurrence is placed with the offset in force at `now`; on the one night a year when
 * daylight-saving time changes, a window can therefore be placed an hour off. That is the price of
 * keeping this O(1) and is far below the resolution of any telecare rule here.
 */

export const MINUTES_PER_DAY = 1440;
const MS_PER_MIN = 60_000;
const MS_PER_DAY = 86_400_000;

/** "HH:MM", 24-hour clock, 00:00-23:59. */
export const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of an "HH:MM" string. Throws on a malformed string (validated config never has one). */
export function parseHhMm(hhmm: string): number {
  const m = HH_MM.exec(hhmm);
  if (!m) throw new Error(`not an HH:MM time: ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Local minutes after midnight, 0..1439, at `now` for a zone `offsetMin` minutes east of UTC. */
export function localMinutesOfDay(now: number, offsetMin: number): number {
  const m = Math.floor((now + offsetMin * MS_PER_MIN) / MS_PER_MIN) % MINUTES_PER_DAY;
  return m < 0 ? m + MINUTES_PER_DAY : m;
}

/** Is local minute `minute` inside the daily window [startMin, endMin)? Crosses midnight when end < start; empty when equal. */
export function inDailyWindow(minute: number, startMin: number, endMin: number): boolean {
  if (startMin === endMin) return false;
  return startMin < endMin ? minute >= startMin && minute < endMin : minute >= startMin || minute < endMin;
}

/** One occurrence of a daily window, as UTC instants (ms). */
export interface WindowOccurrence {
  readonly startTs: number;
  readonly endTs: number;
}

function durationMs(startMin: number, endMin: number): number {
  const d = (((endMin - startMin) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return (d === 0 ? MINUTES_PER_DAY : d) * MS_PER_MIN;
}

/** The local-ms instant of today's `minute` (local midnight + minute), plus the local "now". */
function localAnchor(now: number, offsetMin: number, minute: number): { local: number; at: number } {
  const local = now + offsetMin * MS_PER_MIN;
  const midnight = Math.floor(local / MS_PER_DAY) * MS_PER_DAY;
  return { local, at: midnight + minute * MS_PER_MIN };
}

/** The most recent occurrence of the window whose end is at or before `now`. */
export function lastWindowEnd(now: number, offsetMin: number, startMin: number, endMin: number): WindowOccurrence {
  const { local, at } = localAnchor(now, offsetMin, endMin);
  const endLocal = at > local ? at - MS_PER_DAY : at;
  const endTs = endLocal - offsetMin * MS_PER_MIN;
  return { startTs: endTs - durationMs(startMin, endMin), endTs };
}

/** The first end of the window strictly after `now`. */
export function nextWindowEnd(now: number, offsetMin: number, endMin: number): number {
  const { local, at } = localAnchor(now, offsetMin, endMin);
  return (at > local ? at : at + MS_PER_DAY) - offsetMin * MS_PER_MIN;
}

/** The occurrence that contains `now` ([startTs, endTs)), or null when `now` is outside the window. */
export function currentWindow(now: number, offsetMin: number, startMin: number, endMin: number): WindowOccurrence | null {
  if (startMin === endMin) return null;
  const endTs = nextWindowEnd(now, offsetMin, endMin);
  const startTs = endTs - durationMs(startMin, endMin);
  return now >= startTs ? { startTs, endTs } : null;
}

// Formatters are costly to build; one per zone, built on first use. The cache holds no time and
// changes no result, so the functions stay pure.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime's time-zone database knows `timeZone` (e.g. "Asia/Shanghai"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

// The last answer per zone, by UTC minute: the detectors ask for the offset at every instant they
// judge a local time, often many times within a minute, and formatToParts costs microseconds. Zones
// change offset at whole minutes (every transition of the tz database since 1970), so within one UTC
// minute the answer is the same. Like the formatters, this holds no time and changes no result.
const lastOffset = new Map<string, { minute: number; offsetMin: number }>();

/** UTC offset (minutes east) of the IANA zone at instant `now`, from the ICU database, not the system zone. */
export function utcOffsetMinAt(now: number, timeZone: string): number {
  const minute = Math.floor(now / MS_PER_MIN);
  const hit = lastOffset.get(timeZone);
  if (hit !== undefined && hit.minute === minute) return hit.offsetMin;
  const offsetMin = computeUtcOffsetMinAt(now, timeZone);
  lastOffset.set(timeZone, { minute, offsetMin });
  return offsetMin;
}

function computeUtcOffsetMinAt(now: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const whole = Math.floor(now / 1000) * 1000;
  return Math.round((wall - whole) / MS_PER_MIN);
}

/** The timezone keys every local-time detector carries. */
export interface LocalTimeSettings {
  /** IANA zone; when set it wins over `timezone_offset_min` (and follows daylight-saving time). */
  readonly timezone: string | null;
  /** Fixed offset east of UTC, minutes (China 480, Central Europe 60 in winter). Used when `timezone` is null. */
  readonly timezone_offset_min: number;
}

export function offsetMinAt(now: number, s: LocalTimeSettings): number {
  return s.timezone !== null ? utcOffsetMinAt(now, s.timezone) : s.timezone_offset_min;
}
