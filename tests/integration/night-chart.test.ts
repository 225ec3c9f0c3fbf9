/**
 * A night on one page (issue 16, point 5), from the shipped example night: `anjuctl replay` of
 * examples/replays/night-breathing-stop.jsonl gives the night's events and report; they and the
 * stream's readings go into a hub's store as the daemon would have committed them; the real daemon
 * answers `report-night` and `anjuctl report night --format svg|png` draws it. The SVG is read back
 * through its data-* attributes: each series' points (count and values) against the readings, the
 * apnea marks against the report, the in-bed and asleep bands against the radar's states, the hour
 * labels in the home's time zone (Asia/Shanghai), the summary in English and Chinese; the PNG comes
 * from rsvg-convert, and without it the command says which package to install.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { createReadingStore } from '../../src/store/readings.js';
import type { EventDraft } from '../../src/core/event.js';
import { ROOT, testConfig } from '../helpers/daemon-process.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { requireBinary } from '../helpers/peers.js';
import { ctl } from '../helpers/scripted-cli.js';

const NIGHT = join(ROOT, 'examples/replays/night-breathing-stop.jsonl');
const HOME = join(ROOT, 'examples/replays/home.yaml');
interface Line { ts: number; device: string; metric: string; value: number | string | boolean }
const readings = readFileSync(NIGHT, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => JSON.parse(l) as Line);

/** Attributes of every element `tag` in `svg`, one record per element. */
const elements = (svg: string, tag: string): Array<Record<string, string>> =>
  [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));

describe('anjuctl report night --format svg|png: the example night on one page', () => {
  let hub: Hub;
  let events: Array<EventDraft & { ts: number }>;
  const run = (args: string[], env: Record<string, string> = {}) => ctl(['report', 'night', ...args, '--socket', hub.socket], env, 60_000);

  beforeAll(async () => {
    const replayed = ctl(['--json', 'replay', NIGHT, '--config', HOME], {}, 60_000);
    expect(replayed.status, replayed.stderr).toBe(0);
    events = replayed.stdout.trim().split('\n').map((l) => JSON.parse(l) as EventDraft & { ts: number });
    expect(events.map((e) => e.type)).toContain('report.sleep');
    hub = await startHub({
      name: 'night-chart', radars: ['bed-radar'], start: false,
      yaml: (h) => `${testConfig({ hubId: h.hubId, stateDir: h.stateDir, brokerUrl: h.brokerUrl, devices: [{ id: 'bed-radar', path: h.ptys['bed-radar']!.devicePath }] })
        .replace(`hub: { id: ${h.hubId} }`, `hub: { id: ${h.hubId}, timezone: Asia/Shanghai }`)}store: { readings_retention_h: 100000 }\n`,
    });
    // The store as anjud would have it the morning after: each event committed at its time, every reading.
    let now = 0;
    const clock = { now: () => now };
    const db = openDatabase(hub.stateDir);
    const outbox = createOutbox(db, clock);
    for (const e of events) {
      now = e.ts;
      outbox.append({ type: e.type, severity: e.severity, device: e.device, state: e.state, data: e.data });
    }
    const store = createReadingStore(db, clock);
    for (const r of readings) store.add({ ts: r.ts, device: r.device, metric: r.metric, value: r.value });
    store.flush();
    db.close();
    await hub.start({ ready: 'socket' });
  });
  afterAll(async () => {
    // ANJU_NIGHT_CHART_KEEP=dir: keep the drawn SVG and PNG there, to look at them (docs/night-chart.*).
    if (process.env.ANJU_NIGHT_CHART_KEEP && hub) for (const f of ['night.svg', 'night.png']) copyFileSync(join(hub.dir, f), join(process.env.ANJU_NIGHT_CHART_KEEP, f));
    await hub?.stop();
  });

  it('the SVG holds the night\'s series, apnea and alarm marks, bands and local hours, and its summary (en, zh)', () => {
    const out = join(hub.dir, 'night.svg');
    const r = run(['--format', 'svg', '--out', out]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`chart written: ${out}`);
    const svg = readFileSync(out, 'utf8');
    const root = elements(svg, 'svg')[0]!;
    const [from, to, bucketMs, x0, x1] = ['data-from', 'data-to', 'data-bucket-ms', 'data-x0', 'data-x1'].map((k) => Number(root[k]));
    const report = events.find((e) => e.type === 'report.sleep')!.data as { startTs: number; endTs: number; apnea: { events: number } };
    expect(from).toBe(report.startTs - 15 * 60_000);
    expect(to).toBe(report.endTs + 15 * 60_000);

    // Series: one point per bucket that has readings, each the bucket's mean, inside the plot.
    for (const metric of ['breathRatePerMin', 'heartRateBpm']) {
      const raw = readings.filter((x) => x.metric === metric && x.ts >= from! && x.ts <= to!);
      expect(raw.length, metric).toBeGreaterThan(1000);
      const lines = elements(svg, 'polyline').filter((p) => p['data-metric'] === metric);
      const points = lines.flatMap((p) => p.points!.split(' ').map((xy) => xy.split(',').map(Number) as [number, number]));
      expect(points.length, `${metric} points`).toBe(new Set(raw.map((x) => Math.floor((x.ts - from!) / bucketMs!))).size);
      const [lo, hi, top, height] = ['data-lo', 'data-hi', 'data-top', 'data-height'].map((k) => Number(lines[0]![k]));
      const values = raw.map((x) => Number(x.value));
      for (const [px, py] of points) {
        expect(px).toBeGreaterThanOrEqual(x0!);
        expect(px).toBeLessThanOrEqual(x1!);
        const v = lo! + ((top! + height! - py) / height!) * (hi! - lo!);
        expect(v, `${metric} value from y ${py}`).toBeGreaterThanOrEqual(Math.min(...values) - 0.2);
        expect(v).toBeLessThanOrEqual(Math.max(...values) + 0.2);
      }
    }
    // No oximeter in this home: the SpO2 panel says so instead of drawing nothing.
    expect(elements(svg, 'polyline').filter((p) => p['data-metric'] === 'spo2Percent')).toEqual([]);
    expect(elements(svg, 'text').some((x) => x['data-metric'] === 'spo2Percent' && x.class === 'nodata')).toBe(true);

    // Marks: every apnea event the report counted, where the pause began; the alarm it raised.
    const marks = elements(svg, 'g').filter((g) => g.class === 'mark');
    const apneas = events.filter((e) => e.type === 'event.apnea');
    expect(marks.filter((m) => m['data-kind'] === 'apnea').length).toBe(report.apnea.events);
    expect(report.apnea.events).toBeGreaterThan(0);
    expect(marks.filter((m) => m['data-kind'] === 'apnea').map((m) => Number(m['data-ts']))).toEqual(apneas.map((e) => e.data.pauseStartTs));
    expect(marks.filter((m) => m['data-kind'] === 'alarm').map((m) => m['data-type'])).toEqual(events.filter((e) => e.type.startsWith('alarm.') && e.state === 'raised').map((e) => e.type));

    // Bands: in bed from bedState in to out (the toilet trip splits the night), asleep only inside them.
    const bed = readings.filter((x) => x.metric === 'bedState');
    const inBed = elements(svg, 'rect').filter((b) => b['data-band'] === 'inBed').map((b) => [Number(b['data-from']), Number(b['data-to'])]);
    expect(inBed).toEqual([[bed[0]!.ts, bed[1]!.ts], [bed[2]!.ts, bed[3]!.ts]]);
    const asleep = elements(svg, 'rect').filter((b) => b['data-band'] === 'asleep').map((b) => [Number(b['data-from']), Number(b['data-to'])]);
    expect(asleep.length).toBeGreaterThan(0);
    for (const [a, b] of asleep) expect(inBed.some(([c, d]) => a! >= c! && b! <= d!), `asleep ${a}-${b} within a time in bed`).toBe(true);

    // The hours in the home's time zone (UTC+8): the night began 22:30 there.
    const hours = elements(svg, 'text').filter((x) => x.class === 'time').map((x) => Number(x['data-ts']));
    expect(hours.length).toBeGreaterThan(7);
    const labels = [...svg.matchAll(/class="time" data-ts="(\d+)"[^>]*>([^<]*)</g)].map((m) => [Number(m[1]), m[2]]);
    for (const [ts, label] of labels) expect(label).toBe(`${String((new Date(ts as number).getUTCHours() + 8) % 24).padStart(2, '0')}:00`);
    expect(svg).toContain('Asia/Shanghai');
    expect(svg).toContain('breathing pauses (radar): 1 in');

    const zh = run(['--format', 'svg', '--lang', 'zh']);
    expect(zh.status, zh.stderr).toBe(0);
    expect(zh.stdout).toMatch(/^<svg /);
    for (const word of ['在床', '呼吸暂停（雷达）', '睡眠呼吸暂停风险']) expect(zh.stdout).toContain(word);
    // The AASM band in the reader's language, not the report's English word (0.1/h: normal).
    expect(zh.stdout).toMatch(/每小时 0\.1 次（正常）/);
    expect(zh.stdout).not.toContain('normal');
  });

  it('PNG through rsvg-convert; without it, says which package to install', () => {
    requireBinary('rsvg-convert', 'librsvg2-bin');
    const png = join(hub.dir, 'night.png');
    const r = run(['--format', 'png', '--out', png, '--lang', 'zh']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const without = run(['--format', 'png', '--out', join(hub.dir, 'x.png')], { PATH: '/nonexistent' });
    expect(without.status).toBe(1);
    expect(without.stderr).toContain('librsvg2-bin');
    expect(run(['--format', 'gif']).status).toBe(2);
  });
});
