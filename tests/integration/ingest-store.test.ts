/**
 * anju-ingest's store (ingest/store.ts) against a real PostgreSQL: dedup by id, contiguous seq and
 * report_seq per (hub, epoch) in the database, and two instances (two pools) writing the same hub
 * concurrently, interleaved, in any order: the contiguous value is always exactly what is stored.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../ingest/migrate.js';
import type { EventRow, Inbound, ReportRow } from '../../ingest/messages.js';
import { claimHoles } from '../../ingest/resync.js';
import { storeBatch } from '../../ingest/store.js';
import { createWriter, retryable } from '../../ingest/writer.js';
import { pino } from 'pino';
import { waitFor } from '../helpers/wait.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { prng } from '../helpers/prng.js';

const ev = (hub: string, epoch: string, seq: number, id = `${hub}-${epoch}-${seq}`): Inbound => {
  const row: EventRow = { hub, id, epoch, seq, ts: 1, type: 'alarm.test', severity: 'critical', device: null, state: 'raised', data: { seq }, message: { seq } };
  return { kind: 'event', row };
};
const rep = (hub: string, epoch: string, reportSeq: number, gap: ReportRow['gap'] = null): Inbound => ({
  kind: 'report', row: { hub, id: `${hub}-${epoch}-r${reportSeq}`, epoch, reportSeq, ts: 1, type: 'report.sleep', severity: 'info', device: 'bed', state: 'info', data: {}, message: {}, gap },
});

describe('ingest store (real PostgreSQL)', () => {
  let server: Postgres;
  let a: pg.Pool;
  let b: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres();
    const url = await server.createDatabase('store');
    a = new pg.Pool({ connectionString: url, max: 2 });
    b = new pg.Pool({ connectionString: url, max: 2 });
    expect(await migrate(a)).toEqual(['001_initial.sql']);
    expect(await migrate(b)).toEqual([]); // recorded: applied once
  });
  afterAll(async () => {
    await a?.end();
    await b?.end();
    await server?.stop();
  });

  const epochRow = async (hub: string, epoch: string) =>
    (await a.query<{ contiguous: string; max_seq: string; hole: boolean; report_contiguous: string }>(
      'SELECT contiguous, max_seq, hole_since IS NOT NULL AS hole, report_contiguous FROM hub_epochs WHERE hub = $1 AND epoch = $2', [hub, epoch])).rows[0];

  it('dedups by id, tracks contiguous seq with holes, per epoch', async () => {
    let r = await storeBatch(a, [ev('h1', 'e1', 1), ev('h1', 'e1', 2), ev('h1', 'e1', 4), ev('h1', 'e1', 2)]);
    expect(r).toMatchObject({ fresh: 3, duplicates: 1, acks: [{ hub: 'h1', epoch: 'e1', seq: 2, reportSeq: 0 }] });
    expect(await epochRow('h1', 'e1')).toEqual({ contiguous: '2', max_seq: '4', hole: true, report_contiguous: '0' });
    r = await storeBatch(a, [ev('h1', 'e1', 3)]);
    expect(r.acks).toEqual([{ hub: 'h1', epoch: 'e1', seq: 4, reportSeq: 0 }]);
    expect(await epochRow('h1', 'e1')).toMatchObject({ contiguous: '4', hole: false });
    // A replaced database: seq 1 again, new ids, a new epoch tracked on its own.
    r = await storeBatch(b, [ev('h1', 'e2', 1)]);
    expect(r.acks).toEqual([{ hub: 'h1', epoch: 'e2', seq: 1, reportSeq: 0 }]);
    expect(await epochRow('h1', 'e1')).toMatchObject({ contiguous: '4' });
  });

  it('reports: a gap named by the hub counts as settled', async () => {
    const r = await storeBatch(a, [rep('h2', 'e', 1), rep('h2', 'e', 4, { from: 2, to: 3 })]);
    expect(r.acks).toEqual([{ hub: 'h2', epoch: 'e', seq: 0, reportSeq: 4 }]);
  });

  it('two instances storing one hub concurrently, shuffled and duplicated: contiguous is exactly the stored run', async () => {
    const rand = prng(17);
    const N = 400;
    const msgs = Array.from({ length: N }, (_, i) => ev('h3', 'e', i + 1));
    const all = [...msgs, ...msgs.filter(() => rand() < 0.3)].sort(() => rand() - 0.5);
    const halves = [all.filter((_, i) => i % 2 === 0), all.filter((_, i) => i % 2 === 1)];
    const run = async (pool: pg.Pool, list: Inbound[]) => {
      const acks: number[] = [];
      for (let i = 0; i < list.length;) {
        const n = 1 + Math.floor(rand() * 12);
        for (let attempt = 0; ; attempt++) {
          try { acks.push(...(await storeBatch(pool, list.slice(i, i + n))).acks.map((x) => x.seq)); break; } catch (err) {
            if (!retryable(err) || attempt > 20) throw err;
          }
        }
        i += n;
      }
      return acks;
    };
    const [acksA, acksB] = await Promise.all([run(a, halves[0]!), run(b, halves[1]!)]);
    expect(await epochRow('h3', 'e')).toEqual({ contiguous: String(N), max_seq: String(N), hole: false, report_contiguous: '0' });
    expect(Number((await a.query('SELECT count(*) AS n FROM events WHERE hub = $1', ['h3'])).rows[0].n)).toBe(N);
    expect(Math.max(...acksA, ...acksB)).toBe(N); // the last commit, whichever instance made it, acked everything
  });

  it('a hole open long enough is claimed for resync by exactly one instance, seq and report_seq alike, and not again at once', async () => {
    await storeBatch(a, [ev('h4', 'e', 1), ev('h4', 'e', 3), rep('h4', 'e', 2)]);
    await a.query(`UPDATE hub_epochs SET hole_since = now() - interval '1 hour', report_hole_since = now() - interval '1 hour' WHERE hub = 'h4'`);
    const [x, y] = await Promise.all([claimHoles(a, 60, 300), claimHoles(b, 60, 300)]);
    const claims = [...x, ...y].filter((c) => c.hub === 'h4');
    expect(claims).toEqual([{ hub: 'h4', epoch: 'e', sinceSeq: 1, sinceReportSeq: 0 }]);
    expect((await claimHoles(a, 60, 300)).filter((c) => c.hub === 'h4')).toEqual([]); // asked: not again before repeat_s
    // A hole younger than after_s is left to the hub's own resends.
    await storeBatch(a, [ev('h5', 'e', 2)]);
    expect((await claimHoles(a, 60, 300)).filter((c) => c.hub === 'h5')).toEqual([]);
  });

  it('hub_attention lists a silent hub, a raised disk_full of the current epoch (not a cleared one), and forgets them when they end', async () => {
    const hb = (hub: string, epoch: string): Inbound => ({ kind: 'heartbeat', row: { hub, epoch, body: { v: 1, hub } } });
    const full = (hub: string, epoch: string, seq: number, state: 'raised' | 'cleared'): Inbound => ({
      kind: 'event', row: { hub, id: `${hub}-full-${seq}`, epoch, seq, ts: 1, type: 'hub.disk_full', severity: 'critical', device: null, state, data: { freeBytes: 1 }, message: {} },
    });
    await storeBatch(a, [hb('h6', 'e6'), full('h6', 'e6', 1, 'raised'), hb('h7', 'e7'), full('h7', 'e7', 1, 'raised'), full('h7', 'e7', 2, 'cleared')]);
    await a.query(`UPDATE hubs SET last_heartbeat_at = now() - interval '10 minutes' WHERE hub = 'h7'`);
    const rows = async () => (await a.query<{ hub: string; problem: string }>(`SELECT hub, problem FROM hub_attention(180) WHERE hub IN ('h6', 'h7') ORDER BY hub, problem`)).rows;
    expect(await rows()).toEqual([{ hub: 'h6', problem: 'disk_full' }, { hub: 'h7', problem: 'heartbeat_missing' }]);
    await storeBatch(b, [full('h6', 'e6', 2, 'cleared'), hb('h7', 'e7')]);
    expect(await rows()).toEqual([]);
  });

  it('the writer stores a batch around a message PostgreSQL refuses, rejects that one, and acks the rest', async () => {
    const acks: Array<{ hub: string; seq: number }> = [];
    const rejected: string[] = [];
    const w = createWriter(a, pino({ level: 'silent' }), {
      batchMax: 10, batchWaitMs: 5, maxPending: 100, retryMaxMs: 1000,
      onCommitted: (x) => acks.push(...x.map((k) => ({ hub: k.hub, seq: k.seq }))),
      onRejected: (topic, problem) => rejected.push(`${topic}: ${problem}`),
    });
    // Bypassing ingest/messages.ts on purpose: a NUL in a key of data is what jsonb refuses.
    const bad = ev('h8', 'e', 2);
    if (bad.kind === 'event') bad.row.data = { ['k\u0000']: 1 };
    for (const m of [ev('h8', 'e', 1), bad, ev('h8', 'e', 3)]) w.push(m, 'anju/v1/h8/events', Buffer.from('{}'));
    await w.drain();
    expect(rejected).toEqual([expect.stringMatching(/^anju\/v1\/h8\/events: database refused it: /)]);
    expect(w.stats()).toMatchObject({ stored: 2, failedMessages: 1, dropped: 0 });
    expect(await epochRow('h8', 'e')).toMatchObject({ contiguous: '1', max_seq: '3', hole: true });
    await waitFor('acks', () => acks.length >= 2, 1000);
    expect(acks.every((x) => x.hub === 'h8' && x.seq === 1)).toBe(true);
  });
});
