import type { Command } from 'commander';
import { request } from '../client.js';
import { context, EXIT, run } from '../context.js';
import { t } from '../i18n.js';
import { isDate, nightDate, renderNight, viewNight } from '../report-night.js';
import { failed } from './status.js';
import { isWaiting } from '../../control/status.js';

/**
 * `anjuctl report night [--date YYYY-MM-DD] [--device ID] [--json]`: one night's sleep report as the
 * hub stored it, its sleep-apnea risk and the 30-night trend (issue 18), from the daemon's store over
 * the control socket (`sleep-reports`). Text in English or Chinese; --json for scripts and, later,
 * the chart (issue 16): `{ night: {date, reportSeq, ts, device, report, apneaRisk, trend} }`.
 */
export async function reportNight(o: { date?: string; device?: string; format?: string; out?: string }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    if (o.date !== undefined && !isDate(o.date)) {
      ctx.err(t(ctx.lang, 'rnBadDate', { value: o.date }));
      return EXIT.USAGE;
    }
    if (o.format !== undefined && o.format !== 'svg' && o.format !== 'png') {
      ctx.err(t(ctx.lang, 'rcBadFormat', { value: o.format }));
      return EXIT.USAGE;
    }
    if (o.format === 'png' && o.out === undefined) {
      ctx.err(t(ctx.lang, 'rcNeedsOut'));
      return EXIT.USAGE;
    }
    // The latest night needs it and 30 before it; an earlier date, up to about a year back.
    const r = await request(ctx.socket, 'sleep-reports', { limit: o.date === undefined ? 31 : 400, ...(o.device ? { device: o.device } : {}) });
    if (!r.ok) return failed(ctx, r);
    const stored = r.data.reports;
    // Nights are dated and timed in the home's zone (hub.timezone), as the daemon dates them.
    const tz = await request(ctx.socket, 'get-status').then((s) => (s.ok && !isWaiting(s.data) ? s.data.timezone ?? null : null), () => null);
    const device = o.device ? ` (${o.device})` : '';
    const v = viewNight(stored, o.date, 30, tz);
    if (v === null) {
      const dates = [...new Set(stored.map((n) => nightDate(typeof n.data.startTs === 'number' ? n.data.startTs : n.ts, tz)))].sort().slice(-10).join(', ');
      if (ctx.json) ctx.out(JSON.stringify({ ok: false, code: 'not-found', date: o.date ?? null, nights: dates.length > 0 ? dates.split(', ') : [] }));
      else ctx.err(stored.length === 0 ? t(ctx.lang, 'rnNoReports', { device }) : t(ctx.lang, 'rnNoNight', { date: o.date ?? '', device, dates }));
      return EXIT.FAILED;
    }
    // The chart (SVG rendering, rsvg-convert for PNG) is loaded only when one is asked for.
    if (o.format !== undefined) return (await import('./report-chart.js')).drawNight(ctx, v, o.format, o.out);
    if (ctx.json) ctx.out(JSON.stringify({ night: v }));
    else for (const line of renderNight(v, ctx.lang, tz)) ctx.out(line);
    return EXIT.OK;
  });
}
