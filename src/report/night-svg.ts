import type { NightSeries, SeriesMetric } from './night-series.js';

/**
 * A night on one page, drawn (issue 16, point 5): an SVG written by hand (no chart library on a hub),
 * for a family doctor who would rather look than read. From top to bottom: in bed / asleep bands,
 * breathing rate with the apnea events, heart rate, SpO2 with the desaturations, alarms as lines
 * across every panel, the time axis in the home's local time, then the night's summary text.
 * Pure: labels and summary come in already translated (src/cli/i18n.ts), times through `clock`.
 * Every drawn element carries data-* attributes (metric, value range, times), so a test can read the
 * picture back without guessing at pixels.
 */
export interface NightChartText {
  readonly title: string;
  readonly inBed: string;
  readonly asleep: string;
  readonly series: Record<SeriesMetric, string>;
  readonly noData: string;
  readonly apnea: string;
  readonly desaturation: string;
  readonly alarm: string;
  /** The summary lines (renderNight), drawn under the chart. */
  readonly summary: readonly string[];
}

const W = 1200;
const LEFT = 150;
const RIGHT = 30;
const PANEL_H = 130;
const GAP = 34;
const TOP = 60;
const BAND_H = 22;
/** Value ranges that read the same night after night; widened when a value falls outside. */
const RANGE: Record<SeriesMetric, [number, number]> = { breathRatePerMin: [5, 30], heartRateBpm: [40, 110], spo2Percent: [80, 100] };
const COLOUR: Record<SeriesMetric, string> = { breathRatePerMin: '#1f77b4', heartRateBpm: '#d62728', spo2Percent: '#2ca02c' };
const MARK_COLOUR = { apnea: '#ff7f0e', desaturation: '#9467bd', alarm: '#b00020' } as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number): number => Math.round(n * 10) / 10;

export function nightSvg(n: NightSeries, text: NightChartText, clock: (ts: number) => string): string {
  const plotW = W - LEFT - RIGHT;
  const x = (ts: number): number => r1(LEFT + ((ts - n.fromTs) / (n.toTs - n.fromTs)) * plotW);
  const out: string[] = [];
  let y = TOP;
  // Bands: in bed, asleep.
  const bandRow = (label: string, key: 'inBed' | 'asleep', colour: string): void => {
    out.push(`<text x="${LEFT - 10}" y="${y + BAND_H - 6}" text-anchor="end" class="label">${esc(label)}</text>`);
    out.push(`<rect x="${LEFT}" y="${y}" width="${plotW}" height="${BAND_H}" fill="#f2f2f2"/>`);
    for (const [a, b] of n.bands[key]) {
      out.push(`<rect class="band" data-band="${key}" data-from="${a}" data-to="${b}" x="${x(a)}" y="${y}" width="${r1(Math.max(1, x(b) - x(a)))}" height="${BAND_H}" fill="${colour}"/>`);
    }
    y += BAND_H + 8;
  };
  bandRow(text.inBed, 'inBed', '#9ecae1');
  bandRow(text.asleep, 'asleep', '#3182bd');
  y += GAP - 8;
  const panelsTop = y;
  const panels: Array<{ metric: SeriesMetric; top: number; lo: number; hi: number }> = [];
  for (const metric of ['breathRatePerMin', 'heartRateBpm', 'spo2Percent'] as const) {
    const pts = n.series[metric];
    const values = pts.map((p) => p[1]);
    const lo = Math.min(RANGE[metric][0], ...values.map(Math.floor));
    const hi = Math.max(RANGE[metric][1], ...values.map(Math.ceil));
    const top = y;
    panels.push({ metric, top, lo, hi });
    const vy = (v: number): number => r1(top + PANEL_H - ((v - lo) / (hi - lo)) * PANEL_H);
    out.push(`<text x="${LEFT}" y="${top - 7}" class="label">${esc(text.series[metric])}</text>`);
    out.push(`<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#ccc"/>`);
    for (const v of [lo, Math.round((lo + hi) / 2), hi]) {
      out.push(`<text x="${LEFT - 6}" y="${vy(v) + 4}" text-anchor="end" class="tick">${v}</text>`);
      out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${vy(v)}" y2="${vy(v)}" stroke="#eee"/>`);
    }
    if (pts.length === 0) {
      out.push(`<text x="${LEFT + plotW / 2}" y="${top + PANEL_H / 2}" text-anchor="middle" class="nodata" data-metric="${metric}">${esc(text.noData)}</text>`);
    } else {
      // A gap longer than 5 buckets (nobody in view, sensor off) breaks the line rather than bridging it.
      const runs: Array<Array<[number, number]>> = [[]];
      for (const p of pts) {
        const run = runs.at(-1)!;
        const last = run.at(-1);
        if (last && p[0] - last[0] > 5 * n.bucketMs) runs.push([p]);
        else run.push(p);
      }
      for (const run of runs) {
        out.push(`<polyline class="series" data-metric="${metric}" data-lo="${lo}" data-hi="${hi}" data-top="${top}" data-height="${PANEL_H}" fill="none" stroke="${COLOUR[metric]}" stroke-width="1.5" points="${run.map((p) => `${x(p[0])},${vy(p[1])}`).join(' ')}"/>`);
      }
    }
    y += PANEL_H + GAP;
  }
  const panelsBottom = y - GAP;
  // Marks: apnea on the breathing panel, desaturations on SpO2, alarms across everything.
  const panelOf = (m: SeriesMetric) => panels.find((p) => p.metric === m)!;
  for (const m of n.marks) {
    const mx = x(m.ts);
    const title = `<title>${esc(`${m.kind === 'alarm' ? text.alarm : m.kind === 'apnea' ? text.apnea : text.desaturation} ${clock(m.ts)}${m.durationS !== null ? ` ${m.durationS} s` : ''}${m.kind === 'alarm' ? ` ${m.type}` : ''}`)}</title>`;
    if (m.kind === 'alarm') {
      out.push(`<g class="mark" data-kind="alarm" data-type="${esc(m.type)}" data-ts="${m.ts}">${title}<line x1="${mx}" x2="${mx}" y1="${TOP - 6}" y2="${panelsBottom}" stroke="${MARK_COLOUR.alarm}" stroke-width="2" stroke-dasharray="6 3"/><text x="${mx + 4}" y="${TOP - 10}" class="alarm">${esc(text.alarm)} ${esc(clock(m.ts))}</text></g>`);
      continue;
    }
    const p = panelOf(m.kind === 'apnea' ? 'breathRatePerMin' : 'spo2Percent');
    // At least 4 px: a 40 s pause is under 2 px of an 8-hour night; the triangle under the panel points at it.
    const w = m.durationS === null ? 4 : Math.max(4, x(m.ts + m.durationS * 1000) - mx);
    out.push(`<g class="mark" data-kind="${m.kind}" data-ts="${m.ts}">${title}<rect x="${mx}" y="${p.top}" width="${r1(w)}" height="${PANEL_H}" fill="${MARK_COLOUR[m.kind]}" fill-opacity="0.35"/><path d="M${r1(mx + w / 2)},${p.top + PANEL_H + 1} l-7,12 h14 z" fill="${MARK_COLOUR[m.kind]}"/></g>`);
  }
  // Time axis: every hour on the hour (local time, from `clock`), and the night's start and end.
  const axisY = panelsBottom + 18;
  for (let h = Math.ceil(n.fromTs / 3_600_000) * 3_600_000; h <= n.toTs; h += 3_600_000) {
    // Whole hours of UTC are whole hours in every zone but a few (+05:30, +05:45): still a clear grid.
    out.push(`<line x1="${x(h)}" x2="${x(h)}" y1="${panelsTop}" y2="${panelsBottom}" stroke="#ddd"/><text class="time" data-ts="${h}" x="${x(h)}" y="${axisY + 14}" text-anchor="middle">${esc(clock(h))}</text>`);
  }
  out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${panelsBottom}" y2="${panelsBottom}" stroke="#888"/>`);
  // Legend of the marks, then the summary.
  let ly = axisY + 44;
  const legend = (['apnea', 'desaturation', 'alarm'] as const).map((k, i) => `<rect x="${LEFT + i * 220}" y="${ly - 11}" width="14" height="14" fill="${MARK_COLOUR[k]}" fill-opacity="${k === 'alarm' ? 1 : 0.6}"/><text x="${LEFT + i * 220 + 20}" y="${ly}" class="tick">${esc(text[k])} (${n.marks.filter((m) => m.kind === k).length})</text>`);
  out.push(...legend);
  ly += 30;
  for (const line of text.summary) {
    out.push(`<text x="40" y="${ly}" class="summary">${esc(line)}</text>`);
    ly += 22;
  }
  const height = ly + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" data-from="${n.fromTs}" data-to="${n.toTs}" data-x0="${LEFT}" data-x1="${W - RIGHT}" data-bucket-ms="${n.bucketMs}">`,
    '<style>text{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Source Han Sans SC",sans-serif;fill:#222}.label{font-size:14px}.tick{font-size:12px;fill:#555}.time{font-size:12px;fill:#333}.summary{font-size:15px}.title{font-size:20px;font-weight:bold}.alarm{font-size:12px;fill:#b00020}.nodata{font-size:14px;fill:#999}</style>',
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    `<text x="40" y="32" class="title">${esc(text.title)}</text>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
