import { apneaRiskTrend, type ApneaRisk, type ApneaRiskTrend, type RiskLevel } from '../detectors/apnea-risk.js';
import { t, type Lang, type MessageKey } from './i18n.js';
import { clockIn, nightDateIn } from '../report/night-series.js';

/**
 * `anjuctl report night` without I/O (issue 18; issue 16 will draw the chart from the same JSON):
 * picks the night, shapes the JSON (the night's report and a per-night series for the trend) and
 * renders the text. A night's date is the local calendar date 12 hours before it started, so a night
 * that began at 22:30 and one that began at 00:40 both belong to the evening before.
 */
export interface StoredNight {
  readonly report_seq: number;
  readonly ts: number;
  readonly device: string | null;
  readonly data: Record<string, unknown>;
}

/** One point of the trend: what a chart needs per night, flat and numeric. */
export interface TrendPoint {
  readonly date: string;
  readonly reportSeq: number;
  readonly startTs: number;
  readonly risk: RiskLevel | null;
  readonly apneaIndexPerHour: number | null;
  readonly odiPerHour: number | null;
  readonly hrApneaFraction: number | null;
  readonly totalSleepS: number | null;
}

export interface NightView {
  readonly date: string;
  readonly reportSeq: number;
  readonly ts: number;
  readonly device: string | null;
  /** The report's data as the cloud got it (startTs, apnea, hrApneaScreening with its minutes, apneaRisk, ...). */
  readonly report: Record<string, unknown>;
  readonly apneaRisk: ApneaRisk | null;
  /** The 30 nights up to and including this one, oldest first, and their risk counts. */
  readonly trend: { readonly nights: TrendPoint[]; readonly summary: Omit<ApneaRiskTrend, 'nights'> };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * The local date (YYYY-MM-DD) of a night that started at `startTs`, in the home's zone (`hub.timezone`
 * from get-status; this machine's when null), as the daemon dates it (night-series.ts nightDateIn):
 * a hub whose system clock is UTC must not date a Shanghai night by UTC.
 */
export const nightDate = (startTs: number, timeZone: string | null = null): string => nightDateIn(startTs, timeZone);

export const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T12:00:00`));

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const obj = (x: unknown): Record<string, unknown> | null => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : null);
const startOf = (n: StoredNight): number => num(n.data.startTs) ?? n.ts;

function point(n: StoredNight, timeZone: string | null): TrendPoint {
  const risk = obj(n.data.apneaRisk) as ApneaRisk | null;
  const channel = (c: string): number | null => num(risk?.channels?.find((x) => x.channel === c)?.value);
  const hr = obj(n.data.hrApneaScreening);
  const analysed = num(hr?.minutesAnalysed);
  return {
    date: nightDate(startOf(n), timeZone),
    reportSeq: n.report_seq,
    startTs: startOf(n),
    risk: risk?.risk ?? null,
    apneaIndexPerHour: num(obj(n.data.apnea)?.perHour),
    odiPerHour: channel('odi'),
    hrApneaFraction: analysed !== null && analysed > 0 ? Math.round((num(hr?.apneaMinutes) ?? 0) / analysed * 1000) / 1000 : null,
    totalSleepS: num(n.data.totalSleepS),
  };
}

/**
 * The night of `date` (the latest when undefined) among `stored` (any order), with its trend; null
 * when there is no such night.
 */
export function viewNight(stored: readonly StoredNight[], date: string | undefined, trendNights = 30, timeZone: string | null = null): NightView | null {
  const nights = [...stored].sort((a, b) => startOf(a) - startOf(b));
  const i = date === undefined ? nights.length - 1 : nights.map((n) => nightDate(startOf(n), timeZone)).lastIndexOf(date);
  if (i < 0) return null;
  const night = nights[i]!;
  // The trend is this bed's: in a home with two bed radars each resident has their own nights.
  const mine = nights.slice(0, i + 1).filter((n) => n.device === night.device);
  const series = mine.slice(-trendNights).map((n) => point(n, timeZone));
  const { nights: _omit, ...summary } = apneaRiskTrend(series.map((p) => ({ startTs: p.startTs, risk: p.risk ?? 'unknown' })), trendNights);
  return {
    date: nightDate(startOf(night), timeZone), reportSeq: night.report_seq, ts: night.ts, device: night.device, report: night.data,
    apneaRisk: (obj(night.data.apneaRisk) as ApneaRisk | null) ?? null,
    trend: { nights: series, summary },
  };
}

const RISK_KEY: Record<Exclude<RiskLevel, 'unknown'>, MessageKey> = { low: 'rnLow', possible: 'rnPossible', likely: 'rnLikely' };
const CONF_KEY: Record<string, MessageKey> = { high: 'rnConfHigh', moderate: 'rnConfModerate', low: 'rnConfLow' };
const CHANNEL_KEY: Record<string, MessageKey> = { apneaIndex: 'rnChApneaIndex', odi: 'rnChOdi', hrScreening: 'rnChHr' };
const LETTER: Record<RiskLevel, string> = { low: 'L', possible: 'P', likely: 'K', unknown: '?' };

function duration(s: number | null): string {
  if (s === null) return '-';
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}`;
}

/** The text of a night (one line each), in `lang`; times of day in `timeZone` (the home's; this machine's when null). */
export function renderNight(v: NightView, lang: Lang, timeZone: string | null = null): string[] {
  const clock = clockIn(timeZone);
  const d = v.report;
  const lines = [t(lang, 'rnTitle', { date: v.date, device: v.device ?? '-', seq: v.reportSeq })];
  const eff = num(d.sleepEfficiencyPct);
  lines.push(t(lang, 'rnInBed', {
    start: clock(num(d.startTs) ?? v.ts), end: clock(num(d.endTs) ?? v.ts), tib: duration(num(d.timeInBedS)), tst: duration(num(d.totalSleepS)), eff: eff === null ? '-' : `${eff} %`,
  }));
  const apnea = obj(d.apnea);
  if (apnea === null || num(apnea.perHour) === null) lines.push(t(lang, 'rnApneaIndexNone'));
  else lines.push(t(lang, 'rnApneaIndex', { events: num(apnea.events) ?? 0, hours: ((num(apnea.monitoredS) ?? 0) / 3600).toFixed(1), perHour: num(apnea.perHour)!, band: bandText(lang, apnea.band) }));
  const hr = obj(d.hrApneaScreening);
  if (hr !== null && typeof hr.cls === 'string') lines.push(t(lang, 'rnScreening', { apnea: num(hr.apneaMinutes) ?? 0, analysed: num(hr.minutesAnalysed) ?? 0, cls: hr.cls }));
  else lines.push(t(lang, 'rnScreeningNone', { analysed: num(hr?.minutesAnalysed) ?? 0 }));
  const r = v.apneaRisk;
  if (r === null) lines.push(t(lang, 'rnRiskNone'));
  else if (r.risk === 'unknown') lines.push(t(lang, 'rnRiskUnknown'));
  else {
    lines.push(t(lang, 'rnRisk', {
      risk: t(lang, RISK_KEY[r.risk]), confidence: r.confidence === null ? '-' : t(lang, CONF_KEY[r.confidence]!),
      used: r.used.map((c) => t(lang, CHANNEL_KEY[c]!)).join(t(lang, 'listSep')),
    }));
  }
  lines.push(t(lang, 'rnRiskAdvice'));
  const trend = v.trend;
  lines.push(t(lang, 'rnTrend', { n: trend.nights.length, line: trend.nights.map((p) => (p.risk === null ? '-' : LETTER[p.risk])).join('') }));
  const c = trend.summary.counts;
  const share = trend.summary.atRiskShare;
  lines.push(t(lang, 'rnTrendCounts', { low: c.low, possible: c.possible, likely: c.likely, unknown: c.unknown, share: share === null ? '-' : `${Math.round(share * 100)} %` }));
  return lines;
}

/** The AASM severity band of an index (night-index.ts) in the reader's language; an unknown one as it came. */
function bandText(lang: Lang, band: unknown): string {
  const key = ({ normal: 'rnBandNormal', mild: 'rnBandMild', moderate: 'rnBandModerate', severe: 'rnBandSevere' } as const)[String(band) as 'normal'];
  return key ? t(lang, key) : String(band);
}
