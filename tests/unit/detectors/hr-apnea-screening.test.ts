/**
 * Heart-rate apnea screening (CVHR): named synthetic scenarios through the streaming core, the
 * streaming contract (order, lag, snapshot/restore) and the `anjuctl screen-apnea` command. The
 * Apnea-ECG learning set (fit, figures): hr-apnea-screening-fit.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runScreenApnea } from '../../../src/cli/commands/screen-apnea.js';
import {
  createHrApneaState,
  finishNight,
  hrApneaDefaults,
  pushBeat,
  pushHeartRateReading,
  screenSeries,
  summarise,
  type Beat,
  type HrApneaState,
  type MinuteResult,
} from '../../../src/detectors/hr-apnea-screening/index.js';

/** Deterministic noise in [-1, 1): the same night every run. */
function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 31 - 1;
  };
}

/** Beats of a heart whose rate follows hrAt(t): each beat's RR is 60 / rate at that moment. */
function beatsFrom(hrAt: (tS: number) => number, durationS: number, startS = 0.8): Beat[] {
  const out: Beat[] = [];
  for (let t = startS; ; ) {
    const hr = hrAt(t);
    t += 60 / hr;
    if (t >= durationS) return out;
    out.push({ tS: Math.round(t * 1000) / 1000, hrBpm: Math.round(hr * 10) / 10 });
  }
}

/** Quiet sleep: 62 bpm with respiratory sinus arrhythmia (+-3 bpm at 15 breaths/min) and jitter. */
function normalSleep(seed = 1): (tS: number) => number {
  const n = noise(seed);
  return (t) => 62 + 3 * Math.sin((2 * Math.PI * t) / 4) + 0.8 * n();
}

/**
 * Cyclic variation of heart rate as in obstructive apnea (Guilleminault 1984): in each 60 s cycle
 * the rate sags 62 -> 52 bpm over the 45 s of obstruction, surges to 82 bpm within 7 s as breathing
 * resumes with an arousal, and settles back over 8 s.
 */
function cvhr(t: number): number {
  const p = t % 60;
  if (p < 45) return 62 - (10 * p) / 45;
  if (p < 52) return 52 + (30 * (p - 45)) / 7;
  return 82 - (20 * (p - 52)) / 8;
}

const count = (xs: readonly string[], c: string): number => xs.filter((x) => x === c).length;

describe('hr-apnea-screening: synthetic nights', () => {
  it('a perfectly flat heart rate: every minute N, class C, nothing rejected', () => {
    const r = screenSeries(beatsFrom(() => 60, 3 * 3600));
    expect(r.minutes).toHaveLength(180);
    expect(count(r.minutes, 'A')).toBe(0);
    expect(r.cls).toBe('C');
    expect(r.minutesRejected).toBe(0);
    expect(r.beatsRejected).toBe(0);
  });

  it('quiet sleep with respiratory sinus arrhythmia: every minute N, class C', () => {
    const r = screenSeries(beatsFrom(normalSleep(), 4 * 3600));
    expect(r.minutes).toHaveLength(240);
    expect(r.apneaMinutes).toBe(0);
    expect(r.cls).toBe('C');
  });

  it('two hours of 60 s cyclic dips between quiet sleep: the episode is A, the quiet parts N, class A', () => {
    const quiet = normalSleep(7);
    // 0-30 min quiet, 30-150 min CVHR, 150-180 min quiet.
    const r = screenSeries(beatsFrom((t) => (t >= 1800 && t < 9000 ? cvhr(t) + 0.5 * Math.sin(t) : quiet(t)), 3 * 3600));
    expect(r.minutes).toHaveLength(180);
    const episode = r.minutes.slice(30, 150);
    expect(count(episode, 'A')).toBeGreaterThanOrEqual(110);
    // The averaging over +-4 minutes may bleed a few minutes past the edges, no further.
    expect(count(r.minutes.slice(0, 25), 'A')).toBe(0);
    expect(count(r.minutes.slice(155), 'A')).toBe(0);
    expect(r.apneaMinutes).toBeGreaterThanOrEqual(110);
    expect(r.cls).toBe('A');
  });

  it('twenty minutes of dips in a quiet 4-hour night: the minutes are flagged; the night class is C (a documented limit)', () => {
    const quiet = normalSleep(3);
    const r = screenSeries(beatsFrom((t) => (t >= 3600 && t < 4800 ? cvhr(t) : quiet(t)), 4 * 3600));
    expect(r.apneaMinutes).toBeGreaterThanOrEqual(15);
    expect(r.apneaMinutes).toBeLessThanOrEqual(30);
    // The class is judged on the night's 90th percentile, counted over at least 480 minutes
    // (night-stage.ts): ~48 suspicious minutes are needed to leave C, so a single short burst in an
    // otherwise clean night is C although the expert rule (>= 5 minutes) says B. The learning set's
    // B nights with few apnea minutes (b04, b05) are called C the same way (README, "Results").
    // The nightly risk judges the flagged fraction (apnea-risk.ts) and still sees the burst.
    // The other side of the same rule: an hour of such clear dips (60 minutes, B by the expert rule)
    // already puts the 48th most suspicious minute inside the episode: A. Clear-cut bursts jump C -> A;
    // B comes from nights of moderate scores (README, "Failure modes").
    expect(r.cls).toBe('C');
    const hour = screenSeries(beatsFrom((t) => (t >= 3600 && t < 7200 ? cvhr(t) : quiet(t)), 4 * 3600));
    expect(hour.apneaMinutes).toBeGreaterThanOrEqual(55);
    expect(hour.cls).toBe('A');
  });

  it('artefact beats (missed beats, implausible values, an ectopic pair, out-of-order times) are rejected and change no flag', () => {
    const clean = beatsFrom(() => 60, 3600);
    const dirty: Beat[] = [];
    let injected = 0;
    clean.forEach((b, i) => {
      if (i % 100 === 50) {
        // Missed R peak: the next beat comes after two RR intervals, so it reads 30 bpm.
        dirty.push({ tS: b.tS, hrBpm: 30 });
        injected += 1;
      } else if (i % 137 === 7) {
        // Values no heart produces (a sensor glitch): 0, 250 and 6000 bpm.
        dirty.push({ tS: b.tS, hrBpm: [0, 250, 6000][i % 3]! });
        injected += 1;
      } else dirty.push(b);
    });
    // A premature beat and its compensatory pause at ~20 min.
    const at = dirty.findIndex((b) => b.tS > 1200);
    dirty.splice(at, 1, { tS: dirty[at]!.tS - 0.4, hrBpm: 100 }, { tS: dirty[at]!.tS + 0.5, hrBpm: 42.9 });
    injected += 2;
    // A duplicated row and one out of order.
    dirty.splice(at + 500, 0, dirty[at + 499]!, { tS: dirty[at + 499]!.tS - 3, hrBpm: 60 });
    injected += 2;

    const r = screenSeries(dirty);
    expect(r.beatsRejected).toBe(injected);
    expect(r.minutes).toEqual(screenSeries(clean).minutes);
    expect(r.cls).toBe('C');
    expect(r.minutesRejected).toBe(0);
  });

  it('a sensor gap of five minutes: those minutes are rejected (N) and counted, not guessed', () => {
    const beats = beatsFrom(normalSleep(5), 3600).filter((b) => b.tS < 1200 || b.tS >= 1500);
    const r = screenSeries(beats);
    expect(r.minutes).toHaveLength(60);
    expect(r.minutesRejected).toBeGreaterThanOrEqual(5);
    expect(r.minutesRejected).toBeLessThanOrEqual(7);
    expect(r.minutesAnalysed + r.minutesRejected).toBe(60);
    expect(r.cls).toBe('C');
  });

  it('no beats at all: an empty night, class C', () => {
    const r = screenSeries([]);
    expect(r.minutes).toEqual([]);
    expect(r.cls).toBe('C');
  });
});

describe('hr-apnea-screening: streaming contract', () => {
  const quiet = normalSleep(11);
  const night = beatsFrom((t) => (t >= 1800 && t < 5400 ? cvhr(t) : quiet(t)), 2.5 * 3600);

  it('emits each minute once, in order, about 8.5 minutes after it ends, and matches screenSeries', () => {
    const st = createHrApneaState();
    const emitted: Array<{ r: MinuteResult; atS: number }> = [];
    for (const b of night) for (const r of pushBeat(st, b.tS, b.hrBpm)) emitted.push({ r, atS: b.tS });
    const tail = finishNight(st);
    const all = [...emitted.map((e) => e.r), ...tail];
    expect(all.map((r) => r.minute)).toEqual(all.map((_, i) => i));
    for (const { r, atS } of emitted) {
      // Final once the features of minute k + 4 exist (see screener.ts): 60k + 569.5 s, plus 3 beats.
      expect(atS).toBeGreaterThanOrEqual(60 * r.minute + 569.5);
      expect(atS).toBeLessThanOrEqual(60 * r.minute + 569.5 + 6);
    }
    expect(tail.length).toBeLessThanOrEqual(10);
    expect(summarise(st).minutes).toEqual(screenSeries(night).minutes);
  });

  it('a JSON snapshot taken mid-night and restored gives the same night as an uninterrupted run', () => {
    const st = createHrApneaState();
    const half = Math.floor(night.length / 2);
    for (const b of night.slice(0, half)) pushBeat(st, b.tS, b.hrBpm);
    const restored = JSON.parse(JSON.stringify(st)) as HrApneaState;
    for (const b of night.slice(half)) pushBeat(restored, b.tS, b.hrBpm);
    finishNight(restored);
    expect(summarise(restored)).toEqual(summarise(createAndRun(night)));
  });

  it('daemon readings: heartRateBpm readings with ms timestamps from the night start', () => {
    const originS = Date.UTC(2026, 10, 29, 22, 0, 0) / 1000;
    const s = { ...hrApneaDefaults, originS };
    const st = createHrApneaState();
    pushHeartRateReading(st, { device: 'radar', ts: originS * 1000, metric: 'presence', value: true }, s);
    for (const b of night) pushHeartRateReading(st, { device: 'radar', ts: Math.round((originS + b.tS) * 1000), metric: 'heartRateBpm', value: b.hrBpm }, s);
    finishNight(st, s);
    expect(summarise(st, s).minutes).toEqual(screenSeries(night).minutes);
  });

  it('works on one reading per second (a radar), not only per beat', () => {
    const perSecond: Beat[] = [];
    for (let t = 1; t < 3 * 3600; t += 1) perSecond.push({ tS: t, hrBpm: t >= 1800 && t < 9000 ? cvhr(t) : 62 });
    const r = screenSeries(perSecond);
    expect(count(r.minutes.slice(30, 150), 'A')).toBeGreaterThanOrEqual(110);
    expect(count(r.minutes.slice(0, 25), 'A') + count(r.minutes.slice(155), 'A')).toBe(0);
  });
});

function createAndRun(beats: Beat[]): HrApneaState {
  const st = createHrApneaState();
  for (const b of beats) pushBeat(st, b.tS, b.hrBpm);
  finishNight(st);
  return st;
}

describe('anjuctl screen-apnea', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-screen-apnea-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const csv = (beats: Beat[], header = true): string => (header ? 't_s,hr_bpm\n' : '') + beats.map((b) => `${b.tS.toFixed(3)},${b.hrBpm.toFixed(1)}`).join('\n') + '\n';
  const quiet = normalSleep(2);
  const night = beatsFrom((t) => (t >= 1800 && t < 9000 ? cvhr(t) : quiet(t)), 3 * 3600);

  it('prints one letter per minute and the class; gzipped and plain, with or without header, agree', () => {
    writeFileSync(join(dir, 'n.hr.csv.gz'), gzipSync(csv(night)));
    writeFileSync(join(dir, 'n.csv'), csv(night, false));
    const gz = runScreenApnea(join(dir, 'n.hr.csv.gz'));
    const plain = runScreenApnea(join(dir, 'n.csv'));
    expect(gz.exitCode).toBe(0);
    expect(gz.stderr).toBe('');
    const lines = gz.stdout.split('\n');
    expect(lines).toHaveLength(3); // two lines, each ending in a newline
    expect(lines[0]).toMatch(/^[AN]{180}$/);
    expect(lines[1]).toBe('A');
    expect(plain).toEqual(gz);
  });

  it('--json: one JSON object on stdout (minutes, class, counts), also for a failure; Chinese on stderr with --lang zh', () => {
    const j = runScreenApnea(join(dir, 'n.csv'), { json: true, lang: 'zh' });
    expect(j.exitCode).toBe(0);
    expect(j.stderr).toBe('');
    const o = JSON.parse(j.stdout) as { ok: boolean; minutes: string; class: string; minutesAnalysed: number; beatsTotal: number };
    expect(o).toMatchObject({ ok: true, class: 'A' });
    expect(o.minutes).toBe(runScreenApnea(join(dir, 'n.csv')).stdout.split('\n')[0]);
    expect(o.beatsTotal).toBeGreaterThan(0);
    expect(JSON.parse(runScreenApnea(join(dir, 'nope.csv'), { json: true }).stdout)).toEqual({ ok: false, file: join(dir, 'nope.csv'), error: `${join(dir, 'nope.csv')}: cannot read: no such file` });
    expect(runScreenApnea(join(dir, 'n.csv'), { verbose: true, lang: 'zh' }).stderr).toMatch(/分钟（已分析 \d+，剔除 \d+）/);
  });

  it('a missing file: one clear line naming it, exit 1', () => {
    const r = runScreenApnea(join(dir, 'nope.csv'));
    expect(r).toEqual({ exitCode: 1, stdout: '', stderr: `${join(dir, 'nope.csv')}: cannot read: no such file\n` });
  });

  it('malformed rows in a good file are skipped and counted on stderr with their lines', () => {
    const text = csv(night).split('\n');
    text.splice(10, 0, '12.5;61');
    text.splice(20, 0, 'oops');
    writeFileSync(join(dir, 'some-bad.csv'), text.join('\n'));
    const r = runScreenApnea(join(dir, 'some-bad.csv'));
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`${join(dir, 'some-bad.csv')}: skipped 2 malformed row(s) (expected "t_s,hr_bpm"): lines 11, 21\n`);
    expect(r.stdout).toBe(runScreenApnea(join(dir, 'n.csv')).stdout);
  });

  it('a file that is not this format: error naming the file and the first bad line, exit 1', () => {
    writeFileSync(join(dir, 'other.csv'), 'time;value\n1;2\n3;4\n5,60\n');
    expect(runScreenApnea(join(dir, 'other.csv'))).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `${join(dir, 'other.csv')}:1: expected "t_s,hr_bpm" (two numbers); 3 of 4 rows are malformed\n`,
    });
    writeFileSync(join(dir, 'empty.csv'), '');
    expect(runScreenApnea(join(dir, 'empty.csv')).stderr).toBe(`${join(dir, 'empty.csv')}: no rows (expected "t_s,hr_bpm" lines)\n`);
    writeFileSync(join(dir, 'broken.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(runScreenApnea(join(dir, 'broken.gz')).stderr).toMatch(/broken\.gz: not a valid gzip file/);
  });
});
