import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clockIn } from '../../report/night-series.js';
import { nightSvg, type NightChartText } from '../../report/night-svg.js';
import { request } from '../client.js';
import { EXIT, type Ctx } from '../context.js';
import { t, type Lang } from '../i18n.js';
import { renderNight, type NightView } from '../report-night.js';
import { failed } from './status.js';

/**
 * `anjuctl report night --format svg|png [--out FILE]` (issue 16, point 5): the night the text
 * report chose (viewNight), its series from the daemon (`report-night`, by report_seq: the same
 * data the cloud can ask for), drawn by src/report/night-svg.ts with the summary in the chosen
 * language. PNG through rsvg-convert (librsvg2-bin) when it is installed; no image library in the
 * hub's package.
 */
export async function drawNight(ctx: Ctx, v: NightView, format: 'svg' | 'png', out: string | undefined): Promise<number> {
  const r = await request(ctx.socket, 'report-night', { report_seq: v.reportSeq });
  if (!r.ok) return failed(ctx, r);
  const clock = clockIn(r.data.timezone);
  const svg = nightSvg(r.data.night, chartText(ctx.lang, v, r.data.timezone), clock);
  if (format === 'svg') {
    if (out === undefined) {
      ctx.out(svg);
      return EXIT.OK;
    }
    writeFileSync(resolve(out), svg);
  } else {
    const work = mkdtempSync(join(tmpdir(), 'anju-chart-'));
    try {
      writeFileSync(join(work, 'night.svg'), svg);
      const png = await rsvg(join(work, 'night.svg'), resolve(out!));
      if (png !== null) {
        ctx.err(png === 'missing' ? t(ctx.lang, 'rcNoPng') : t(ctx.lang, 'rcPngFailed', { error: png }));
        return EXIT.FAILED;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, path: resolve(out!), format }));
  else ctx.out(t(ctx.lang, 'rcWritten', { path: resolve(out!) }));
  return EXIT.OK;
}

function chartText(lang: Lang, v: NightView, timezone: string | null): NightChartText {
  const summary = renderNight(v, lang, timezone);
  return {
    title: `${summary[0]!}${timezone ? ` · ${t(lang, 'rcTimes', { tz: timezone })}` : ''}`,
    inBed: t(lang, 'rcInBed'), asleep: t(lang, 'rcAsleep'),
    series: { breathRatePerMin: t(lang, 'rcBreath'), heartRateBpm: t(lang, 'rcHeart'), spo2Percent: t(lang, 'rcSpo2') },
    noData: t(lang, 'rcNoData'), apnea: t(lang, 'rcApnea'), desaturation: t(lang, 'rcDesat'), alarm: t(lang, 'rcAlarm'),
    summary: summary.slice(1),
  };
}

/** null when drawn; 'missing' without rsvg-convert; else why it failed. */
function rsvg(svgFile: string, pngFile: string): Promise<null | 'missing' | string> {
  return new Promise((done) => {
    execFile('rsvg-convert', ['-f', 'png', '-o', pngFile, svgFile], { timeout: 60_000 }, (err) => {
      if (!err) done(null);
      else done((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : err.message.split('\n')[0]!);
    });
  });
}
