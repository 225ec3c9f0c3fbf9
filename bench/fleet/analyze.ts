import type { FleetArgs } from './args.js';
import type { HubReport } from './protocol.js';

/** What a fleet run recorded (bench/fleet/run.ts), before any figure is computed. */
export interface RunRecord {
  args: FleetArgs;
  t0: number; tConnected: number; tDown: number; tUp: number; tKill: number | null; tQuiet: number; tDrained: number | null; deadline: number;
  timeline: Array<{
    t: number; connected: number; hubRssBytes: number; hubCpuMs: number; alarmsRaised: number; eventsRaised: number;
    brokerCpuMs: number | null; brokerRssBytes: number | null; ingestCpuMs: Array<number | null>;
  }>;
  connects: number[];
  bootRss: number[];
  reports: HubReport[];
  /** From PostgreSQL, per (hub, epoch): distinct seqs, highest seq, rows. */
  stored: Array<{ hub: string; epoch: string; distinctSeqs: number; maxSeq: number; rows: number }>;
  contiguous: Array<{ hub: string; epoch: string; contiguous: number }>;
  alarmsStored: Array<{ hub: string; id: string; at: number }>;
  ingest: Array<{ clientId: string; killed: boolean; batches: Array<{ time: number; messages: number; fresh: number; duplicates: number }> }>;
  warnings: Array<[string, number]>;
}

const s = (ms: number) => Math.round(ms / 100) / 10;
const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
const MiB = 1024 * 1024;

export type FleetResult = ReturnType<typeof analyze>;

/** The figures of a run, all checked from the databases (hubs' and PostgreSQL), not from counters, where it matters. */
export function analyze(r: RunRecord) {
  const problems: string[] = [];
  const at = (t: number) => s(t - r.t0);

  // Gaps, per hub and epoch, from PostgreSQL: every seq 1..lastSeq the hub committed must be there once.
  const storedBy = new Map(r.stored.map((x) => [`${x.hub}\u0000${x.epoch}`, x]));
  const contiguousBy = new Map(r.contiguous.map((x) => [`${x.hub}\u0000${x.epoch}`, x.contiguous]));
  let missing = 0;
  let holes = 0;
  let hubsWithGap = 0;
  let committed = 0;
  for (const h of r.reports) {
    committed += h.lastSeq;
    const st = storedBy.get(`${h.hub}\u0000${h.epoch}`);
    const have = st?.distinctSeqs ?? 0;
    const miss = h.lastSeq - have;
    // A hole: a seq missing below the highest one stored (loss, not just "not arrived yet").
    const hole = st ? st.maxSeq - st.distinctSeqs : 0;
    if (miss !== 0 || hole !== 0 || (contiguousBy.get(`${h.hub}\u0000${h.epoch}`) ?? 0) !== h.lastSeq) hubsWithGap++;
    missing += Math.max(0, miss);
    holes += hole;
  }
  if (r.reports.length !== r.args.hubs) problems.push(`only ${r.reports.length} of ${r.args.hubs} hubs reported`);
  if (missing > 0) problems.push(`${missing} committed alarms/events not in PostgreSQL`);
  if (holes > 0) problems.push(`${holes} seq holes in PostgreSQL`);
  if (hubsWithGap > 0) problems.push(`${hubsWithGap} hubs whose hub_epochs.contiguous is not their last seq`);
  const storedRows = r.stored.reduce((n, x) => n + x.rows, 0);
  const storedDistinct = r.stored.reduce((n, x) => n + x.distinctSeqs, 0);
  if (storedRows !== storedDistinct) problems.push(`${storedRows - storedDistinct} duplicate rows stored`);

  // Alarms raised during the outage: stored (PostgreSQL) and acked (the hub's own outbox).
  const storedAt = new Map(r.alarmsStored.map((x) => [`${x.hub}\u0000${x.id}`, x.at]));
  const outage = r.reports.flatMap((h) => h.alarms.filter(([, , ts]) => ts >= r.tDown && ts <= r.tUp).map(([, id, ts, acked]) => ({ hub: h.hub, id, ts, acked, stored: storedAt.get(`${h.hub}\u0000${id}`) ?? null })));
  const outageUnacked = outage.filter((x) => x.acked === null).length;
  const outageUnstored = outage.filter((x) => x.stored === null).length;
  if (outage.length === 0) problems.push('no alarm was raised during the outage: the run proves nothing (raise --outage-s or lower --alarm-every-s)');
  if (outageUnacked > 0) problems.push(`${outageUnacked} outage alarms unacked at the deadline`);
  if (outageUnstored > 0) problems.push(`${outageUnstored} outage alarms not stored`);
  const lastAcked = outage.reduce((m, x) => Math.max(m, x.acked ?? 0), 0);
  const lastStored = outage.reduce((m, x) => Math.max(m, x.stored ?? 0), 0);
  if (r.tDrained === null) problems.push('not every alarm and event was acked by the deadline');
  if (r.tKill === null) problems.push('no ingest instance was killed');

  // Reconnects after the outage: their spread (full jitter) as a histogram of seconds after the broker came back.
  const after = r.connects.filter((t) => t >= r.tUp).map((t) => t - r.tUp).sort((x, y) => x - y);
  const bins = new Map<number, number>();
  for (const d of after) bins.set(Math.floor(d / 1000), (bins.get(Math.floor(d / 1000)) ?? 0) + 1);
  const histogram = [...bins.entries()].sort((x, y) => x[0] - y[0]);
  const peak = histogram.reduce((m, [, n]) => Math.max(m, n), 0);

  // Alarms acked over time (from the hubs' outboxes) and stored (PostgreSQL received_at).
  const ackedTimes = r.reports.flatMap((h) => h.alarms.map((a) => a[3]).filter((x): x is number => x !== null)).sort((x, y) => x - y);
  const raisedAlarms = r.reports.reduce((n, h) => n + h.alarms.length, 0);
  const timeline = r.timeline.map((p) => {
    let k = 0;
    let lo = 0;
    let hi = ackedTimes.length;
    while (lo < hi) { k = (lo + hi) >> 1; if (ackedTimes[k]! <= p.t) lo = k + 1; else hi = k; }
    return { s: at(p.t), connected: p.connected, alarmsRaised: p.alarmsRaised, alarmsAcked: lo };
  });

  // Cost per simulated hub: the hub processes' RSS beyond their empty selves, and CPU, in the steady phase before the outage.
  const steady = r.timeline.filter((p) => p.t >= r.tConnected && p.t <= r.tDown);
  const first = steady[0];
  const last = steady.at(-1);
  const boot = r.bootRss.reduce((n, x) => n + x, 0);
  const steadyS = first && last ? (last.t - first.t) / 1000 : 0;
  const cpu = (from?: number | null, to?: number | null) => (from != null && to != null && steadyS > 0 ? (to - from) / steadyS / 10 : null); // % of a core
  const hubCpuPct = cpu(first?.hubCpuMs, last?.hubCpuMs);
  const peakRss = r.timeline.reduce((m, p) => Math.max(m, p.hubRssBytes), 0);
  const ingestShares = r.ingest.map((i) => {
    const before = i.batches.filter((b) => r.tKill === null || b.time < r.tKill);
    const afterKill = i.batches.filter((b) => r.tKill !== null && b.time >= r.tKill);
    const sum = (xs: typeof before, k: 'messages' | 'fresh' | 'duplicates') => xs.reduce((n, b) => n + (b[k] ?? 0), 0);
    return { clientId: i.clientId, killed: i.killed, storedBeforeKill: sum(before, 'fresh'), storedAfterKill: sum(afterKill, 'fresh'), duplicates: sum(i.batches, 'duplicates'), messages: sum(i.batches, 'messages') };
  });
  const resent = r.reports.reduce((n, h) => n + h.resent, 0);

  return {
    pass: problems.length === 0,
    problems,
    args: r.args,
    phases: { connectedS: at(r.tConnected), outageFromS: at(r.tDown), outageToS: at(r.tUp), ingestKilledS: r.tKill === null ? null : at(r.tKill), quietS: at(r.tQuiet), drainedS: r.tDrained === null ? null : at(r.tDrained) },
    connections: {
      before: r.timeline.filter((p) => p.t < r.tDown).at(-1)?.connected ?? 0,
      duringOutageMin: r.timeline.filter((p) => p.t > r.tDown + 2000 && p.t < r.tUp).reduce((m, p) => Math.min(m, p.connected), Infinity),
      allBackAfterS: (() => { const p = r.timeline.find((x) => x.t >= r.tUp && x.connected >= r.args.hubs); return p ? s(p.t - r.tUp) : null; })(),
    },
    reconnects: {
      count: after.length,
      p50S: after.length ? s(quantile(after, 0.5)!) : null,
      p90S: after.length ? s(quantile(after, 0.9)!) : null,
      maxS: after.length ? s(after.at(-1)!) : null,
      peakPerS: peak,
      /** Without jitter every hub would reconnect in the same second: this is how much flatter it was. */
      flattening: peak > 0 ? Math.round((after.length / peak) * 10) / 10 : null,
      histogram,
    },
    outageAlarms: {
      raised: outage.length, stored: outage.length - outageUnstored, acked: outage.length - outageUnacked,
      allStoredAfterS: outageUnstored === 0 && outage.length ? s(lastStored - r.tUp) : null,
      allAckedAfterS: outageUnacked === 0 && outage.length ? s(lastAcked - r.tUp) : null,
    },
    totals: { alarmsRaised: raisedAlarms, alarmsAcked: ackedTimes.length, committed, storedRows },
    gaps: { holes, missing, hubsWithGap },
    duplicatesAbsorbed: ingestShares.reduce((n, x) => n + x.duplicates, 0),
    hubResends: resent,
    ingest: ingestShares,
    cost: {
      hubs: r.args.hubs,
      hubProcesses: r.args.workers,
      emptyProcessesRssMiB: Math.round(boot / MiB),
      peakRssMiB: Math.round(peakRss / MiB),
      rssPerHubKiB: last ? Math.round((last.hubRssBytes - boot) / r.args.hubs / 1024) : null,
      hubProcessesCpuPctOfOneCore: hubCpuPct === null ? null : Math.round(hubCpuPct),
      cpuMsPerHubPerMin: hubCpuPct === null ? null : Math.round(((hubCpuPct / 100) * 60_000 / r.args.hubs) * 100) / 100,
      brokerCpuPctOfOneCore: cpu(first?.brokerCpuMs, last?.brokerCpuMs),
      brokerRssMiB: last?.brokerRssBytes != null ? Math.round(last.brokerRssBytes / MiB) : null,
      ingestCpuPctOfOneCore: r.ingest.map((_, i) => cpu(first?.ingestCpuMs[i], last?.ingestCpuMs[i])),
    },
    timeline,
    warnings: r.warnings,
  };
}
