/**
 * anju-ingest's store (ingest/store.ts) against a real PostgreSQL: dedup by id, contiguous seq and
 * report_seq per (hub, epoch) in the database, and two instances (two pools) writing the same hub
 * concurrently, interleaved, in any order: the contiguous value is always exactly what is stored.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../ingest/migrate.js';
import type { EventRow, Inbound, ReportRow } from '../../ingest/messages.js';
import { storeBatch } from '../../ingest/store.js';
import { retryable } from '../../ingest/writer.js';
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
});
