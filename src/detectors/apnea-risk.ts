/**
 * One nightly sleep-apnea risk from every channel the night has (issue 18, point 3): the radar's
 * apnea index (AASM pauses per hour in bed, apnea.ts via the sleep report), the oximeter's oxygen
 * desaturation index (ODI, spo2.ts) and the heart-rate screening's apnea-minute fraction
 * (hr-apnea-screening/). Pure: the sleep report calls it when the night ends, and the 30-night
 * trend (`apneaRiskTrend`) is computed the same way from stored reports.
 *
 * A screening aid, not a diagnosis: "likely" means "have a sleep study done", "low" means none of the
 * channels present saw sleep apnea that night. Each channel is judged on its own, with its published
 * cut-off, and only when it had enough signal; the night's class is the highest any valid channel
 * gives. Why the highest and not a vote: the channels fail in different directions (the radar sees
 * chest movement, which goes on during an obstructive apnea, so its index is a lower bound; the heart
 * rate misses apnea in people with a blunted autonomic response, common in old age; the oximeter
 * misses apneas without desaturation), so each misses what another may catch. A channel without
 * enough signal is "not used", never "low": a night with no valid channel is `unknown`, never `low`.
 *
 * Thresholds and their sources:
 * - apnea index (events/h of monitored time in bed): >= 5 possible, >= 15 likely. AASM: an AHI of 5
 *   is the threshold of obstructive sleep apnea (with symptoms), 15 is at least moderate (AASM Task
 *   Force, Sleep 1999;22(5):667-689; ICSD-3, AASM 2014). Valid with >= 4 h monitored: home sleep
 *   tests are usually read only with at least 4 h of technically adequate signal (product choice
 *   following that practice: a short night's index is noise).
 * - ODI (3 % desaturations per hour of valid oximetry): >= 5 possible, >= 15 likely: the AHI bands,
 *   as commonly applied to the ODI (Chung et al., Anesth Analg 2012;114(5):993-1000, which reports
 *   the ODI against AHI > 5, > 15 and > 30; night-index.ts). Valid with >= 4 h of oximetry.
 * - heart-rate screening, the fraction of analysed minutes flagged A: >= 100 apnea minutes in a
 *   PhysioNet night (7-10 h, ~480 min) is class A, 5-99 class B (Penzel et al., Computers in
 *   Cardiology 2000). As fractions of the analysed minutes: >= 20 % (100/480) likely, >= 5 %
 *   possible. 5 %, not 1 % (5/480): the screener's ~90 % minute specificity gives healthy nights 0-7 %
 *   false minutes on the learning set (src/detectors/hr-apnea-screening/README.md), so below 5 % is
 *   noise, and its B class is "inconclusive", not "mild". Valid with >= 180 analysed minutes.
 *
 * Confidence: `high` when two or more channels were valid and agree on the class, `moderate` with
 * two or more that disagree or one channel with a class above low, `low` with a single channel (a
 * single channel's "low" is the weakest reassurance of all: each misses some apnea).
 */
export type RiskClass = 'low' | 'possible' | 'likely';
export type RiskLevel = RiskClass | 'unknown';
export type RiskChannel = 'apneaIndex' | 'odi' | 'hrScreening';
export type Confidence = 'high' | 'moderate' | 'low';

/** Cut-offs and minimum signal per channel (sources above). */
export const APNEA_RISK_THRESHOLDS = Object.freeze({
  apneaIndex: Object.freeze({ possible: 5, likely: 15, minMonitoredS: 4 * 3600, unit: 'events/h', source: 'AHI cut-offs (AASM Task Force 1999, ICSD-3); >= 4 h as home sleep tests' }),
  odi: Object.freeze({ possible: 5, likely: 15, minMonitoredS: 4 * 3600, unit: 'desaturations/h', source: 'ODI with the AHI cut-offs (Chung 2012); >= 4 h as for the AHI' }),
  hrScreening: Object.freeze({ possible: 0.05, likely: 0.2, minAnalysedMinutes: 180, unit: 'fraction of analysed minutes flagged A', source: 'PhysioNet Apnea-ECG classes (Penzel 2000): 100 of ~480 min = A; 5 % floor from the screener\'s specificity' }),
});

/** What one night offers; null where the channel was absent. */
export interface RiskInputs {
  /** The radar's apnea index of the night (sleep report `apnea`). */
  readonly apneaIndex: { readonly perHour: number | null; readonly monitoredS: number } | null;
  /** The oximeter's ODI of the night. */
  readonly odi: { readonly perHour: number | null; readonly monitoredS: number } | null;
  /** The heart-rate screening of the night (sleep report `hrApneaScreening`). */
  readonly hrScreening: { readonly apneaMinutes: number; readonly minutesAnalysed: number } | null;
}

export interface ChannelVerdict {
  readonly channel: RiskChannel;
  /** The channel's value: events/h, or the fraction of analysed minutes (rounded). */
  readonly value: number | null;
  /** Its class, or null when the channel was present but had too little signal. */
  readonly risk: RiskClass | null;
  /** Why it was not used, when risk is null. */
  readonly notUsed: 'too_short' | null;
}

export interface ApneaRisk {
  readonly risk: RiskLevel;
  /** null when risk is unknown. */
  readonly confidence: Confidence | null;
  /** The channels whose class counted, in the order apneaIndex, odi, hrScreening. */
  readonly used: RiskChannel[];
  /** Every channel the night had, with its value and class (or why it was not used). */
  readonly channels: ChannelVerdict[];
}

const RANK: Record<RiskClass, number> = { low: 0, possible: 1, likely: 2 };
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function byCutoff(value: number, t: { possible: number; likely: number }): RiskClass {
  if (value >= t.likely) return 'likely';
  return value >= t.possible ? 'possible' : 'low';
}

function indexVerdict(channel: 'apneaIndex' | 'odi', x: { perHour: number | null; monitoredS: number }): ChannelVerdict {
  const t = APNEA_RISK_THRESHOLDS[channel];
  if (x.perHour === null || x.monitoredS < t.minMonitoredS) return { channel, value: x.perHour, risk: null, notUsed: 'too_short' };
  return { channel, value: x.perHour, risk: byCutoff(x.perHour, t), notUsed: null };
}

function hrVerdict(x: { apneaMinutes: number; minutesAnalysed: number }): ChannelVerdict {
  const t = APNEA_RISK_THRESHOLDS.hrScreening;
  const fraction = x.minutesAnalysed > 0 ? x.apneaMinutes / x.minutesAnalysed : null;
  if (fraction === null || x.minutesAnalysed < t.minAnalysedMinutes) return { channel: 'hrScreening', value: fraction === null ? null : round3(fraction), risk: null, notUsed: 'too_short' };
  return { channel: 'hrScreening', value: round3(fraction), risk: byCutoff(fraction, t), notUsed: null };
}

/** The night's risk from whatever channels it had. */
export function apneaRisk(inputs: RiskInputs): ApneaRisk {
  const channels: ChannelVerdict[] = [];
  if (inputs.apneaIndex !== null) channels.push(indexVerdict('apneaIndex', inputs.apneaIndex));
  if (inputs.odi !== null) channels.push(indexVerdict('odi', inputs.odi));
  if (inputs.hrScreening !== null) channels.push(hrVerdict(inputs.hrScreening));
  const valid = channels.filter((c): c is ChannelVerdict & { risk: RiskClass } => c.risk !== null);
  if (valid.length === 0) return { risk: 'unknown', confidence: null, used: [], channels };
  const risk = valid.reduce<RiskClass>((a, c) => (RANK[c.risk] > RANK[a] ? c.risk : a), 'low');
  const agree = valid.every((c) => c.risk === valid[0]!.risk);
  const confidence: Confidence = valid.length >= 2 ? (agree ? 'high' : 'moderate') : risk === 'low' ? 'low' : 'moderate';
  return { risk, confidence, used: valid.map((c) => c.channel), channels };
}

export interface TrendNight {
  /** When the night started (ms). */
  readonly startTs: number;
  readonly risk: RiskLevel;
}

export interface ApneaRiskTrend {
  /** Nights looked at (at most `nights`, the most recent), oldest first. */
  readonly nights: TrendNight[];
  readonly counts: Record<RiskLevel, number>;
  /** Share of the nights with a known risk that were possible or likely; null with none known. */
  readonly atRiskShare: number | null;
}

/** The risk of the last `nights` nights (default 30), oldest first, and how often it was raised. */
export function apneaRiskTrend(all: readonly TrendNight[], nights = 30): ApneaRiskTrend {
  const recent = [...all].sort((a, b) => a.startTs - b.startTs).slice(-nights);
  const counts: Record<RiskLevel, number> = { low: 0, possible: 0, likely: 0, unknown: 0 };
  for (const n of recent) counts[n.risk] += 1;
  const known = recent.length - counts.unknown;
  return { nights: recent, counts, atRiskShare: known > 0 ? round3((counts.possible + counts.likely) / known) : null };
}
