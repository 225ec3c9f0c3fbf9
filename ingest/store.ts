/**
 * One batch of hub messages -> one PostgreSQL transaction (docs: ingest/README.md, "How a batch is
 * stored"). Per (hub, epoch) it keeps, in the database, the highest contiguous seq and report_seq, so
 * any instance can ack any hub:
 *
 * 1. lock the batch's hub_epochs rows, in (hub, epoch) order (created if new). Two instances writing
 *    the same hub wait for each other here; the order rules out deadlocks between batches;
 * 2. insert events and reports, ON CONFLICT (hub, id) DO NOTHING: the dedup by id;
 * 3. advance contiguous from what is now in the table (read after the lock, so it sees the other
 *    instance's committed rows: READ COMMITTED takes a snapshot per statement);
 * 4. commit, and only then return the acks to publish.
 */
import type { Pool, PoolClient } from 'pg';
import type { EventRow, HeartbeatRow, Inbound, ReportRow, StatusRow, UnstoredRow } from './messages.js';

/** What to publish on anju/v1/<hub>/ack after the commit. */
export interface Ack { hub: string; epoch: string; seq: number; reportSeq: number }

export interface BatchResult { acks: Ack[]; fresh: number; duplicates: number }

/** A report's gap longer than this is recorded as its first MAX_GAP report_seqs (a hub cannot lose more nights). */
const MAX_GAP = 100_000;

const key = (hub: string, epoch: string) => `${hub}\u0000${epoch}`;

interface EpochState { hub: string; epoch: string; contiguous: number; maxSeq: number; reportContiguous: number; maxReportSeq: number }

/** Stores `batch` in one transaction (the caller retries on serialization and deadlock errors). */
export async function storeBatch(pool: Pool, batch: readonly Inbound[]): Promise<BatchResult> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await storeIn(c, batch);
    await c.query('COMMIT');
    return r;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

async function storeIn(c: PoolClient, batch: readonly Inbound[]): Promise<BatchResult> {
  const events: EventRow[] = [];
  const reports: ReportRow[] = [];
  const unstored: UnstoredRow[] = [];
  const hubs = new Map<string, HubUpdate>();
  const hubOf = (hub: string) => { let h = hubs.get(hub); if (!h) { h = { hub }; hubs.set(hub, h); } return h; };
  for (const m of batch) {
    switch (m.kind) {
      case 'event': events.push(m.row); hubOf(m.row.hub).seenEpoch ??= m.row.epoch; break;
      case 'report': reports.push(m.row); hubOf(m.row.hub).seenEpoch ??= m.row.epoch; break;
      case 'unstored': unstored.push(m.row); break;
      case 'status': hubOf(m.row.hub).status = m.row; break; // in arrival order: the last one wins
      case 'heartbeat': hubOf(m.row.hub).heartbeat = m.row; break;
    }
  }
  const keys = [...new Set([...events, ...reports].map((e) => key(e.hub, e.epoch)))].sort();
  const states = await lockEpochs(c, keys);
  let fresh = 0;
  if (events.length > 0) fresh += await insertEvents(c, events);
  if (reports.length > 0) fresh += await insertReports(c, reports);
  if (unstored.length > 0) await insertUnstored(c, unstored);
  const acks = await advance(c, states, events, reports);
  if (hubs.size > 0) await updateHubs(c, [...hubs.values()].sort((a, b) => (a.hub < b.hub ? -1 : a.hub > b.hub ? 1 : 0)));
  return { acks, fresh, duplicates: events.length + reports.length - fresh };
}

async function lockEpochs(c: PoolClient, keys: string[]): Promise<Map<string, EpochState>> {
  const out = new Map<string, EpochState>();
  if (keys.length === 0) return out;
  const hubs = keys.map((k) => k.split('\u0000')[0]!);
  const epochs = keys.map((k) => k.split('\u0000')[1]!);
  await c.query('INSERT INTO hub_epochs (hub, epoch) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [hubs, epochs]);
  const rows = await c.query<{ hub: string; epoch: string; contiguous: string; max_seq: string; report_contiguous: string; max_report_seq: string }>(
    `SELECT hub, epoch, contiguous, max_seq, report_contiguous, max_report_seq FROM hub_epochs
      WHERE (hub, epoch) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY hub, epoch FOR UPDATE`, [hubs, epochs]);
  for (const r of rows.rows) {
    out.set(key(r.hub, r.epoch), { hub: r.hub, epoch: r.epoch, contiguous: Number(r.contiguous), maxSeq: Number(r.max_seq), reportContiguous: Number(r.report_contiguous), maxReportSeq: Number(r.max_report_seq) });
  }
  return out;
}

const json = (v: unknown) => JSON.stringify(v);

async function insertEvents(c: PoolClient, rows: EventRow[]): Promise<number> {
  const r = await c.query(
    `INSERT INTO events (hub, id, epoch, seq, ts, type, severity, device, state, data, message)
     SELECT hub, id, epoch, seq, ts, type, severity, device, state, data::jsonb, message::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS t(hub, id, epoch, seq, ts, type, severity, device, state, data, message)
     ON CONFLICT (hub, id) DO NOTHING`,
    [rows.map((e) => e.hub), rows.map((e) => e.id), rows.map((e) => e.epoch), rows.map((e) => e.seq), rows.map((e) => e.ts), rows.map((e) => e.type),
      rows.map((e) => e.severity), rows.map((e) => e.device), rows.map((e) => e.state), rows.map((e) => json(e.data)), rows.map((e) => json(e.message))],
  );
  return r.rowCount ?? 0;
}

async function insertReports(c: PoolClient, rows: ReportRow[]): Promise<number> {
  const r = await c.query(
    `INSERT INTO reports (hub, id, epoch, report_seq, ts, type, severity, device, state, data, gap_from, gap_to, message)
     SELECT hub, id, epoch, rs, ts, type, severity, device, state, data::jsonb, gf, gt, message::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::text[])
         AS t(hub, id, epoch, rs, ts, type, severity, device, state, data, gf, gt, message)
     ON CONFLICT (hub, id) DO NOTHING`,
    [rows.map((e) => e.hub), rows.map((e) => e.id), rows.map((e) => e.epoch), rows.map((e) => e.reportSeq), rows.map((e) => e.ts), rows.map((e) => e.type),
      rows.map((e) => e.severity), rows.map((e) => e.device), rows.map((e) => e.state), rows.map((e) => json(e.data)),
      rows.map((e) => e.gap?.from ?? null), rows.map((e) => e.gap?.to ?? null), rows.map((e) => json(e.message))],
  );
  // A resend carries the gap too (it may even have grown): record it every time, idempotently.
  const gaps = rows.filter((e) => e.gap);
  if (gaps.length > 0) {
    await c.query(
      `INSERT INTO reports_lost (hub, epoch, report_seq)
       SELECT hub, epoch, generate_series(gf, least(gt, gf + $5::bigint - 1)) FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS t(hub, epoch, gf, gt)
       ON CONFLICT DO NOTHING`,
      [gaps.map((e) => e.hub), gaps.map((e) => e.epoch), gaps.map((e) => e.gap!.from), gaps.map((e) => e.gap!.to), MAX_GAP],
    );
  }
  return r.rowCount ?? 0;
}

async function insertUnstored(c: PoolClient, rows: UnstoredRow[]): Promise<void> {
  await c.query(
    `INSERT INTO unstored (hub, id, epoch, reason, ts, type, severity, device, state, data)
     SELECT hub, id, epoch, reason, ts, type, severity, device, state, data::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS t(hub, id, epoch, reason, ts, type, severity, device, state, data)
     ON CONFLICT (hub, id) DO NOTHING`,
    [rows.map((e) => e.hub), rows.map((e) => e.id), rows.map((e) => e.epoch), rows.map((e) => e.reason), rows.map((e) => e.ts), rows.map((e) => e.type),
      rows.map((e) => e.severity), rows.map((e) => e.device), rows.map((e) => e.state), rows.map((e) => json(e.data))],
  );
}

/**
 * New contiguous values: a sequence can only move past c if c + 1 arrived (c was already as far as
 * the stored rows allowed), so only those epochs are walked, in one query: the run of consecutive
 * seqs starting at c + 1 is the one where seq - row_number() = c.
 */
async function advance(c: PoolClient, states: Map<string, EpochState>, events: EventRow[], reports: ReportRow[]): Promise<Ack[]> {
  const maxSeq = new Map<string, number>();
  const maxReport = new Map<string, number>();
  const walkSeq = new Set<string>();
  const walkReport = new Set<string>();
  for (const e of events) {
    const k = key(e.hub, e.epoch);
    maxSeq.set(k, Math.max(maxSeq.get(k) ?? 0, e.seq));
    if (e.seq === states.get(k)!.contiguous + 1) walkSeq.add(k);
  }
  for (const r of reports) {
    const k = key(r.hub, r.epoch);
    maxReport.set(k, Math.max(maxReport.get(k) ?? 0, r.reportSeq));
    const cur = states.get(k)!.reportContiguous;
    if (r.reportSeq === cur + 1 || (r.gap && r.gap.from <= cur + 1)) walkReport.add(k);
  }
  const contiguous = await walk(c, states, walkSeq, `SELECT DISTINCT seq AS s FROM events WHERE hub = k.hub AND epoch = k.epoch AND seq > k.c`);
  const reportContiguous = await walk(c, states, walkReport,
    `SELECT report_seq AS s FROM reports WHERE hub = k.hub AND epoch = k.epoch AND report_seq > k.c
     UNION SELECT report_seq FROM reports_lost WHERE hub = k.hub AND epoch = k.epoch AND report_seq > k.c`);
  const rows = [...states.values()].map((s) => {
    const k = key(s.hub, s.epoch);
    return {
      ...s,
      contiguous: contiguous.get(k) ?? s.contiguous,
      maxSeq: Math.max(s.maxSeq, maxSeq.get(k) ?? 0),
      reportContiguous: reportContiguous.get(k) ?? s.reportContiguous,
      maxReportSeq: Math.max(s.maxReportSeq, maxReport.get(k) ?? 0),
      seqMoved: contiguous.has(k) && contiguous.get(k) !== s.contiguous,
      reportMoved: reportContiguous.has(k) && reportContiguous.get(k) !== s.reportContiguous,
    };
  });
  if (rows.length === 0) return [];
  // A hole's clock starts when it opens and restarts when contiguous moves past it into another one.
  await c.query(
    `UPDATE hub_epochs h SET contiguous = u.c, max_seq = greatest(u.m, u.c), report_contiguous = u.rc, max_report_seq = greatest(u.rm, u.rc), last_seen = now(),
        hole_since = CASE WHEN u.c >= u.m THEN NULL WHEN h.hole_since IS NULL OR u.cm THEN now() ELSE h.hole_since END,
        report_hole_since = CASE WHEN u.rc >= u.rm THEN NULL WHEN h.report_hole_since IS NULL OR u.rcm THEN now() ELSE h.report_hole_since END
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::boolean[], $8::boolean[]) AS u(hub, epoch, c, m, rc, rm, cm, rcm)
      WHERE h.hub = u.hub AND h.epoch = u.epoch`,
    [rows.map((r) => r.hub), rows.map((r) => r.epoch), rows.map((r) => r.contiguous), rows.map((r) => r.maxSeq), rows.map((r) => r.reportContiguous),
      rows.map((r) => r.maxReportSeq), rows.map((r) => r.seqMoved), rows.map((r) => r.reportMoved)],
  );
  return rows.map((r) => ({ hub: r.hub, epoch: r.epoch, seq: r.contiguous, reportSeq: r.reportContiguous }));
}

async function walk(c: PoolClient, states: Map<string, EpochState>, keys: Set<string>, seqs: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (keys.size === 0) return out;
  const list = [...keys].map((k) => states.get(k)!);
  const isReport = seqs.includes('reports');
  const r = await c.query<{ hub: string; epoch: string; top: string | null }>(
    `SELECT k.hub, k.epoch, (SELECT max(s) FROM (SELECT s, s - row_number() OVER (ORDER BY s) AS g FROM (${seqs}) x) y WHERE g = k.c) AS top
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS k(hub, epoch, c)`,
    [list.map((s) => s.hub), list.map((s) => s.epoch), list.map((s) => (isReport ? s.reportContiguous : s.contiguous))],
  );
  for (const row of r.rows) if (row.top !== null) out.set(key(row.hub, row.epoch), Number(row.top));
  return out;
}

interface HubUpdate { hub: string; status?: StatusRow; heartbeat?: HeartbeatRow; seenEpoch?: string }

/**
 * Presence, one upsert for the batch's hubs. The current epoch comes from the hub's birth and
 * heartbeat (they always name the database in use); an event only fills it in when unknown, since a
 * late resend from a replaced database must not make the old epoch current again.
 */
async function updateHubs(c: PoolClient, list: HubUpdate[]): Promise<void> {
  await c.query(
    `INSERT INTO hubs AS h (hub, state, reason, state_since, version, started_ts, epoch, last_heartbeat_at, heartbeat)
     SELECT hub, st, rsn, CASE WHEN st IS NULL THEN NULL ELSE now() END, ver, sts, ep, CASE WHEN hb IS NULL THEN NULL ELSE now() END, hb::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[]) AS t(hub, st, rsn, ver, sts, ep, hb)
     ON CONFLICT (hub) DO UPDATE SET
       state = coalesce(excluded.state, h.state),
       reason = CASE WHEN excluded.state IS NULL THEN h.reason ELSE excluded.reason END,
       state_since = CASE WHEN excluded.state IS NULL THEN h.state_since
                          WHEN excluded.state IS DISTINCT FROM h.state OR excluded.reason IS DISTINCT FROM h.reason THEN now() ELSE h.state_since END,
       version = coalesce(excluded.version, h.version),
       started_ts = coalesce(excluded.started_ts, h.started_ts),
       epoch = coalesce(excluded.epoch, h.epoch),
       last_heartbeat_at = coalesce(excluded.last_heartbeat_at, h.last_heartbeat_at),
       heartbeat = coalesce(excluded.heartbeat, h.heartbeat),
       updated_at = now()`,
    [list.map((h) => h.hub), list.map((h) => h.status?.state ?? null), list.map((h) => h.status?.reason ?? null), list.map((h) => h.status?.version ?? null),
      list.map((h) => h.status?.startedTs ?? null), list.map((h) => h.heartbeat?.epoch ?? h.status?.epoch ?? null),
      list.map((h) => (h.heartbeat ? json(h.heartbeat.body) : null))],
  );
  const seen = list.filter((h) => h.seenEpoch !== undefined);
  if (seen.length > 0) {
    await c.query('UPDATE hubs h SET epoch = u.seen FROM unnest($1::text[], $2::text[]) AS u(hub, seen) WHERE h.hub = u.hub AND h.epoch IS NULL',
      [seen.map((h) => h.hub), seen.map((h) => h.seenEpoch!)]);
  }
}
