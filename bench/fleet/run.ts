/**
 * `npm run fleet -- --hubs 6000 --outage-s 120 [--ingest 3] [--minutes 6] [--out DIR]`: a district's
 * hubs (issue 17, point 2) through one real Mosquitto into anju-ingest instances on a real
 * PostgreSQL. The hubs run the hub's real outbox and uplink (bench/fleet/sim-hub.ts) in a few
 * processes; field rates, then a city-wide outage (the broker stops, alarms keep being raised), then
 * recovery, with one ingest instance killed -9 while the hubs reconnect. Writes fleet.json,
 * fleet.md and fleet.svg to --out; exits 1 if any alarm or event is missing, any seq hole is left or
 * any outage alarm is unacked at the deadline. Options: bench/fleet/args.ts; README: bench/fleet/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type Postgres } from '../postgres.js';
import type { BenchMosquitto } from '../mosquitto.js';
import { analyze, type RunRecord } from './analyze.js';
import { parseFleetArgs, UsageError, type FleetArgs } from './args.js';
import { markdown } from './markdown.js';
import { migrateIngest, procUsage, spawnIngest, startFleetBroker, type IngestInstance } from './peers.js';
import { plotSvg } from './svg.js';
import { startHubProcesses, type HubProcesses } from './workers.js';

const PASSWORD_PREFIX = 'fleet-pw-';
const log = (line: string) => process.stdout.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean | Promise<boolean>, deadline: number): Promise<boolean> {
  while (!(await check())) {
    if (Date.now() > deadline) { log(`gave up waiting for ${what}`); return false; }
    await sleep(500);
  }
  return true;
}

async function run(a: FleetArgs): Promise<number> {
  const dir = mkdtempSync(join(a.stateRoot, 'anju-fleet-'));
  const cleanup: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  const stopAll = async () => { for (const c of cleanup.splice(0).reverse()) { try { await c(); } catch (err) { log(`cleanup: ${(err as Error).message}`); } } };
  process.once('SIGINT', () => { void stopAll().then(() => process.exit(130)); });
  try {
    const hubs = Array.from({ length: a.hubs }, (_, i) => `hub-${String(i + 1).padStart(5, '0')}`);
    const ingestIds = Array.from({ length: a.ingest }, (_, i) => `fleet-ingest-${i + 1}`);
    log(`${a.hubs} hubs in ${a.workers} processes, ${a.ingest} anju-ingest instances, outage ${a.outageS} s, schedule ${a.minutes} min; state in ${dir}`);
    const postgres: Postgres = await startPostgres({ maxConnections: 20 + 4 * a.ingest });
    cleanup.push(() => postgres.stop());
    const pgUrl = await postgres.createDatabase('ingest');
    const db = new pg.Pool({ connectionString: pgUrl, max: 2 });
    cleanup.push(() => db.end());
    const broker: BenchMosquitto = await startFleetBroker(dir, hubs, ingestIds, PASSWORD_PREFIX);
    cleanup.push(() => broker.stop());
    migrateIngest(dir, broker.url, pgUrl, PASSWORD_PREFIX);
    const ingest: IngestInstance[] = ingestIds.map((id) => spawnIngest(dir, id, broker.url, pgUrl, PASSWORD_PREFIX));
    cleanup.push(() => { for (const i of ingest) i.proc.kill('SIGKILL'); });
    const subscribed = (i: IngestInstance) => i.lines().some((l) => l.msg === 'subscribed');
    if (!(await until('the ingest instances subscribed', () => ingest.every(subscribed), Date.now() + 60_000))) throw new Error('anju-ingest did not subscribe');

    const u = a.uplink;
    const uplinkYaml = `{ url: "${broker.url}", insecure: false, delivery: cloud_ack, reconnect_min_s: ${u.reconnectMinS}, reconnect_max_s: ${u.reconnectMaxS}, ack_timeout_s: ${u.ackTimeoutS}, retry_s: ${u.retryS}, heartbeat_s: ${u.heartbeatS}, telemetry: { interval_s: ${u.telemetryS} } }`;
    const procs: HubProcesses = await startHubProcesses({
      hubs, workers: a.workers,
      start: (share, i) => ({ op: 'start', hubs: share, stateRoot: dir, uplinkYaml, passwordPrefix: PASSWORD_PREFIX, rates: a.rates, rampS: a.rampS, seed: a.seed * 1000 + i }),
    });
    cleanup.push(() => procs.stop());

    // One point a second: hub connections, the hub processes' and the peers' CPU and RSS.
    const t0 = Date.now();
    const timeline: RunRecord['timeline'] = [];
    const sampler = setInterval(() => {
      const s = procs.latest();
      const ingestUse = ingest.map((i) => procUsage(i.proc.exitCode === null ? i.proc.pid : null));
      timeline.push({
        t: Date.now(),
        connected: s.reduce((n, x) => n + (x?.connected ?? 0), 0),
        hubRssBytes: s.reduce((n, x) => n + (x?.rssBytes ?? 0), 0),
        hubCpuMs: s.reduce((n, x) => n + ((x?.cpuUserUs ?? 0) + (x?.cpuSystemUs ?? 0)) / 1000, 0),
        alarmsRaised: s.reduce((n, x) => n + (x?.alarmsRaised ?? 0), 0),
        eventsRaised: s.reduce((n, x) => n + (x?.eventsRaised ?? 0), 0),
        brokerCpuMs: procUsage(broker.pid())?.cpuMs ?? null,
        brokerRssBytes: procUsage(broker.pid())?.rssBytes ?? null,
        ingestCpuMs: ingestUse.map((x) => x?.cpuMs ?? null),
      });
    }, 1000);
    cleanup.push(() => clearInterval(sampler));

    await procs.ready();
    // A first connect that times out on a busy machine backs off like any other (up to
    // reconnect_max_s): wait for two of those, then go on with whoever is connected (the figures say
    // how many; a hub still connecting raises and recovers like the others).
    const connectedAll = () => (timeline.at(-1)?.connected ?? 0) >= a.hubs;
    await until('every hub connected', connectedAll, Date.now() + 60_000 + 2 * a.uplink.reconnectMaxS * 1000);
    const tConnected = Date.now();
    log(`${timeline.at(-1)?.connected ?? 0} of ${a.hubs} hubs connected (${Math.round((tConnected - t0) / 1000)} s from start); steady`);

    const steadyMs = ((a.minutes * 60 - a.outageS) / 2) * 1000;
    await sleep(steadyMs);
    const tDown = Date.now();
    log(`outage: the broker stops for ${a.outageS} s; alarms keep being raised`);
    await broker.pause();
    await sleep(a.outageS * 1000);
    const tUp = Date.now(); // from here the broker may accept: every reconnect counts from this moment
    await broker.resume();
    log('the broker is back: the hubs reconnect with full jitter');

    const victim = ingest[ingest.length - 1]!;
    let tKill: number | null = null;
    const killTimer = setTimeout(() => {
      tKill = Date.now();
      victim.proc.kill('SIGKILL');
      log(`kill -9 ${victim.clientId}`);
    }, a.killIngestAfterS * 1000);
    cleanup.push(() => clearTimeout(killTimer));
    await sleep(Math.max(steadyMs, (a.killIngestAfterS + 1) * 1000));
    procs.broadcast({ op: 'raise', on: false });
    const tQuiet = Date.now();
    log('the hubs stop raising: waiting until everything is stored and acked');

    const deadline = tUp + a.deadlineS * 1000;
    let progress = await procs.progress(tDown, tUp);
    const drained = await until('every alarm and event acked', async () => {
      progress = await procs.progress(tDown, tUp);
      return progress.unacked === 0 && tKill !== null;
    }, deadline);
    const tDrained = drained ? Date.now() : null;
    log(drained ? `everything acked ${Math.round((Date.now() - tUp) / 1000)} s after the broker came back` : `at the deadline: ${progress.unacked} unacked (${progress.unackedOutageAlarms} outage alarms)`);
    clearInterval(sampler);

    const reports = await procs.reports();
    const stored = (await db.query<{ hub: string; epoch: string; n: string; mx: string; rows: string }>(
      'SELECT hub, epoch, count(DISTINCT seq) AS n, max(seq) AS mx, count(*) AS rows FROM events GROUP BY hub, epoch')).rows;
    const alarmsStored = (await db.query<{ hub: string; id: string; at: string }>(
      "SELECT hub, id, (extract(epoch FROM received_at) * 1000)::bigint AS at FROM events WHERE type LIKE 'alarm.%'")).rows;
    const contiguous = (await db.query<{ hub: string; epoch: string; contiguous: string }>('SELECT hub, epoch, contiguous FROM hub_epochs')).rows;
    const record: RunRecord = {
      args: a, t0, tConnected, tDown, tUp, tKill, tQuiet, tDrained, deadline,
      timeline, connects: procs.connects, bootRss: procs.bootRss, reports,
      stored: stored.map((r) => ({ hub: r.hub, epoch: r.epoch, distinctSeqs: Number(r.n), maxSeq: Number(r.mx), rows: Number(r.rows) })),
      contiguous: contiguous.map((r) => ({ hub: r.hub, epoch: r.epoch, contiguous: Number(r.contiguous) })),
      alarmsStored: alarmsStored.map((r) => ({ hub: r.hub, id: r.id, at: Number(r.at) })),
      ingest: ingest.map((i) => ({ clientId: i.clientId, killed: i === victim, batches: i.lines().filter((l) => l.msg === 'batch committed') as unknown as RunRecord['ingest'][number]['batches'] })),
      warnings: [...procs.warnings.entries()],
    };
    const result = analyze(record);
    mkdirSync(a.out, { recursive: true });
    const md = markdown(result);
    writeFileSync(join(a.out, 'fleet.json'), `${JSON.stringify(result, null, 1)}\n`);
    writeFileSync(join(a.out, 'fleet.md'), md);
    writeFileSync(join(a.out, 'fleet.svg'), plotSvg(result));
    process.stdout.write(`\n${md}\n`);
    log(`written: ${join(a.out, 'fleet.json')}, fleet.md, fleet.svg`);
    return result.pass ? 0 : 1;
  } finally {
    await stopAll();
  }
}

let args: FleetArgs;
try {
  args = parseFleetArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
run(args).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`fleet: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
