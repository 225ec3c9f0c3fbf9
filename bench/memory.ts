import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '../src/uplink/contract.js';
import { BENCH_HUB, type ChildMessage, type ChildStatus } from './memory-ipc.js';
import { startBenchCloud, type BenchCloud } from './bench-cloud.js';
import type { BenchContext, BenchResult } from './result.js';
import { MB, median, round, slope } from './stats.js';
import { shippedEnvironment } from './shipped-node-options.js';

/**
 * Memory: resident set of the real daemon with N simulated radars against an empty Node process,
 * both children of this process, sampled side by side from /proc for the same wall-clock time.
 * The daemon publishes over TCP to a broker and a cloud consumer in this process (see bench-cloud.ts).
 * Goals: the daemon costs at most +40 MB over empty Node (peak after warm-up), and after warm-up
 * its RSS grows by less than 5 MB per 10 minutes (least-squares slope).
 */
const GOAL_DELTA_MB = 40;
const GOAL_GROWTH_MB_PER_10MIN = 5;
const SAMPLE_EVERY_MS = 2000;
/** A slope over less than this is dominated by GC sawtooth; we still print it, marked indicative. */
const CONCLUSIVE_WINDOW_S = 300;

export interface MemoryOptions {
  durationS: number;
  devices: number;
  /** Extra node/V8 flags for both children (e.g. `--max-semi-space-size=2`), to try a tuning on top of the unit's. */
  nodeFlags: readonly string[];
}

interface Sample { tS: number; daemonMb: number; daemonAnonMb: number; daemonFileMb: number; daemonShmemMb: number; baselineMb: number }
interface HeapSample { tS: number; heapMb: number; heapTotalMb: number; externalMb: number }

/**
 * Resident memory of a live process from /proc/<pid>/status, in MB (the kernel reports kB):
 * VmRSS, and its parts (anonymous: heaps and malloc; file: mapped code and files; shmem: e.g.
 * SQLite's -shm index), which say where a growth is.
 */
function rss(pid: number): { total: number; anon: number; file: number; shmem: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    if (!m) throw new Error(`no ${key} for pid ${pid}`);
    return (Number(m[1]) * 1024) / MB;
  };
  return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/**
 * Both children run with the environment of the shipped systemd unit (NODE_OPTIONS with the V8
 * flags anjud runs with in the field, MALLOC_ARENA_MAX) plus any --node-flags being tried; nothing
 * else of this process's own flags.
 */
function spawnChild(file: string, args: string[], unitEnv: Record<string, string>, nodeFlags: readonly string[]): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), args, {
    execArgv: [...nodeFlags],
    env: { ...process.env, ...unitEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function waitFor<T>(child: ChildProcess, what: string, pick: (m: ChildMessage) => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`${what}: no answer within ${timeoutMs} ms`)); }, timeoutMs);
    const onMessage = (m: ChildMessage): void => { const v = pick(m); if (v !== undefined) { cleanup(); resolve(v); } };
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`${what}: child exited (code ${code})`)); };
    const cleanup = (): void => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit); };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
  });
}

export async function benchMemory(ctx: BenchContext, o: MemoryOptions): Promise<BenchResult> {
  const stateDir = mkdtempSync(join(ctx.tmpDir, 'anju-bench-memory-'));
  const broker = await startBenchCloud();
  const unitEnv = shippedEnvironment();
  const unitEnvText = Object.entries(unitEnv).map(([k, v]) => `${k}="${v}"`).join(' ');
  ctx.log(`  both children: ${unitEnvText} (systemd/anjud.service)${o.nodeFlags.length > 0 ? `, plus ${o.nodeFlags.join(' ')}` : ''}`);
  const baseline = spawnChild('./memory-empty-child.js', [], unitEnv, o.nodeFlags);
  const daemon = spawnChild('./memory-daemon-child.js', [JSON.stringify({ devices: o.devices, stateDir, brokerPort: broker.port })], unitEnv, o.nodeFlags);
  let last: ChildStatus | undefined;
  let t0 = Date.now();
  const heap: HeapSample[] = [];
  daemon.on('message', (m: ChildMessage) => {
    if (m.type !== 'status') return;
    last = m;
    heap.push({ tS: (Date.now() - t0) / 1000, heapMb: m.heapUsedBytes / MB, heapTotalMb: m.heapTotalBytes / MB, externalMb: m.externalBytes / MB });
  });
  const dead = new Promise<never>((_, reject) => daemon.once('exit', (code) => reject(new Error(`daemon child exited early (code ${code})`))));
  dead.catch(() => undefined); // observed below via Promise.race

  try {
    const ready = (m: ChildMessage): true | undefined => (m.type === 'ready' ? true : undefined);
    await Promise.all([waitFor(baseline, 'empty node child', ready, 10_000), waitFor(daemon, 'daemon child', ready, 30_000)]);

    const samples: Sample[] = [];
    t0 = Date.now();
    heap.length = 0;
    let nextLog = 60;
    while (Date.now() - t0 < o.durationS * 1000) {
      await Promise.race([sleep(SAMPLE_EVERY_MS), dead]);
      const tS = (Date.now() - t0) / 1000;
      const d = rss(daemon.pid!);
      samples.push({ tS, daemonMb: d.total, daemonAnonMb: d.anon, daemonFileMb: d.file, daemonShmemMb: d.shmem, baselineMb: rss(baseline.pid!).total });
      if (tS >= nextLog) {
        const s = samples[samples.length - 1]!;
        ctx.log(`  memory ${Math.round(tS)}/${o.durationS} s: daemon ${round(s.daemonMb, 1)} MB, empty node ${round(s.baselineMb, 1)} MB, readings ${last?.readings ?? 0}, events published ${published(broker).events}`);
        nextLog += 60;
      }
    }

    const finalP = waitFor(daemon, 'daemon child stop', (m) => (m.type === 'final' ? m : undefined), 15_000);
    daemon.send({ type: 'stop' });
    baseline.send({ type: 'stop' });
    const final = await finalP;
    return summarise(o, unitEnvText, samples, heap, final, published(broker));
  } finally {
    // Give each child a moment to exit on its own (the daemon stops cleanly), then make sure.
    await Promise.all([daemon, baseline].map((c) => exited(c, 5000)));
    for (const c of [daemon, baseline]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

interface Published { events: number; status: number }

function published(broker: BenchCloud): Published {
  const t = topics(BENCH_HUB);
  return { events: broker.published.get(t.events) ?? 0, status: broker.published.get(t.status) ?? 0 };
}

function summarise(o: MemoryOptions, unitEnv: string, samples: readonly Sample[], heap: readonly HeapSample[], final: ChildStatus, pub: Published): BenchResult {
  // The proof that the daemon did the work we claim to measure.
  if (final.readings === 0) throw new Error('memory bench: the daemon ingested no readings');
  if (final.portsOpen !== o.devices) throw new Error(`memory bench: only ${final.portsOpen}/${o.devices} serial ports open`);
  if (pub.status === 0) throw new Error('memory bench: the uplink never published to the broker');
  // Episodes are staggered over 2 minutes and raise after 20 s, so a 1-minute run sees some.
  if (o.durationS >= 60 && pub.events === 0) throw new Error('memory bench: no event reached the broker');
  if (o.durationS >= 60 && final.cloudAckedSeq === 0) throw new Error('memory bench: the cloud never acknowledged an event, so the outbox never drained');

  // Warm-up: JIT, SQLite page cache, V8 heap sizing. max(30 s, 20%), but never more than half the run.
  const warmupS = Math.min(Math.max(30, 0.2 * o.durationS), 0.5 * o.durationS);
  const post = samples.filter((s) => s.tS >= warmupS);
  if (post.length < 3) throw new Error(`memory bench: only ${post.length} samples after warm-up; run longer`);
  const daemonMb = median(post.map((s) => s.daemonMb));
  const daemonPeakMb = Math.max(...post.map((s) => s.daemonMb));
  const baselineMb = median(post.map((s) => s.baselineMb));
  const deltaPeakMb = daemonPeakMb - baselineMb;
  // Least-squares slope in MB per 10 minutes (samples are in seconds).
  const growthOf = <T extends { tS: number }>(xs: readonly T[], y: (x: T) => number): number => slope(xs.map((x) => ({ x: x.tS, y: y(x) }))) * 600;
  const growth = growthOf(post, (s) => s.daemonMb);
  const daemonValues = post.map((s) => s.daemonMb);
  // Diagnostics for a growing RSS: is it the JS heap (live objects or lazy GC), or outside it?
  const heapPost = heap.filter((h) => h.tS >= warmupS);
  const diag = <T extends { tS: number }>(xs: readonly T[], y: (x: T) => number): number => round(growthOf(xs, y), 2);
  const windowS = post[post.length - 1]!.tS - post[0]!.tS;

  const deltaPass = deltaPeakMb <= GOAL_DELTA_MB;
  const conclusive = windowS >= CONCLUSIVE_WINDOW_S;
  // A short window is mostly V8 heap still settling; judging it would cry wolf. Printed, not judged.
  const growthPass = conclusive ? growth < GOAL_GROWTH_MB_PER_10MIN : null;
  return {
    bench: 'memory',
    // daemon RSS ÷ empty-Node RSS, both medians after warm-up
    ratio: round(daemonMb / baselineMb, 2),
    goal: `peak delta <= ${GOAL_DELTA_MB} MB and growth < ${GOAL_GROWTH_MB_PER_10MIN} MB/10 min`,
    pass: deltaPass && growthPass !== false,
    ...(conclusive ? {} : { note: `growth not judged: only ${Math.round(windowS)} s after warm-up (needs ${CONCLUSIVE_WINDOW_S} s; use --memory-duration-s 600)` }),
    details: {
      devices: o.devices,
      durationS: o.durationS,
      unitEnv,
      nodeFlags: o.nodeFlags.join(' '),
      warmupS: round(warmupS, 0),
      samplesAfterWarmup: post.length,
      baselineRssMb: round(baselineMb, 1),
      daemonRssMb: round(daemonMb, 1),
      daemonPeakRssMb: round(daemonPeakMb, 1),
      deltaMb: round(daemonMb - baselineMb, 1),
      deltaPeakMb: round(deltaPeakMb, 1),
      deltaPass,
      growthMbPer10min: round(growth, 2),
      baselineGrowthMbPer10min: diag(post, (s) => s.baselineMb),
      daemonMaxMinusMinMb: round(Math.max(...daemonValues) - Math.min(...daemonValues), 1),
      growthPass,
      growthWindowS: Math.round(windowS),
      readings: final.readings,
      readingsPerS: round(final.readings / o.durationS, 0),
      eventsCommitted: final.eventsCommitted,
      eventsPublished: pub.events,
      eventsPubacked: final.eventsPubacked,
      cloudAckedSeq: final.cloudAckedSeq,
      outboxDepthAtEnd: final.outboxDepth,
      // Where growth is, in MB per 10 min after warm-up (diagnostics, not judged):
      growthAnonMbPer10min: diag(post, (s) => s.daemonAnonMb),
      growthFileMbPer10min: diag(post, (s) => s.daemonFileMb),
      growthShmemMbPer10min: diag(post, (s) => s.daemonShmemMb),
      growthHeapUsedMbPer10min: diag(heapPost, (h) => h.heapMb),
      growthHeapTotalMbPer10min: diag(heapPost, (h) => h.heapTotalMb),
      growthExternalMbPer10min: diag(heapPost, (h) => h.externalMb),
      daemonHeapUsedMbAtEnd: round(final.heapUsedBytes / MB, 1),
      daemonHeapTotalMbAtEnd: round(final.heapTotalBytes / MB, 1),
    },
  };
}
