/** `anju-ingest status`: what an operator must look at (the hub_attention() function) and a summary. */
import type { Pool } from 'pg';

export interface AttentionRow { hub: string; problem: string; since: string | null; detail: Record<string, unknown> }
export interface StatusReport {
  hubs: { total: number; online: number; offline: number };
  epochs: number; events: number; reports: number; unstoredOpen: number; rejectedLastDay: number;
  attention: AttentionRow[];
}

export async function queryStatus(pool: Pool, missingAfterS: number): Promise<StatusReport> {
  const [h, n, a] = await Promise.all([
    pool.query<{ total: string; online: string; offline: string }>(`SELECT count(*) AS total, count(*) FILTER (WHERE state = 'online') AS online, count(*) FILTER (WHERE state = 'offline') AS offline FROM hubs`),
    pool.query<{ epochs: string; events: string; reports: string; rejected: string }>(
      `SELECT (SELECT count(*) FROM hub_epochs) AS epochs, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM reports) AS reports,
              (SELECT count(*) FROM rejected WHERE received_at > now() - interval '1 day') AS rejected`),
    pool.query<{ hub: string; problem: string; since: Date | null; detail: Record<string, unknown> }>('SELECT hub, problem, since, detail FROM hub_attention($1) ORDER BY hub, problem, since', [missingAfterS]),
  ]);
  const attention = a.rows.map((r) => ({ hub: r.hub, problem: r.problem, since: r.since ? r.since.toISOString() : null, detail: r.detail }));
  return {
    hubs: { total: Number(h.rows[0]!.total), online: Number(h.rows[0]!.online), offline: Number(h.rows[0]!.offline) },
    epochs: Number(n.rows[0]!.epochs), events: Number(n.rows[0]!.events), reports: Number(n.rows[0]!.reports), rejectedLastDay: Number(n.rows[0]!.rejected),
    unstoredOpen: attention.filter((x) => x.problem === 'unstored').length,
    attention,
  };
}

export function formatStatus(s: StatusReport): string {
  const lines = [
    `hubs: ${s.hubs.total} (${s.hubs.online} online, ${s.hubs.offline} offline); epochs ${s.epochs}; events ${s.events}; reports ${s.reports}; rejected messages (24 h) ${s.rejectedLastDay}`,
    s.attention.length === 0 ? 'nothing needs attention' : `${s.attention.length} need attention:`,
  ];
  for (const r of s.attention) lines.push(`  ${r.hub.padEnd(24)} ${r.problem.padEnd(18)} since ${r.since ?? '?'}  ${JSON.stringify(r.detail)}`);
  return lines.join('\n');
}
