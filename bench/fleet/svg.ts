import type { FleetResult } from './analyze.js';

/**
 * The run as an SVG (no plotting dependency): connected hubs and acked alarms over time, the outage
 * shaded and the ingest kill marked; below, the reconnects per second after the outage.
 */
const W = 900;
const PANEL = 220;
const M = { l: 60, r: 60, t: 30, b: 30 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (x: number, y: number, s: string, o = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${o}>${esc(s)}</text>`;

function polyline(points: Array<[number, number]>, color: string): string {
  return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

export function plotSvg(r: FleetResult): string {
  const tl = r.timeline;
  const tMax = Math.max(1, tl.at(-1)?.s ?? 1);
  const pw = W - M.l - M.r;
  const x = (sec: number) => M.l + (sec / tMax) * pw;
  const maxConn = Math.max(1, r.args.hubs);
  const maxAlarms = Math.max(1, ...tl.map((p) => p.alarmsRaised));
  const top = M.t;
  const y1 = (n: number) => top + PANEL - (n / maxConn) * PANEL;
  const y2 = (n: number) => top + PANEL - (n / maxAlarms) * PANEL;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${M.t + PANEL + 70 + PANEL + M.b + 20}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(text(M.l, 18, `${r.args.hubs} hubs, ${r.args.outageS} s outage, ${r.args.ingest} ingest instances: connections and alarms (${r.pass ? 'PASS' : 'FAIL'})`, 'font-weight="bold"'));
  const { outageFromS: from, outageToS: to, ingestKilledS: kill } = r.phases;
  out.push(`<rect x="${x(from)}" y="${top}" width="${Math.max(1, x(to) - x(from))}" height="${PANEL}" fill="#f3d0d0"/>`);
  out.push(text(x(from) + 3, top + 12, 'broker down', 'fill="#a33"'));
  if (kill !== null) out.push(`<line x1="${x(kill)}" x2="${x(kill)}" y1="${top}" y2="${top + PANEL}" stroke="#333" stroke-dasharray="4 3"/>`, text(x(kill) + 3, top + 24, 'ingest kill -9'));
  out.push(`<rect x="${M.l}" y="${top}" width="${pw}" height="${PANEL}" fill="none" stroke="#999"/>`);
  out.push(polyline(tl.map((p) => [x(p.s), y1(p.connected)]), '#1f77b4'));
  out.push(polyline(tl.map((p) => [x(p.s), y2(p.alarmsRaised)]), '#bbbbbb'));
  out.push(polyline(tl.map((p) => [x(p.s), y2(p.alarmsAcked)]), '#2ca02c'));
  for (const f of [0, 0.5, 1]) {
    out.push(text(M.l - 6, y1(maxConn * f) + 4, String(Math.round(maxConn * f)), 'text-anchor="end" fill="#1f77b4"'));
    out.push(text(W - M.r + 6, y2(maxAlarms * f) + 4, String(Math.round(maxAlarms * f)), 'fill="#2ca02c"'));
  }
  for (let k = 0; k <= 5; k++) out.push(text(x((tMax * k) / 5), top + PANEL + 14, `${Math.round((tMax * k) / 5)} s`, 'text-anchor="middle"'));
  out.push(text(M.l, top + PANEL + 30, 'blue: hubs connected (left axis); green: alarms acked by the cloud, grey: alarms raised (right axis)'));

  // Reconnects per second after the broker came back.
  const top2 = top + PANEL + 70;
  const h = r.reconnects.histogram;
  const hMax = Math.max(1, ...h.map(([, n]) => n));
  const span = Math.max(1, (h.at(-1)?.[0] ?? 0) + 1);
  const bw = pw / span;
  out.push(text(M.l, top2 - 8, `reconnects per second after the broker came back (${r.reconnects.count} in all, peak ${r.reconnects.peakPerS}/s, p90 ${r.reconnects.p90S ?? '–'} s)`, 'font-weight="bold"'));
  out.push(`<rect x="${M.l}" y="${top2}" width="${pw}" height="${PANEL}" fill="none" stroke="#999"/>`);
  for (const [sec, n] of h) {
    const bh = (n / hMax) * PANEL;
    out.push(`<rect x="${(M.l + sec * bw).toFixed(1)}" y="${(top2 + PANEL - bh).toFixed(1)}" width="${Math.max(0.5, bw - 0.5).toFixed(1)}" height="${bh.toFixed(1)}" fill="#ff7f0e"/>`);
  }
  out.push(text(M.l - 6, top2 + 4, String(hMax), 'text-anchor="end"'), text(M.l - 6, top2 + PANEL + 4, '0', 'text-anchor="end"'));
  for (let k = 0; k <= 5; k++) out.push(text(M.l + (pw * k) / 5, top2 + PANEL + 14, `+${Math.round((span * k) / 5)} s`, 'text-anchor="middle"'));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
