/**
 * A hub process of `npm run fleet`: hosts its share of the simulated hubs (bench/fleet/sim-hub.ts),
 * raises their alarms, events and readings at the fleet's rates, and reports samples (connections,
 * connects, RSS, CPU), progress and, at the end, each hub's sequence and alarms from its own
 * database. Driven over IPC by bench/fleet/run.ts (messages: bench/fleet/protocol.ts).
 */
import { parseConfig } from '../../src/config/load.js';
import { prng } from '../stats.js';
import type { FromWorker, HubReport, StartMessage, ToWorker } from './protocol.js';
import { createSimHub, type SimHub } from './sim-hub.js';

const send = (m: FromWorker): void => { if (process.connected) process.send?.(m); };
send({ op: 'booted', rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed });

interface Schedule { hub: SimHub; nextAlarm: number; nextEvent: number; nextReading: number }

let hubs: SimHub[] = [];
let schedules: Schedule[] = [];
let raising = true;
let connected = 0;
let connects: number[] = [];
let disconnects = 0;
let alarmsRaised = 0;
let eventsRaised = 0;
const warnings = new Map<string, number>();
const timers: NodeJS.Timeout[] = [];

function start(m: StartMessage): void {
  const parsed = parseConfig(`hub: { id: fleet }\nuplink: ${m.uplinkYaml}\n`);
  if (!parsed.ok) throw new Error(`fleet: the hubs' uplink config is invalid: ${JSON.stringify(parsed.problems)}`);
  const base = parsed.config.uplink;
  const rnd = prng(m.seed);
  const exp = (meanS: number) => -Math.log(1 - rnd()) * meanS * 1000;
  const events = {
    onConnect: (_hub: string, ts: number) => { connected++; connects.push(ts); },
    onDisconnect: () => { connected--; disconnects++; },
  };
  const warn = (hub: string, msg: string) => {
    const n = (warnings.get(msg) ?? 0) + 1;
    warnings.set(msg, n);
    if (n <= 3 || n % 1000 === 0) send({ op: 'warn', hub, msg, count: n });
  };
  hubs = m.hubs.map((id) => createSimHub({ id, stateRoot: m.stateRoot, uplink: { ...base, username: id, password: `${m.passwordPrefix}${id}` }, events, warn }));
  const now = Date.now();
  // Every hub starts somewhere in its cycles, so the fleet's load is even from the first second.
  schedules = hubs.map((hub) => ({
    hub,
    nextAlarm: now + rnd() * m.rates.alarmEveryS * 1000,
    nextEvent: now + rnd() * m.rates.eventEveryS * 1000,
    nextReading: now + rnd() * m.rates.readingEveryS * 1000,
  }));
  const stepMs = (m.rampS * 1000) / Math.max(1, hubs.length);
  hubs.forEach((h, i) => timers.push(setTimeout(() => h.start(), i * stepMs)));
  timers.push(setTimeout(() => send({ op: 'ready', hubs: hubs.length, rssBytes: process.memoryUsage.rss() }), m.rampS * 1000));

  timers.push(setInterval(() => {
    if (!raising) return;
    const t = Date.now();
    for (const s of schedules) {
      if (t >= s.nextAlarm) { s.hub.raise('alarm', t); alarmsRaised++; s.nextAlarm = t + exp(m.rates.alarmEveryS); }
      if (t >= s.nextEvent) { s.hub.raise('event', t); eventsRaised++; s.nextEvent = t + exp(m.rates.eventEveryS); }
      if (t >= s.nextReading) { s.hub.reading(t); s.nextReading = t + m.rates.readingEveryS * 1000; }
    }
  }, 200));

  timers.push(setInterval(() => {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    send({
      op: 'sample', ts: Date.now(), connected, connects, disconnects, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
      cpuUserUs: cpu.user, cpuSystemUs: cpu.system, alarmsRaised, eventsRaised,
    });
    connects = [];
  }, 1000));
}

function progress(outageFrom: number, outageTo: number): void {
  let unacked = 0;
  let unackedOutageAlarms = 0;
  for (const h of hubs) {
    unacked += h.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL').get()!.n;
    unackedOutageAlarms += h.db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL AND prio = 0 AND ts >= ? AND ts <= ?').get(outageFrom, outageTo)!.n;
  }
  send({ op: 'progress', unacked, unackedOutageAlarms });
}

function report(): void {
  const out: HubReport[] = hubs.map((h) => ({
    hub: h.id,
    epoch: h.outbox.epoch(),
    lastSeq: h.outbox.lastSeq(),
    unacked: h.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events WHERE acked_ts IS NULL').get()!.n,
    alarms: h.db.prepare<[], [number, string, number, number | null]>('SELECT seq, id, ts, acked_ts FROM events WHERE prio = 0 ORDER BY seq').raw().all(),
    ...h.sent(),
  }));
  send({ op: 'report', hubs: out });
}

async function stop(): Promise<void> {
  for (const t of timers) clearTimeout(t);
  await Promise.all(hubs.map((h) => h.stop().catch(() => undefined)));
  send({ op: 'stopped' });
  if (process.connected) process.disconnect?.();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'start': start(m); break;
    case 'raise': raising = m.on; break;
    case 'progress': progress(m.outageFrom, m.outageTo); break;
    case 'report': report(); break;
    case 'stop': void stop(); break;
  }
});
// The run ended without saying so (the runner died): do not linger as an orphan holding sockets.
process.on('disconnect', () => { if (hubs.length > 0) void stop(); else process.exit(0); });
