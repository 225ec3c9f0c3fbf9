import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { radarSecond } from '../../bench/radar-mix.js';
import { MB, median, prng, round, slope } from '../../bench/stats.js';
import { createCloudConsumer } from '../../examples/cloud-consumer/consumer.js';
import { ROOT, testConfig } from '../../tests/helpers/daemon-process.js';
import { startHub } from '../../tests/helpers/hub.js';
import { onInterrupt } from '../scenario.js';

/**
 * The soak: the real daemon with a typical home's sensors (two MR60BHA1 sleep radars, bench/radar-mix.ts
 * cadence) sped up `speed` times, a breathing alarm raised and cleared every 30 s of real time, a
 * real Mosquitto and the reference cloud consumer acking (delivery cloud_ack). It samples the
 * daemon from outside: RSS (/proc/PID/status), file descriptors (/proc/PID/fd), bytes written to
 * storage (/proc/PID/io), the database's size, and from a preloaded probe (probe.ts) its V8 heap and
 * active libuv resources ("open handles"). Then it fits a trend and fails on growth.
 */
export const TYPICAL_HOME_RADARS = ['bedroom', 'living'];
/** From bench/memory.ts's goal: less than 5 MB per 10 minutes of growth after warm-up. */
export const RSS_TOLERANCE_MB_PER_H = 30;
export const HEAP_TOLERANCE_MB_PER_H = 30;
/** A memory slope over a shorter window is GC sawtooth more than trend: printed, marked indicative, not judged. */
export const CONCLUSIVE_WINDOW_S = 300;
/** Descriptors and libuv resources: a leak grows without bound; a few in flight come and go. */
export const FD_TOLERANCE = 2;
export const RESOURCE_TOLERANCE = 3;

export interface SoakSample {
  tS: number; rssMb: number;
  /** RSS by kind (/proc status): anonymous (heaps, malloc), file-backed (code, mapped files), shared memory (SQLite's -shm). */
  rssAnonMb?: number; rssFileMb?: number; rssShmemMb?: number;
  fds: number; heapMb: number | null; resources: number | null;
  /** Bytes the daemon caused to be written to storage since start (write_bytes - cancelled - its log on stdout). */
  storageBytes: number; dbBytes: number;
}

export interface SoakResult {
  durationS: number; speed: number; radars: number; samples: SoakSample[];
  warmupS: number;
  trend: { rssMbPerH: number; rssAnonMbPerH: number; rssFileMbPerH: number; rssShmemMbPerH: number; heapMbPerH: number; fdsPerH: number; resourcesPerH: number; dbMbPerH: number };
  growth: { fds: number; resources: number };
  conclusive: boolean;
  sd: { bytesPerHourAtSpeed: number; projectedFieldBytesPerDay: number };
  failures: string[];
  ok: boolean;
}

/**
 * The probe's source, run by Node 24 as it is (type stripping: it has no types to strip), so the
 * same file serves `npm run soak` (compiled) and the test (vitest, from source).
 */
const PROBE = join(ROOT, 'faults/soak/probe.ts');

function procNumber(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`no ${key} in /proc`);
  return Number(m[1]);
}
const fileSize = (f: string): number => { try { return statSync(f).size; } catch { return 0; } };

export async function runSoak(o: { durationS: number; speed?: number; sampleS?: number; log: (line: string) => void }): Promise<SoakResult> {
  const speed = o.speed ?? 20;
  const sampleS = o.sampleS ?? Math.min(30, Math.max(1, Math.round(o.durationS / 120)));
  const probeMs = Math.max(500, Math.round(sampleS * 500));
  const hub = await startHub({
    name: 'soak', radars: TYPICAL_HOME_RADARS, start: false,
    env: { NODE_OPTIONS: `--import=${PROBE}`, ANJU_SOAK_PROBE_MS: String(probeMs) },
    // Info, as in the field: debug lines on every reading would soak the logger, not the daemon.
    yaml: (h) => testConfig({ hubId: h.hubId, stateDir: h.stateDir, brokerUrl: h.brokerUrl, delivery: 'cloud_ack',
      devices: TYPICAL_HOME_RADARS.map((id) => ({ id, path: h.ptys[id]!.devicePath })) }).replace('level: debug', 'level: info'),
  });
  const cloud = createCloudConsumer({ url: hub.broker.url, dbPath: ':memory:', group: 'anju-soak' });
  const timers: NodeJS.Timeout[] = [];
  const teardown = async (): Promise<void> => {
    for (const t of timers) clearInterval(t);
    await cloud.stop().catch(() => undefined);
    await hub.stop();
  };
  onInterrupt.add(teardown);
  try {
    await cloud.start();
    const d = await hub.start();
    const pid = d.proc.pid!;
    const rnd = prng(2026_12_07);
    let radarS = 0;
    const feedStart = performance.now();
    // Every 1000/speed ms each radar sends one second of its night. Seconds 2 to 7 of every real
    // half-minute the bedroom's breathing is out of band (4/min): long enough to raise
    // alarm.breathing_rate (sustain 3 s), then it clears. From the start, so a short soak has one.
    timers.push(setInterval(() => {
      const low = Math.floor((performance.now() - feedStart) / 1000) % 30 >= 2 && Math.floor((performance.now() - feedStart) / 1000) % 30 < 7;
      for (const id of TYPICAL_HOME_RADARS) {
        try { hub.ptys[id]!.write(Buffer.concat(radarSecond(radarS, rnd, low && id === 'bedroom' ? { breathRatePerMin: 4 } : {}))); } catch { /* never unplugged here */ }
      }
      radarS++;
    }, 1000 / speed));

    const samples: SoakSample[] = [];
    const t0 = performance.now();
    const io0 = readFileSync(`/proc/${pid}/io`, 'utf8');
    const written0 = procNumber(io0, 'write_bytes') - procNumber(io0, 'cancelled_write_bytes');
    const log0 = procNumber(readFileSync(`/proc/${pid}/fdinfo/1`, 'utf8'), 'pos');
    const lastProbe = (): { heapUsed: number; resources: number } | null => {
      const lines = d.stderr().split('\n').filter((l) => l.startsWith('ANJU_SOAK_PROBE '));
      const last = lines.at(-1);
      return last ? JSON.parse(last.slice('ANJU_SOAK_PROBE '.length)) as { heapUsed: number; resources: number } : null;
    };
    const sample = (): void => {
      if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`anjud exited during the soak (${d.proc.exitCode ?? d.proc.signalCode}): ${d.stderr().slice(-500)}`);
      const io = readFileSync(`/proc/${pid}/io`, 'utf8');
      const logPos = procNumber(readFileSync(`/proc/${pid}/fdinfo/1`, 'utf8'), 'pos');
      const p = lastProbe();
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      samples.push({
        tS: (performance.now() - t0) / 1000,
        rssMb: procNumber(status, 'VmRSS') / 1024,
        rssAnonMb: procNumber(status, 'RssAnon') / 1024, rssFileMb: procNumber(status, 'RssFile') / 1024, rssShmemMb: procNumber(status, 'RssShmem') / 1024,
        fds: readdirSync(`/proc/${pid}/fd`).length,
        heapMb: p ? p.heapUsed / MB : null,
        resources: p ? p.resources : null,
        storageBytes: procNumber(io, 'write_bytes') - procNumber(io, 'cancelled_write_bytes') - written0 - (logPos - log0),
        dbBytes: fileSize(join(hub.stateDir, 'anju.db')) + fileSize(join(hub.stateDir, 'anju.db-wal')),
      });
    };
    let nextLog = 0;
    while ((performance.now() - t0) / 1000 < o.durationS) {
      await new Promise((r) => setTimeout(r, sampleS * 1000));
      sample();
      const s = samples.at(-1)!;
      if (s.tS >= nextLog) {
        o.log(`  ${round(s.tS, 0)} s: rss ${round(s.rssMb, 1)} MB, heap ${s.heapMb === null ? '?' : round(s.heapMb, 1)} MB, fds ${s.fds}, resources ${s.resources ?? '?'}, db ${round(s.dbBytes / MB, 2)} MB, written ${round(s.storageBytes / MB, 2)} MB`);
        nextLog = s.tS + Math.max(10, o.durationS / 20);
      }
    }
    for (const t of timers) clearInterval(t);
    const alarms = cloud.events(hub.hubId).filter((e) => e.type === 'alarm.breathing_rate' && e.state === 'raised').length;
    const result = judgeSoak(samples, { durationS: o.durationS, speed, radars: TYPICAL_HOME_RADARS.length });
    if (alarms === 0) result.failures.push('no alarm.breathing_rate reached the cloud: the soak did not exercise the pipeline');
    result.ok = result.failures.length === 0;
    return result;
  } finally {
    onInterrupt.delete(teardown);
    await teardown();
  }
}

/** The trend and the verdict of a soak's samples (pure: tests/unit can feed it a leak). */
export function judgeSoak(samples: readonly SoakSample[], run: { durationS: number; speed: number; radars: number }): SoakResult {
  const failures: string[] = [];
  if (samples.length < 4) failures.push(`only ${samples.length} samples: too few to see a trend`);
  // Warm-up: caches, JIT, the first WAL checkpoints; the trend is fitted on the rest.
  const warmupS = Math.max(5, run.durationS * 0.2);
  const steady = samples.filter((s) => s.tS >= warmupS);
  const perH = (pick: (s: SoakSample) => number | null): number => {
    const pts = steady.filter((s) => pick(s) !== null).map((s) => ({ x: s.tS / 3600, y: pick(s)! }));
    return round(slope(pts), 3);
  };
  const third = Math.max(1, Math.floor(steady.length / 3));
  const growthOf = (pick: (s: SoakSample) => number | null): number => {
    const early = steady.slice(0, third).map(pick).filter((v): v is number => v !== null);
    const late = steady.slice(-third).map(pick).filter((v): v is number => v !== null);
    return early.length && late.length ? median(late) - median(early) : Number.NaN;
  };
  const windowS = (steady.at(-1)?.tS ?? 0) - (steady[0]?.tS ?? 0);
  const conclusive = windowS >= CONCLUSIVE_WINDOW_S;
  const trend = { rssMbPerH: perH((s) => s.rssMb), rssAnonMbPerH: perH((s) => s.rssAnonMb ?? null), rssFileMbPerH: perH((s) => s.rssFileMb ?? null), rssShmemMbPerH: perH((s) => s.rssShmemMb ?? null), heapMbPerH: perH((s) => s.heapMb), fdsPerH: perH((s) => s.fds), resourcesPerH: perH((s) => s.resources), dbMbPerH: perH((s) => s.dbBytes / MB) };
  const growth = { fds: growthOf((s) => s.fds), resources: growthOf((s) => s.resources) };
  if (steady.some((s) => s.heapMb === null)) failures.push('the probe (heap, resources) did not report: the soak cannot see handles');
  if (!(growth.fds <= FD_TOLERANCE)) failures.push(`file descriptors grew by ${growth.fds} (tolerance ${FD_TOLERANCE})`);
  if (!(growth.resources <= RESOURCE_TOLERANCE)) failures.push(`active handles and requests grew by ${growth.resources} (tolerance ${RESOURCE_TOLERANCE})`);
  if (conclusive && !(trend.rssMbPerH <= RSS_TOLERANCE_MB_PER_H)) failures.push(`RSS grows ${trend.rssMbPerH} MB/h (tolerance ${RSS_TOLERANCE_MB_PER_H})`);
  if (conclusive && !(trend.heapMbPerH <= HEAP_TOLERANCE_MB_PER_H)) failures.push(`heap grows ${trend.heapMbPerH} MB/h (tolerance ${HEAP_TOLERANCE_MB_PER_H})`);
  const first = steady[0];
  const last = steady.at(-1);
  const bytesPerHourAtSpeed = first && last && last.tS > first.tS ? ((last.storageBytes - first.storageBytes) / (last.tS - first.tS)) * 3600 : Number.NaN;
  return {
    durationS: run.durationS, speed: run.speed, radars: run.radars, samples: [...samples], warmupS, trend, growth, conclusive,
    // Linear in the rates: readings and events are what the daemon writes; fixed-rate writes (state
    // saves, heartbeats) are scaled down too, so this is a floor for them and exact for the rest.
    sd: { bytesPerHourAtSpeed: Math.round(bytesPerHourAtSpeed), projectedFieldBytesPerDay: Math.round((bytesPerHourAtSpeed * 24) / run.speed) },
    failures, ok: failures.length === 0,
  };
}
