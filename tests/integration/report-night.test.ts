/**
 * `anjuctl report night` through the real daemon (issue 18): the nights come from the daemon's store
 * over the control socket (`sleep-reports`), the text is in English or Chinese, --json carries the
 * night's report, its apneaRisk and a 30-night series for the chart (issue 16), --date picks an older
 * night, --device one bed of two; a night made before the upgrade (no apneaRisk) and a date with no
 * night are said plainly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { createOutbox } from '../../src/store/outbox.js';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { ctl } from '../helpers/scripted-cli.js';
import { SLEEP_DATA } from '../helpers/sleep-report.js';

const DAY = 86_400_000;
const RISKS = ['low', 'possible', 'likely', 'unknown'] as const;
/** 22:30 local time on 2026-10-01 + i days. */
const startOf = (i: number): number => new Date(2026, 9, 1 + i, 22, 30).getTime();
const dateOf = (i: number): string => {
  const d = new Date(2026, 9, 1 + i);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
function night(i: number, withRisk = true): Record<string, unknown> {
  const risk = RISKS[i % 4]!;
  return {
    ...SLEEP_DATA, startTs: startOf(i), endTs: startOf(i) + 8 * 3600_000, timeInBedS: 28_800, totalSleepS: 25_200, sleepEfficiencyPct: 88,
    apnea: { events: 3 * i, monitoredS: 28_000, perHour: Math.round((3 * i) / 7.8 * 10) / 10, band: 'normal', longestEventS: 14 },
    hrApneaScreening: { cls: 'B', apneaMinutes: 10 + i, minutesAnalysed: 400, minutesRejected: 80, startMinuteTs: startOf(i) - 60_000, minutes: 'N'.repeat(480) },
    ...(withRisk ? {
      apneaRisk: {
        risk, confidence: risk === 'unknown' ? null : 'moderate', used: risk === 'unknown' ? [] : ['apneaIndex'],
        channels: [{ channel: 'apneaIndex', value: 1.5, risk: risk === 'unknown' ? null : risk, notUsed: risk === 'unknown' ? 'too_short' : null }],
      },
    } : {}),
  };
}

describe('anjuctl report night (real daemon, its store)', () => {
  let dir: string;
  let sock: string;
  let broker: Mosquitto;
  let pty: PtyPair;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anju-report-night-'));
    const stateDir = join(dir, 'state');
    // 40 nights of the bed radar as the daemon would have committed them (the first made before the
    // upgrade, without apneaRisk), and one night of a second bed.
    const db = openDatabase(stateDir);
    const outbox = createOutbox(db, systemClock);
    for (let i = 0; i < 40; i++) outbox.append({ type: 'report.sleep', severity: 'info', device: 'bed-radar', state: 'info', data: night(i, i > 0) });
    outbox.append({ type: 'report.sleep', severity: 'info', device: 'bed-2', state: 'info', data: night(41) });
    db.close();
    broker = await startMosquitto();
    pty = await createPtyPair(dir);
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, testConfig({ hubId: 'hub-night', stateDir, brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: pty.devicePath }] }));
    sock = join(stateDir, 'anjud.sock');
    daemon = spawnDaemon(['--config', cfg]);
    await daemon.waitForLog('control socket listening', (l) => l.msg === 'control socket listening');
  });

  afterAll(async () => {
    if (daemon && daemon.proc.exitCode === null && daemon.proc.signalCode === null) daemon.proc.kill('SIGKILL');
    await pty?.unplug();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json: the latest night of a bed, its risk, and the 30 nights up to it for the chart', () => {
    const r = ctl(['report', 'night', '--json', '--socket', sock, '--device', 'bed-radar']);
    expect(r.status, r.stderr).toBe(0);
    const { night: v } = JSON.parse(r.stdout) as { night: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(v.date).toBe(dateOf(39));
    expect(v.device).toBe('bed-radar');
    expect(v.report.startTs).toBe(startOf(39));
    expect(v.report.hrApneaScreening.minutes).toHaveLength(480);
    expect(v.apneaRisk.risk).toBe(RISKS[39 % 4]);
    expect(v.trend.nights).toHaveLength(30);
    expect(v.trend.nights.map((p: { date: string }) => p.date)).toEqual(Array.from({ length: 30 }, (_, k) => dateOf(10 + k)));
    expect(v.trend.nights[0]).toEqual({
      date: dateOf(10), reportSeq: 11, startTs: startOf(10), risk: RISKS[10 % 4], apneaIndexPerHour: 3.8, odiPerHour: null, hrApneaFraction: 0.05, totalSleepS: 25_200,
    });
    expect(v.trend.summary.counts).toEqual({ low: 7, possible: 7, likely: 8, unknown: 8 });
    expect(v.trend.summary.atRiskShare).toBeCloseTo(15 / 22, 3);
  });

  it('text in English and Chinese: the figures, the risk with its channels, the trend line', () => {
    const en = ctl(['report', 'night', '--socket', sock, '--date', dateOf(38)]);
    expect(en.status, en.stderr).toBe(0);
    const lines = en.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Night of ${dateOf(38)} · bed-radar (report #39)`);
    expect(lines[1]).toBe('in bed 22:30 - 06:30: 8h00, asleep 7h00 (88 %)');
    expect(lines).toContain('SLEEP-APNEA RISK: LIKELY (confidence moderate; from radar apnea index)');
    // Nights 9 to 38 of this bed only (the other bed's night is not in its trend).
    expect(lines.at(-2)).toBe(`Last 30 night(s), oldest first (L low, P possible, K likely, ? unknown, - not in report): ${'PK?L'.repeat(7)}PK`);
    const zh = ctl(['report', 'night', '--socket', sock, '--date', dateOf(38)], { LANG: 'zh_CN.UTF-8' });
    expect(zh.status, zh.stderr).toBe(0);
    expect(zh.stdout).toContain(`${dateOf(38)} 晚 · bed-radar（报告 #39）`);
    expect(zh.stdout).toContain('睡眠呼吸暂停风险：很可能（可信度 中；依据 雷达呼吸暂停指数）');
  });

  it('a night from before the upgrade has no risk, and the trend marks it', () => {
    const r = ctl(['report', 'night', '--socket', sock, '--date', dateOf(0), '--device', 'bed-radar']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('SLEEP-APNEA RISK: not in this report (made before the upgrade)');
    expect(r.stdout).toMatch(/Last 1 night\(s\).*: -\n/);
  });

  it('--device picks one bed; a date without a night and a malformed date are said plainly', () => {
    const other = ctl(['report', 'night', '--json', '--socket', sock, '--device', 'bed-2']);
    expect(other.status, other.stderr).toBe(0);
    expect((JSON.parse(other.stdout) as { night: { device: string; trend: { nights: unknown[] } } }).night).toMatchObject({ device: 'bed-2', trend: { nights: [expect.anything()] } });
    const none = ctl(['report', 'night', '--socket', sock, '--date', '2025-01-01', '--device', 'bed-radar']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^no sleep report for the night of 2025-01-01 \(bed-radar\); nights stored: .*\n$/);
    const bad = ctl(['report', 'night', '--socket', sock, '--date', '1.12.2026']);
    expect([bad.status, bad.stderr]).toEqual([2, '--date: expected YYYY-MM-DD, found 1.12.2026\n']);
  });
});
