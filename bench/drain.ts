import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import type { EventDraft } from '../src/core/event.js';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { openDatabase, type Db } from '../src/store/database.js';
import { createOutbox, type Outbox } from '../src/store/outbox.js';
import { systemBootClock } from '../src/transports/clock/boot-clock.js';
import { topics, wireFormat } from '../src/uplink/contract.js';
import { createMqttUplink, type Uplink } from '../src/uplink/mqtt-uplink.js';
import { startMosquitto } from './mosquitto.js';
import type { BenchContext, BenchResult } from './result.js';
import { fmtRate, median, round } from './stats.js';

/**
 * Drain (issue 3), against a real Mosquitto (MQTT 5) started for the run:
 * - drain: a backlog of N (100,000) events pre-filled in a real outbox (openDatabase +
 *   createOutbox, puback mode) drained by the real uplink (createMqttUplink, `delivery: puback`,
 *   the config's default inflight_window), against bare mqtt.js QoS 1 publishes of the same
 *   payloads with the same in-flight window to the same broker. Ratio = uplink events/s ÷ bare
 *   publishes/s, median of the rounds (the two sides alternate which goes first). Goal >= 0.7.
 * - alarm-latency: alarms appended one by one to an idle outbox and handed to the uplink (as
 *   ingest does after the commit), timed from the append to their receipt at an mqtt.js
 *   subscriber (p50, p99), alternating with bare publishes of the same payload timed the same way.
 *   Ratio = uplink p50 ÷ bare p50. No goal is set: a report.
 */
const GOAL_RATIO = 0.7;
const HUB = 'bench';
const ALARMS = 200;

function uplinkConfig(url: string): Config['uplink'] {
  const r = parseConfig(`hub: { id: ${HUB} }\nuplink: { url: "${url}", protocol_version: 5, delivery: puback }\n`);
  if (!r.ok) throw new Error(`drain bench config invalid: ${JSON.stringify(r.problems)}`);
  return r.config.uplink;
}

/** What a backlog after an outage holds: mostly events of the event class, typical payloads. */
function backlogDraft(i: number): EventDraft {
  return i % 3 === 0
    ? { type: 'device.offline', severity: 'warning', device: 'bedroom-radar', state: i % 2 === 0 ? 'raised' : 'cleared', data: { silence_s: 120, class: 'radar' } }
    : { type: 'event.apnea', severity: 'info', device: 'bedroom-radar', state: 'info', data: { duration_s: 12 + (i % 20), start_ts: 1736200000000 + i * 1000 } };
}

const alarmDraft = (i: number): EventDraft => ({
  type: 'alarm.breathing_rate', severity: 'critical', device: 'bedroom-radar', state: i % 2 === 0 ? 'raised' : 'cleared',
  data: { condition: 'high', rate_per_min: 31, threshold_per_min: 30, sustained_s: 60 },
});

interface Store { dir: string; db: Db; outbox: Outbox }

function freshStore(ctx: BenchContext, n: number): Store {
  const dir = mkdtempSync(join(ctx.tmpDir, 'anju-bench-drain-'));
  const db = openDatabase(dir);
  // As the daemon makes it (monotonic clock and boot id with each event), clock synchronised.
  const outbox = createOutbox(db, systemClock, { doneWhen: 'puback', bootClock: systemBootClock() });
  db.transaction(() => { for (let i = 0; i < n; i++) outbox.append(backlogDraft(i)); })();
  return { dir, db, outbox };
}

const closeStore = (s: Store): void => { s.db.close(); rmSync(s.dir, { recursive: true, force: true }); };

const silentLog = pino({ level: 'silent' });

/**
 * The same JSON text as one flat string: the uplink writes messages piece by piece (a rope V8
 * flattens when mqtt.js first reads it, on the uplink's clock); the bare side gets them ready-made.
 */
const flat = (json: string): string => JSON.stringify(JSON.parse(json));

function uplinkFor(cfg: Config['uplink'], outbox: Outbox, clientId: string): Uplink {
  return createMqttUplink({
    hubId: HUB, config: { ...cfg, client_id: clientId }, outbox, clock: systemClock, log: silentLog, version: 'bench', configHash: 'bench',
    devices: () => ({ total: 0, open: 0, seen_last_5min: 0 }),
  });
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Collects the garbage of the untimed set-up (filling the outbox allocates ~1 KB per event) before
 * a side is timed: otherwise the uplink, timed right after the fill, pays the fill's collection.
 * Both sides start from a settled heap; what each allocates while timed is its own.
 */
function settleHeap(): void {
  collectGarbage();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number, pollMs = 2): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`drain bench: timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

function mqttConnect(url: string, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = connect(url, { protocolVersion: 5, clientId, clean: true, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

const endClient = (c: MqttClient) => new Promise<void>((r) => c.end(false, {}, () => r()));

/** The real uplink drains a pre-filled outbox of n events; returns ms from start to the last PUBACK. */
async function uplinkDrain(ctx: BenchContext, cfg: Config['uplink'], n: number, timeoutMs: number): Promise<{ ms: number; cpuMs: number; resent: number }> {
  const s = freshStore(ctx, n);
  try {
    const up = uplinkFor(cfg, s.outbox, `bench-uplink-${process.pid}`);
    settleHeap();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    up.start();
    await until(`the uplink to drain ${n} events`, () => up.status().pubacked >= n, timeoutMs);
    const ms = performance.now() - t0;
    const cpuMs = cpuMsSince(c0);
    const st = up.status();
    await up.stop();
    const left = s.outbox.depth();
    if (st.pubacked !== n || left.alarm + left.event !== 0) {
      throw new Error(`uplink drain incomplete: ${st.pubacked}/${n} PUBACKed, outbox still holds ${left.alarm + left.event}`);
    }
    return { ms, cpuMs, resent: st.resent };
  } finally {
    closeStore(s);
  }
}

/** This process's CPU time (user + system) since `c0`, in ms: the client's own cost, whatever else the machine runs. */
function cpuMsSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Bare mqtt.js: the same payloads, QoS 1, at most `window` unacknowledged; ms from connect() to the last PUBACK. */
async function bareDrain(url: string, topic: string, payloads: readonly string[], window: number, timeoutMs: number): Promise<{ ms: number; cpuMs: number }> {
  settleHeap();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const c = await mqttConnect(url, `bench-bare-${process.pid}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('drain bench: bare publishes timed out')), timeoutMs);
      let next = 0;
      let acked = 0;
      let inFlight = 0;
      const pump = (): void => {
        while (inFlight < window && next < payloads.length) {
          inFlight++;
          c.publish(topic, payloads[next++]!, { qos: 1 }, (err) => {
            if (err) { clearTimeout(timer); reject(err); return; }
            inFlight--;
            if (++acked === payloads.length) { clearTimeout(timer); resolve(); } else pump();
          });
        }
      };
      pump();
    });
    return { ms: performance.now() - t0, cpuMs: cpuMsSince(c0) };
  } finally {
    await endClient(c);
  }
}

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function drainRace(ctx: BenchContext, url: string, n: number): Promise<BenchResult> {
  const cfg = uplinkConfig(url);
  const t = topics(HUB);
  // The bare side's payloads: exactly what the uplink publishes for the same events.
  const probe = freshStore(ctx, n);
  const wire = wireFormat(HUB, probe.outbox.epoch());
  const payloads = probe.outbox.since(0, n).map((e) => flat(wire.event(e)));
  closeStore(probe);
  const bytes = payloads.reduce((s, p) => s + Buffer.byteLength(p), 0);
  const timeoutMs = Math.max(120_000, n * 5); // at least 200 events/s, or something is wrong
  const bareTopic = `bench/bare/${t.events}`;

  // Warm-up: JIT, broker, page cache, on a tenth of the backlog.
  const warm = Math.max(1000, Math.round(n / 10));
  await uplinkDrain(ctx, cfg, warm, timeoutMs);
  await bareDrain(url, bareTopic, payloads.slice(0, warm), cfg.inflight_window, timeoutMs);

  const ratios: number[] = [];
  const upRates: number[] = [];
  const bareRates: number[] = [];
  const cpuRatios: number[] = [];
  const upCpu: number[] = [];
  const bareCpu: number[] = [];
  let resent = 0;
  for (let r = 0; r < ctx.rounds; r++) {
    let up = 0;
    let bare = 0;
    const runUp = async () => { const x = await uplinkDrain(ctx, cfg, n, timeoutMs); up = x.ms; upCpu.push(x.cpuMs); resent += x.resent; };
    const runBare = async () => { const x = await bareDrain(url, bareTopic, payloads, cfg.inflight_window, timeoutMs); bare = x.ms; bareCpu.push(x.cpuMs); };
    if (r % 2 === 0) { await runBare(); await runUp(); } else { await runUp(); await runBare(); }
    const upRate = n / (up / 1000);
    const bareRate = n / (bare / 1000);
    upRates.push(upRate);
    bareRates.push(bareRate);
    ratios.push(upRate / bareRate);
    cpuRatios.push(bareCpu.at(-1)! / upCpu.at(-1)!);
    ctx.log(`  drain round ${r + 1}/${ctx.rounds}: uplink ${fmtRate(upRate)} (${round(up / 1000, 1)} s, CPU ${round(upCpu.at(-1)! / 1000, 2)} s), bare mqtt.js ${fmtRate(bareRate)} (${round(bare / 1000, 1)} s, CPU ${round(bareCpu.at(-1)! / 1000, 2)} s), ratio ${round(upRate / bareRate, 3)}`);
  }
  const ratio = median(ratios);
  return {
    bench: 'drain',
    ratio: round(ratio, 3),
    goal: `>= ${GOAL_RATIO}`,
    pass: ratio >= GOAL_RATIO,
    ...(n !== 100_000 ? { note: `backlog of ${n} events (issue 3 asks for 100,000: --drain-events 100000)` } : {}),
    details: {
      broker: 'mosquitto (MQTT 5, 127.0.0.1)',
      events: n,
      inflightWindow: cfg.inflight_window,
      avgPayloadBytes: Math.round(bytes / n),
      uplinkEventsPerS: Math.round(median(upRates)),
      bareEventsPerS: Math.round(median(bareRates)),
      uplinkDrainS: round(n / median(upRates), 1),
      resentByUplink: resent,
      ratioMin: round(Math.min(...ratios), 3),
      ratioMax: round(Math.max(...ratios), 3),
      uplinkCpuUsPerEvent: round((median(upCpu) * 1000) / n, 1),
      bareCpuUsPerEvent: round((median(bareCpu) * 1000) / n, 1),
      cpuRatio: round(median(cpuRatios), 3),
      rounds: ctx.rounds,
    },
  };
}

async function alarmLatency(ctx: BenchContext, url: string): Promise<BenchResult> {
  const cfg = uplinkConfig(url);
  const t = topics(HUB);
  const bareTopic = `bench/bare/${t.events}`;
  const s = freshStore(ctx, 0);
  const arrivals = new Map<string, number>(); // "<topic>#<seq>" -> performance.now() at receipt
  const sub = await mqttConnect(url, `bench-sub-${process.pid}`);
  const bare = await mqttConnect(url, `bench-bare-lat-${process.pid}`);
  const up = uplinkFor(cfg, s.outbox, `bench-uplink-lat-${process.pid}`);
  try {
    sub.on('message', (topic, payload) => {
      const at = performance.now();
      const seq = (JSON.parse(payload.toString()) as { seq: number }).seq;
      arrivals.set(`${topic}#${seq}`, at);
    });
    await sub.subscribeAsync([t.events, bareTopic], { qos: 1 });
    up.start();
    await until('the uplink to connect', () => up.status().connected, 10_000);
    await sleep(200); // let the birth message and subscriptions settle: idle from here on

    const fromAppend: number[] = [];
    const fromCommit: number[] = [];
    const commitMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < ALARMS; i++) {
      // The uplink's way: commit, then onEvent (what ingest does), receipt at the subscriber.
      const t0 = performance.now();
      const e = s.outbox.append(alarmDraft(i));
      const t1 = performance.now();
      up.onEvent(e);
      const key = `${t.events}#${e.seq}`;
      await until(`alarm ${e.seq} at the subscriber`, () => arrivals.has(key), 10_000, 0);
      fromAppend.push(arrivals.get(key)! - t0);
      fromCommit.push(arrivals.get(key)! - t1);
      commitMs.push(t1 - t0);
      // Bare: the same payload published with mqtt.js QoS 1, timed from publish() to receipt.
      const payload = flat(wireFormat(HUB, s.outbox.epoch()).event(s.outbox.since(e.seq - 1, 1)[0]!));
      const bkey = `${bareTopic}#${e.seq}`;
      const b0 = performance.now();
      bare.publish(bareTopic, payload, { qos: 1 });
      await until(`bare publish ${e.seq} at the subscriber`, () => arrivals.has(bkey), 10_000, 0);
      bareMs.push(arrivals.get(bkey)! - b0);
      await sleep(5 + (i % 7)); // idle between alarms
    }
    const p50 = median(fromAppend);
    const bareP50 = median(bareMs);
    const ratio = p50 / bareP50;
    ctx.log(`  alarm-latency: append->receipt p50 ${round(p50, 2)} ms, p99 ${round(pct(fromAppend, 99), 2)} ms; bare publish->receipt p50 ${round(bareP50, 2)} ms`);
    return {
      bench: 'alarm-latency',
      ratio: round(ratio, 2),
      goal: 'none set (report)',
      pass: true,
      details: {
        alarms: ALARMS,
        appendToReceiptP50Ms: round(p50, 2),
        appendToReceiptP99Ms: round(pct(fromAppend, 99), 2),
        appendToReceiptMaxMs: round(Math.max(...fromAppend), 2),
        commitToReceiptP50Ms: round(median(fromCommit), 2),
        commitToReceiptP99Ms: round(pct(fromCommit, 99), 2),
        appendCommitP50Ms: round(median(commitMs), 2),
        bareP50Ms: round(bareP50, 2),
        bareP99Ms: round(pct(bareMs, 99), 2),
        uplinkPubacked: up.status().pubacked,
      },
    };
  } finally {
    await up.stop();
    await endClient(bare);
    await endClient(sub);
    closeStore(s);
  }
}

export async function benchDrain(ctx: BenchContext, o: { events: number }): Promise<BenchResult[]> {
  const broker = await startMosquitto();
  ctx.log(`   mosquitto on ${broker.url}; backlog ${o.events} events (option --drain-events N)`);
  try {
    const drain = await drainRace(ctx, broker.url, o.events);
    const latency = await alarmLatency(ctx, broker.url);
    return [drain, latency];
  } finally {
    await broker.stop();
  }
}
