/**
 * A night on one page, the data (issue 16, point 5): from one report.sleep and the readings and
 * events of its bed radar (and the oximeter companions' readings) in the night's window, the bounded
 * series a chart needs: breathing rate, heart rate and SpO2 averaged into at most MAX_POINTS buckets,
 * in-bed and asleep bands, and the marks (apnea events, desaturations, alarms). Pure: the daemon
 * feeds it from its store (`report-night` command, cloud and local), a test from a replay. The
 * same JSON is what `anjuctl report night --format svg` draws (night-svg.ts).
 */

/** The series drawn, in this order; a night without one (no oximeter: no SpO2) has it empty. */
export const SERIES_METRICS = ['breathRatePerMin', 'heartRateBpm', 'spo2Percent'] as const;
export type SeriesMetric = typeof SERIES_METRICS[number];
/** Points per series at most: one per 40 s over 8 hours; a night's JSON stays under ~100 KB. */
export const MAX_POINTS = 720;
/** Marks at most (a night with thousands of alarms would be a broken sensor, not a chart). */
export const MAX_MARKS = 500;
/** Readings this long before the night's start and after its end are drawn too (getting into bed, the last minutes). */
export const MARGIN_MS = 15 * 60_000;

export interface NightPoint { readonly ts: number; readonly metric: string; readonly value: number | string | boolean }
export interface NightEvent { readonly ts: number; readonly type: string; readonly state: string; readonly device: string | null; readonly data: Record<string, unknown> }

export interface NightMark {
  readonly ts: number;
  /** apnea: event.apnea; desaturation: event.desaturation; alarm: an alarm.* raised. */
  readonly kind: 'apnea' | 'desaturation' | 'alarm';
  readonly type: string;
  /** How long it lasted, when the event says (apnea, desaturation). */
  readonly durationS: number | null;
}

export interface NightSeries {
  readonly v: 1;
  readonly device: string | null;
  readonly reportSeq: number;
  /** The chart's window: the night's start and end, with MARGIN_MS either side. */
  readonly fromTs: number;
  readonly toTs: number;
  readonly startTs: number;
  readonly endTs: number;
  /** Width of one averaging bucket, ms: a series has at most one point per bucket. */
  readonly bucketMs: number;
  /** Per metric: [ts (bucket middle), mean value (1 decimal)] in time order. */
  readonly series: Record<SeriesMetric, Array<[number, number]>>;
  /** [from, to] intervals in bed (bedState in, else presence) and asleep (sleepState light or deep). */
  readonly bands: { readonly inBed: Array<[number, number]>; readonly asleep: Array<[number, number]> };
  readonly marks: NightMark[];
  /** More marks than MAX_MARKS: how many were left out (the latest). */
  readonly marksOmitted: number;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Averages `points` (in any order) into buckets of `bucketMs` from `fromTs`. */
function bucketed(points: ReadonlyArray<{ ts: number; value: number }>, fromTs: number, bucketMs: number): Array<[number, number]> {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const p of points) {
    const b = Math.floor((p.ts - fromTs) / bucketMs);
    const s = sums.get(b) ?? { sum: 0, n: 0 };
    s.sum += p.value;
    s.n++;
    sums.set(b, s);
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([b, s]) => [fromTs + b * bucketMs + Math.floor(bucketMs / 2), Math.round((s.sum / s.n) * 10) / 10]);
}

/** Intervals where `on(reading)` holds, from readings of `metric` in time order; an open one ends at `endTs`. */
function intervals(points: readonly NightPoint[], metric: string, on: (v: NightPoint['value']) => boolean, endTs: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let since: number | null = null;
  for (const p of points) {
    if (p.metric !== metric) continue;
    const yes = on(p.value);
    if (yes && since === null) since = p.ts;
    else if (!yes && since !== null) {
      out.push([since, p.ts]);
      since = null;
    }
  }
  if (since !== null && since < endTs) out.push([since, endTs]);
  return out;
}

export function nightSeries(o: {
  report: { report_seq: number; device: string | null; data: Record<string, unknown>; ts: number };
  readings: readonly NightPoint[];
  events: readonly NightEvent[];
}): NightSeries {
  const startTs = num(o.report.data.startTs) ?? o.report.ts;
  const endTs = num(o.report.data.endTs) ?? o.report.ts;
  const fromTs = startTs - MARGIN_MS;
  const toTs = endTs + MARGIN_MS;
  // Whole seconds, so the JSON stays short and a test can recompute the buckets.
  const bucketMs = Math.max(1000, Math.ceil((toTs - fromTs) / MAX_POINTS / 1000) * 1000);
  const within = [...o.readings].filter((r) => r.ts >= fromTs && r.ts <= toTs).sort((a, b) => a.ts - b.ts);
  const series = Object.fromEntries(SERIES_METRICS.map((m) => [m, bucketed(
    within.filter((r) => r.metric === m && typeof r.value === 'number' && Number.isFinite(r.value)).map((r) => ({ ts: r.ts, value: r.value as number })), fromTs, bucketMs,
  )])) as NightSeries['series'];
  const hasBedState = within.some((r) => r.metric === 'bedState');
  const inBed = hasBedState
    ? intervals(within, 'bedState', (v) => v === 'in', toTs)
    : intervals(within, 'presence', (v) => v === true || v === 1, toTs);
  const asleep = intervals(within, 'sleepState', (v) => v === 'light' || v === 'deep', toTs)
    // Out of bed ends sleep too (the module may not say "awake" when she gets up).
    .flatMap(([a, b]) => clip([a, b], inBed));
  const marks: NightMark[] = [];
  for (const e of o.events) {
    if (e.ts < fromTs || e.ts > toTs) continue;
    if (e.device !== null && o.report.device !== null && e.device !== o.report.device && !e.type.startsWith('alarm.')) continue;
    const durationS = num(e.data.durationS);
    // Both are logged when they end: drawn where they began.
    if (e.type === 'event.apnea') marks.push({ ts: num(e.data.pauseStartTs) ?? e.ts, kind: 'apnea', type: e.type, durationS });
    else if (e.type === 'event.desaturation') marks.push({ ts: num(e.data.startTs) ?? e.ts, kind: 'desaturation', type: e.type, durationS });
    else if (e.type.startsWith('alarm.') && e.state === 'raised') marks.push({ ts: e.ts, kind: 'alarm', type: e.type, durationS: null });
  }
  marks.sort((a, b) => a.ts - b.ts);
  return {
    v: 1, device: o.report.device, reportSeq: o.report.report_seq, fromTs, toTs, startTs, endTs, bucketMs, series, bands: { inBed, asleep },
    marks: marks.slice(0, MAX_MARKS), marksOmitted: Math.max(0, marks.length - MAX_MARKS),
  };
}

/** The parts of [a, b] inside any of `within`. */
function clip([a, b]: [number, number], within: ReadonlyArray<[number, number]>): Array<[number, number]> {
  if (within.length === 0) return [[a, b]];
  const out: Array<[number, number]> = [];
  for (const [c, d] of within) {
    const from = Math.max(a, c);
    const to = Math.min(b, d);
    if (from < to) out.push([from, to]);
  }
  return out;
}

/**
 * The local date (YYYY-MM-DD) of the night that started at `startTs`, in `timeZone` (the hub's; the
 * process's when null): the calendar date 12 hours before the start, so a night begun at 22:30 and
 * one begun at 00:40 both belong to the evening before (as src/cli/report-night.ts nightDate).
 */
export function nightDateIn(startTs: number, timeZone: string | null): string {
  const at = new Date(startTs - 12 * 3600_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone ?? undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** A time of day for people, HH:MM in `timeZone` (the hub's; the process's when null). */
export function clockIn(timeZone: string | null): (ts: number) => string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone ?? undefined, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (ts) => f.format(ts);
}
