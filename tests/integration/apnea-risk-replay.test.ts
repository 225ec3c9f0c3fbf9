/**
 * The nightly sleep-apnea risk on replayed nights through `anjuctl replay` (the daemon's detector
 * bindings and companion routing, issue 18): a home with a bed radar and a pulse oximeter in the same
 * room; each channel alone (the radar's apnea index, the oximeter's ODI, the heart-rate screening), all
 * together, and a night in bed with no valid channel ("unknown", never "low"). A second bed radar in the
 * room unpairs the oximeter (whose finger it was on cannot be told).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANJUCTL } from '../helpers/scripted-cli.js';

const T0 = Date.UTC(2026, 10, 29, 14, 0, 0); // 22:00 in Shanghai
const H = 3600;

interface Channels { breath?: { pausesPerHour: number }; heart?: boolean; oximeter?: { desatsPerHour: number } }

/** Obstructive-apnea-like heart rate: 60 s cycles, a 45 s sag and a steep 7 s surge. */
const cvhr = (t: number): number => { const p = t % 60; return p < 45 ? 62 - (10 * p) / 45 : p < 52 ? 52 + (30 * (p - 45)) / 7 : 82 - (20 * (p - 52)) / 8; };

function nightLines(c: Channels): string {
  const out: string[] = [];
  const line = (t: number, device: string, metric: string, value: number | boolean | string) => out.push(JSON.stringify({ ts: T0 + t * 1000, device, metric, value }));
  line(0, 'bed-radar', 'presence', true);
  line(0, 'bed-radar', 'bedState', 'in');
  const end = 7 * H;
  for (let t = 1; t < end; t += 1) {
    if (c.heart) line(t, 'bed-radar', 'heartRateBpm', Math.round(cvhr(t) * 10) / 10);
    if (c.breath && t % 5 === 0) {
      const every = c.breath.pausesPerHour > 0 ? Math.round(H / c.breath.pausesPerHour) : 0;
      const inPause = every > 0 && t % every < 15;
      line(t, 'bed-radar', 'breathStatus', inPause ? 'none' : 'normal');
    }
    if (c.oximeter) {
      const every = Math.round(H / c.oximeter.desatsPerHour);
      line(t, 'oxi', 'spo2Percent', t % every >= every - 20 ? 92 : 96);
    }
    if (!c.heart && !c.breath && !c.oximeter && t % 60 === 0) line(t, 'bed-radar', 'moduleHeartbeat', true);
  }
  line(end, 'bed-radar', 'bedState', 'out');
  line(end, 'bed-radar', 'presence', false);
  for (let t = end + 60; t <= end + H + 120; t += 60) line(t, 'bed-radar', 'moduleHeartbeat', true);
  return `${out.join('\n')}\n`;
}

const HOME = (secondBed: boolean) => `hub: { id: risk-home, timezone: Asia/Shanghai }
uplink: { url: "mqtt://127.0.0.1:1883" }
devices:
  - { id: bed-radar, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/null } }
${secondBed ? '  - { id: bed-radar-2, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/null } }\n' : ''}  - { id: oxi, model: ble-pulse-oximeter, room: bedroom, ble: { address: "C8:4A:11:22:33:55" } }
`;

describe('the nightly apnea risk on replays (anjuctl replay, the daemon\'s bindings)', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(ANJUCTL)) throw new Error(`${ANJUCTL} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'anju-risk-replay-'));
    writeFileSync(join(dir, 'home.yaml'), HOME(false));
    writeFileSync(join(dir, 'home-two-beds.yaml'), HOME(true));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function report(name: string, c: Channels, home = 'home.yaml'): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, nightLines(c));
    const r = spawnSync(process.execPath, [ANJUCTL, 'replay', file, '--config', join(dir, home), '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> }).filter((e) => e.type === 'report.sleep');
    expect(reports).toHaveLength(1);
    return reports[0]!.data;
  }

  it('the radar\'s apnea index alone: 20 pauses an hour is likely, from that channel only', () => {
    const d = report('radar', { breath: { pausesPerHour: 20 } });
    expect(d.odi).toBeNull();
    expect(d.apneaRisk).toMatchObject({ risk: 'likely', confidence: 'moderate', used: ['apneaIndex'] });
  });

  it('the oximeter\'s ODI alone (a bed radar giving only the bed state): 20 desaturations an hour is likely', () => {
    const d = report('oximeter', { oximeter: { desatsPerHour: 20 } });
    // 140 dips; the last one never ends (she got up with the probe on a low value): 139 desaturations.
    expect(d.odi).toMatchObject({ events: 139, band: 'moderate' });
    expect((d.odi as { perHour: number }).perHour).toBeCloseTo(20, 0);
    expect(d.apneaRisk).toMatchObject({ risk: 'likely', confidence: 'moderate', used: ['odi'] });
  });

  it('the heart-rate screening alone: cyclic heart rate all night is likely', () => {
    const d = report('heart', { heart: true });
    expect(d.apneaRisk).toMatchObject({ risk: 'likely', used: ['hrScreening'] });
  });

  it('all three together: every channel used, the highest class, agreement decides the confidence', () => {
    const agree = report('all-low', { breath: { pausesPerHour: 0 }, oximeter: { desatsPerHour: 2 } });
    expect(agree.apneaRisk).toMatchObject({ risk: 'low', confidence: 'high', used: ['apneaIndex', 'odi'] });
    const all = report('all', { breath: { pausesPerHour: 0 }, heart: true, oximeter: { desatsPerHour: 20 } });
    expect(all.apneaRisk).toMatchObject({ risk: 'likely', confidence: 'moderate', used: ['apneaIndex', 'odi', 'hrScreening'] });
    expect((all.apneaRisk as { channels: Array<{ channel: string; risk: string }> }).channels.map((c) => [c.channel, c.risk])).toEqual([['apneaIndex', 'low'], ['odi', 'likely'], ['hrScreening', 'likely']]);
  });

  it('in bed all night with no valid channel: unknown, never low', () => {
    const d = report('none', {});
    expect(d.apneaRisk).toEqual({ risk: 'unknown', confidence: null, used: [], channels: [{ channel: 'hrScreening', value: null, risk: null, notUsed: 'too_short' }] });
  });

  it('two bed radars in the room: the oximeter is paired with neither', () => {
    const d = report('two-beds', { oximeter: { desatsPerHour: 20 } }, 'home-two-beds.yaml');
    expect(d.odi).toBeNull();
    expect((d.apneaRisk as { risk: string }).risk).toBe('unknown');
  });
});
