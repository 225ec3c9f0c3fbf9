/**
 * `anjuctl replay` as a technician runs it: the built CLI (dist/, `npm run build` first) on the
 * example streams of examples/replays/ with the example home's config, checking every printed line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ANJUCTL = join(ROOT, 'dist/src/cli/anjuctl.js');
const NIGHT = join(ROOT, 'examples/replays/night-breathing-stop.jsonl');
const LEFT = join(ROOT, 'examples/replays/left-home-curfew.jsonl');
const HOME = join(ROOT, 'examples/replays/home.yaml');

const ctl = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [ANJUCTL, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', ...env }, timeout: 60_000 });
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/** ms since the epoch of a local time in the example home (UTC+8), November 2026. */
const local = (day: number, hh: number, mm: number, ss = 0) => Date.UTC(2026, 10, day, hh - 8, mm, ss);
/** As anjuctl shows a time (src/cli/local-time.ts): local wall time of the home and its offset. */
const iso = (day: number, hh: number, mm: number, ss = 0) =>
  `2026-11-${String(day).padStart(2, '0')} ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')} +08:00`;

const PAUSE = local(30, 2, 10);
const APNEA_RAISED = { pauseStartTs: PAUSE, pauseS: 20, source: 'breathStatus', alarmAfterS: 20 };
const APNEA_EVENT = { pauseStartTs: PAUSE, durationS: 40, source: 'breathStatus', endedBy: 'breathing' };
const APNEA_CLEARED = { pauseStartTs: PAUSE, raisedAtTs: local(30, 2, 10, 20), pauseS: 40, durationS: 20, clearedBy: 'breathStatus' };
const SLEEP = {
  startTs: local(29, 22, 30), endTs: local(30, 6, 26),
  // 22:30 to 06:26; asleep 22:52, awake 03:18-03:40 (toilet 03:20-03:27:20) and from 06:20.
  timeInBedS: 28_560, sleepOnsetTs: local(29, 22, 52), sleepOnsetLatencyS: 1320,
  totalSleepS: 25_560, wakeAfterSleepOnsetS: 1680, sleepEfficiencyPct: 89, deepSleepS: 10_200, lightSleepS: 15_360,
  outOfBed: { count: 1, totalS: 440 },
  avgHeartRateAsleepBpm: 57, avgBreathRateAsleepPerMin: 13,
  scoredBy: { sleepStateS: 28_120, movementS: 0, unscoredS: 0, noDataS: 0 },
  endedBy: 'out_of_bed',
  apnea: { events: 1, monitoredS: 28_090, perHour: 0.1, band: 'normal', longestEventS: 40 },
  // The example radar reports its heart rate every 20 s: too sparse for the screener (>= one per 4 s).
  hrApneaScreening: { cls: null, apneaMinutes: 0, minutesAnalysed: 0, minutesRejected: 475, startMinuteTs: local(29, 22, 30), minutes: '-'.repeat(475) },
  // Issue 18: no oximeter in the example home (odi), and the night's risk from the one channel with
  // signal, the radar's apnea index (0.1/h).
  odi: null,
  apneaRisk: {
    risk: 'low', confidence: 'low', used: ['apneaIndex'],
    channels: [{ channel: 'apneaIndex', value: 0.1, risk: 'low', notUsed: null }, { channel: 'hrScreening', value: null, risk: null, notUsed: 'too_short' }],
  },
  module: {
    nightSleepScore: 78, nightTotalSleepMin: 412, nightAwakePct: 9, nightLightPct: 58, nightDeepPct: 33, nightOutOfBedMin: 7,
    nightOutOfBedCount: 1, nightTurnovers: 14, nightAvgBreathPerMin: 13, nightAvgHeartBpm: 58, nightApneaCount: 1, sleepRating: 'good',
    receivedTs: local(30, 6, 26, 40),
  },
};
const LEFT_AT = local(30, 18, 31, 15);
const ABSENCE_RAISED = { reason: 'curfew', leftAtTs: LEFT_AT, awayS: 12_525, maxAwayS: 14_400, curfew: '22:00', curfewEnd: '06:00' };
const ABSENCE_CLEARED = { clearedBy: 'presence', device: 'hall-pir', reason: 'curfew', raisedAtTs: local(30, 22, 0), durationS: 2410, leftAtTs: LEFT_AT, awayS: 14_935 };

describe('anjuctl replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-replay-'));
  beforeAll(() => {
    if (!existsSync(ANJUCTL)) throw new Error(`${ANJUCTL} is missing: run npm run build first`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a night with a 40 s breathing stop: the apnea alarm and event, then the sleep report, one line each', () => {
    const r = ctl(['replay', NIGHT, '--config', HOME]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${iso(30, 2, 10, 20)}  Breathing pause raised  critical  bed-radar  ${JSON.stringify(APNEA_RAISED)}`,
      `${iso(30, 2, 10, 40)}  event.apnea info  info  bed-radar  ${JSON.stringify(APNEA_EVENT)}`,
      `${iso(30, 2, 10, 40)}  Breathing pause cleared  critical  bed-radar  ${JSON.stringify(APNEA_CLEARED)}`,
      `${iso(30, 7, 26)}  Sleep report info  info  bed-radar  ${JSON.stringify(SLEEP)}`,
    ]);
    expect(lines(r.stderr)).toEqual([`${NIGHT}: replayed 2907 reading(s), ${iso(29, 22, 25)} to ${iso(30, 7, 27)}: 4 event(s)`]);
  });

  it('the same night as JSON lines (--json)', () => {
    const r = ctl(['--json', 'replay', NIGHT, '--config', HOME]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l) as unknown)).toEqual([
      { ts: local(30, 2, 10, 20), type: 'alarm.apnea', state: 'raised', severity: 'critical', device: 'bed-radar', data: APNEA_RAISED },
      { ts: local(30, 2, 10, 40), type: 'event.apnea', state: 'info', severity: 'info', device: 'bed-radar', data: APNEA_EVENT },
      { ts: local(30, 2, 10, 40), type: 'alarm.apnea', state: 'cleared', severity: 'critical', device: 'bed-radar', data: APNEA_CLEARED },
      { ts: local(30, 7, 26), type: 'report.sleep', state: 'info', severity: 'info', device: 'bed-radar', data: SLEEP },
    ]);
  });

  it('left home and not back by the 22:00 curfew: alarm.absence at 22:00, cleared when she is seen at 22:40:10', () => {
    const r = ctl(['replay', LEFT, '--config', HOME]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${iso(30, 22, 0)}  Away too long raised  critical  -  ${JSON.stringify(ABSENCE_RAISED)}`,
      `${iso(30, 22, 40, 10)}  Away too long cleared  critical  -  ${JSON.stringify(ABSENCE_CLEARED)}`,
    ]);
  });

  it('checking a setting: the same evening with curfew 21:00 raises at 21:00; the night with alarm_after_s 45 logs the pause without an alarm', () => {
    const cfg = join(dir, 'curfew-21.yaml');
    writeFileSync(cfg, 'hub: { id: example-home, timezone: Asia/Shanghai }\nuplink: { url: "mqtt://127.0.0.1:1883" }\ndetectors:\n  absence: { door_device: front-door, curfew: "21:00" }\n  apnea: { alarm_after_s: 45 }\n');
    const left = ctl(['--json', 'replay', LEFT, '--config', cfg]);
    expect(lines(left.stdout).map((l) => { const e = JSON.parse(l) as { ts: number; type: string; state: string }; return [e.ts, e.type, e.state]; })).toEqual([
      [local(30, 21, 0), 'alarm.absence', 'raised'], [local(30, 22, 40, 10), 'alarm.absence', 'cleared'],
    ]);
    const night = ctl(['--json', 'replay', NIGHT, '--config', cfg]);
    expect(lines(night.stdout).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['event.apnea', 'report.sleep']);
  });

  it('without --config: the built-in config, every detector at its defaults (no door configured: no absence alarm; times in this machine\'s zone)', () => {
    const left = ctl(['replay', LEFT]);
    expect(left.status).toBe(0);
    expect(left.stdout).toBe('');
    const night = ctl(['replay', NIGHT], { TZ: 'Europe/Berlin' }); // a laptop in Berlin: winter time, +01:00
    expect(lines(night.stdout).map((l) => l.split('  ').slice(0, 2).join('  '))).toEqual([
      '2026-11-29 19:10:20 +01:00  Breathing pause raised', '2026-11-29 19:10:40 +01:00  event.apnea info', '2026-11-29 19:10:40 +01:00  Breathing pause cleared',
      '2026-11-30 00:26:00 +01:00  Sleep report info',
    ]);
  });

  it('times in the home\'s zone across a daylight-saving change (hub.timezone Europe/Berlin, October), in Chinese too', () => {
    const f = join(dir, 'dst.jsonl');
    const cfg = join(dir, 'berlin.yaml');
    writeFileSync(cfg, 'hub: { id: replay, timezone: Europe/Berlin }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n');
    writeFileSync(f, [Date.parse('2026-10-25T00:59:00Z'), Date.parse('2026-10-25T01:01:00Z')].map((ts) => JSON.stringify({ ts, device: 'bed', metric: 'presence', value: true })).join('\n'));
    const r = ctl(['replay', f, '--config', cfg], { TZ: 'Asia/Shanghai' }); // the laptop's zone does not matter
    expect(lines(r.stderr)).toEqual([`${f}: replayed 2 reading(s), 2026-10-25 02:59:00 +02:00 to 2026-10-25 02:01:00 +01:00: 0 event(s)`]);
    const zh = ctl(['replay', f, '--config', cfg, '--lang', 'zh']);
    expect(lines(zh.stderr)).toEqual([`${f}：已回放 2 个读数，2026-10-25 02:59:00 +02:00 至 2026-10-25 02:01:00 +01:00：0 个事件`]);
  });

  it('malformed lines are skipped and named with their line numbers on stderr, never a stack trace; exit 0', () => {
    const f = join(dir, 'bad.jsonl');
    const t = local(30, 12, 0);
    writeFileSync(f, [
      '# a comment', '', JSON.stringify({ ts: t, device: 'bed', metric: 'presence', value: true }), 'not json', '{"ts":"noon"}',
      JSON.stringify({ ts: t, device: 'a b', metric: 'presence', value: true }), JSON.stringify({ ts: t - 1, device: 'bed', metric: 'presence', value: false }),
      '[1]', JSON.stringify({ ts: t, device: 'bed', metric: 'x', value: null }), JSON.stringify({ ts: t + 60_000 }), '',
    ].join('\n'));
    const r = ctl(['replay', f], { TZ: 'UTC' }); // no config: this machine's zone
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      `${f}:4: skipped: not JSON`,
      `${f}:5: skipped: "ts" must be a number of ms since the epoch`,
      `${f}:6: skipped: "device" must be a device id (1-64 of A-Z a-z 0-9 _ -)`,
      `${f}:7: skipped: "ts" ${t - 1} is before the previous line's (${t})`,
      `${f}:8: skipped: not a JSON object`,
      `${f}:9: skipped: "value" must be a number, boolean or string`,
      `${f}: 6 malformed line(s) skipped: lines 4, 5, 6, 7, 8, 9`,
      `${f}: replayed 1 reading(s), 2026-11-30 04:00:00 +00:00 to 2026-11-30 04:01:00 +00:00: 0 event(s)`,
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('unreadable file: exit 1 with one line; bad options: exit 2; bad config: exit 78', () => {
    const missing = ctl(['replay', join(dir, 'nope.jsonl')]);
    expect([missing.status, missing.stdout, missing.stderr]).toEqual([1, '', `${join(dir, 'nope.jsonl')}: cannot read: no such file\n`]);
    expect(ctl(['replay', dir]).stderr).toBe(`${dir}: cannot read: is a directory\n`);
    expect(ctl(['replay', NIGHT, '--speed', '0']).status).toBe(2);
    expect(ctl(['replay', NIGHT, '--speed', '2', '--as-fast-as-possible']).status).toBe(2);
    const badCfg = join(dir, 'bad.yaml');
    writeFileSync(badCfg, 'hub: { id: h }\nuplink: { url: "mqtt://127.0.0.1:1883" }\ndetectors: { sleep_report: { min_in_bed_s: -1 } }\n');
    const r = ctl(['replay', NIGHT, '--config', badCfg]);
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('detectors.sleep_report.min_in_bed_s');
  });

  it('a gzipped stream, and --speed: 20 s of replayed time at speed 10 take about 2 s', () => {
    const gz = join(dir, 'left.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(LEFT)));
    expect(lines(ctl(['replay', gz, '--config', HOME]).stdout)).toHaveLength(2);
    const f = join(dir, 'short.jsonl');
    const t = local(30, 12, 0);
    writeFileSync(f, `${JSON.stringify({ ts: t, device: 'bed', metric: 'presence', value: true })}\n${JSON.stringify({ ts: t + 20_000 })}\n`);
    const start = Date.now();
    expect(ctl(['replay', f, '--speed', '10']).status).toBe(0);
    // Only a lower bound: slow machines may take longer, never less.
    expect(Date.now() - start).toBeGreaterThanOrEqual(1900);
  });
});
