/**
 * Holes that stay open: every check_s, an instance claims the (hub, epoch) rows whose seq or
 * report_seq hole has been open for resync.after_s (and were not asked for within repeat_s, or
 * not since the hole opened) and sends those hubs `resync` (docs/uplink.md §10). The claim is an
 * UPDATE with FOR UPDATE SKIP LOCKED, so with any number of instances each hole is asked for once.
 * Only a hub's current epoch is asked: a replaced database can no longer send the old one's events.
 * What the hub publishes again arrives on the shared subscriptions like anything else.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';

export interface ResyncClaim { hub: string; epoch: string; sinceSeq: number | null; sinceReportSeq: number | null }

export async function claimHoles(pool: Pool, afterS: number, repeatS: number, max = 100): Promise<ResyncClaim[]> {
  const r = await pool.query<{ hub: string; epoch: string; contiguous: string; report_contiguous: string; seq_hole: boolean; report_hole: boolean }>(
    `UPDATE hub_epochs he SET resync_requested_at = now(), resyncs = he.resyncs + 1
       FROM (SELECT x.hub, x.epoch FROM hub_epochs x LEFT JOIN hubs h ON h.hub = x.hub
              WHERE (x.hole_since < now() - make_interval(secs => $1) OR x.report_hole_since < now() - make_interval(secs => $1))
                AND (h.epoch IS NULL OR h.epoch = x.epoch)
                AND (x.resync_requested_at IS NULL OR x.resync_requested_at < now() - make_interval(secs => $2)
                     OR x.resync_requested_at < least(x.hole_since, x.report_hole_since))
              ORDER BY x.hub, x.epoch LIMIT $3 FOR UPDATE OF x SKIP LOCKED) c
      WHERE he.hub = c.hub AND he.epoch = c.epoch
      RETURNING he.hub, he.epoch, he.contiguous, he.report_contiguous,
                he.hole_since < now() - make_interval(secs => $1) AS seq_hole, he.report_hole_since < now() - make_interval(secs => $1) AS report_hole`,
    [afterS, repeatS, max],
  );
  return r.rows.map((x) => ({
    hub: x.hub, epoch: x.epoch,
    sinceSeq: x.seq_hole ? Number(x.contiguous) : null,
    sinceReportSeq: x.report_hole ? Number(x.report_contiguous) : null,
  }));
}

export interface ResyncSender { request(hub: string, name: string, args: Record<string, unknown>, timeoutMs?: number): Promise<{ ok: boolean; code?: string; data?: unknown }> }

/** Starts the periodic check; returns a stop function. */
export function startResyncLoop(pool: Pool, sender: ResyncSender, log: Logger, o: { afterS: number; repeatS: number; checkMs: number; limit: number; timeoutMs: number }, onSent: () => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    try {
      for (const c of await claimHoles(pool, o.afterS, o.repeatS)) {
        const args = { ...(c.sinceSeq !== null ? { since_seq: c.sinceSeq } : {}), ...(c.sinceReportSeq !== null ? { since_report_seq: c.sinceReportSeq } : {}), limit: o.limit };
        log.warn({ hub: c.hub, epoch: c.epoch, ...args }, `a hole stayed open ${o.afterS} s: asking the hub to resync`);
        onSent();
        // Not awaited in turn: one silent hub must not hold up the others' requests.
        sender.request(c.hub, 'resync', args, o.timeoutMs).then(
          (res) => (res.ok ? log.info({ hub: c.hub, data: res.data }, 'resync answered') : log.warn({ hub: c.hub, code: res.code }, 'resync refused by the hub')),
          (err: unknown) => log.warn({ hub: c.hub, err: (err as Error).message }, 'resync not answered (asked again after resync.repeat_s)'),
        );
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'resync check failed (database unavailable?)');
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.checkMs);
  };
  timer = setTimeout(() => void tick(), o.checkMs);
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}
