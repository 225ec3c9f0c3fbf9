/**
 * The fleet run's verdict (bench/fleet/analyze.ts) comes from the databases: a seq missing in
 * PostgreSQL, a hole below the highest stored seq, an outage alarm not acked by its hub's outbox or
 * not stored, each fails the run, whatever the counters say.
 */
import { describe, expect, it } from 'vitest';
import { analyze, type RunRecord } from '../../../bench/fleet/analyze.js';
import { parseFleetArgs } from '../../../bench/fleet/args.js';

const T0 = 1_000_000;
const DOWN = T0 + 10_000;
const UP = T0 + 20_000;

/** Two hubs, three alarms each (the second raised in the outage), all stored and acked. */
function record(): RunRecord {
  const alarms = (hub: string): Array<[number, string, number, number | null]> => [
    [1, `${hub}-a1`, T0 + 5_000, T0 + 5_100], [2, `${hub}-a2`, T0 + 15_000, UP + 3_000], [3, `${hub}-a3`, UP + 5_000, UP + 5_200],
  ];
  const hubs = ['h1', 'h2'];
  return {
    args: parseFleetArgs(['--hubs', '2', '--outage-s', '10', '--minutes', '1']),
    t0: T0, tConnected: T0 + 1_000, tDown: DOWN, tUp: UP, tKill: UP + 2_000, tQuiet: UP + 10_000, tDrained: UP + 12_000, deadline: UP + 60_000,
    timeline: [0, 5, 9, 15, 25, 35].map((sec) => ({
      t: T0 + sec * 1000, connected: sec > 10 && sec < 20 ? 0 : 2, hubRssBytes: 100e6, hubCpuMs: sec * 10, alarmsRaised: 0, eventsRaised: 0,
      brokerCpuMs: sec, brokerRssBytes: 1e6, ingestCpuMs: [sec, sec],
    })),
    connects: [T0 + 500, T0 + 600, UP + 700, UP + 1_900],
    bootRss: [50e6],
    reports: hubs.map((hub) => ({ hub, epoch: `e-${hub}`, lastSeq: 3, unacked: 0, alarms: alarms(hub), published: 3, resent: 0 })),
    stored: hubs.map((hub) => ({ hub, epoch: `e-${hub}`, distinctSeqs: 3, maxSeq: 3, rows: 3 })),
    contiguous: hubs.map((hub) => ({ hub, epoch: `e-${hub}`, contiguous: 3 })),
    alarmsStored: hubs.flatMap((hub) => [1, 2, 3].map((i) => ({ hub, id: `${hub}-a${i}`, at: UP + i * 1_000 }))),
    ingest: [
      { clientId: 'i1', killed: false, batches: [{ time: UP + 3_000, messages: 4, fresh: 4, duplicates: 1 }] },
      { clientId: 'i2', killed: true, batches: [{ time: T0 + 5_000, messages: 2, fresh: 2, duplicates: 0 }] },
    ],
    warnings: [],
  };
}

describe('fleet analysis', () => {
  it('passes a complete run and reports its figures', () => {
    const r = analyze(record());
    expect(r.problems).toEqual([]);
    expect(r.pass).toBe(true);
    expect(r.outageAlarms).toEqual({ raised: 2, stored: 2, acked: 2, allStoredAfterS: 2, allAckedAfterS: 3 });
    expect(r.reconnects).toMatchObject({ count: 2, peakPerS: 1, histogram: [[0, 1], [1, 1]] });
    expect(r.gaps).toEqual({ holes: 0, missing: 0, hubsWithGap: 0 });
    expect(r.duplicatesAbsorbed).toBe(1);
    expect(r.ingest.map((i) => [i.storedBeforeKill, i.storedAfterKill])).toEqual([[0, 4], [2, 0]]);
  });

  it('fails on a seq missing in PostgreSQL, even with every outbox acked', () => {
    const rec = record();
    rec.stored[1] = { ...rec.stored[1]!, distinctSeqs: 2, rows: 2 }; // seq 2 of h2 never stored
    rec.contiguous[1] = { ...rec.contiguous[1]!, contiguous: 1 };
    const r = analyze(rec);
    expect(r.pass).toBe(false);
    expect(r.gaps).toEqual({ holes: 1, missing: 1, hubsWithGap: 1 });
  });

  it('fails on an outage alarm its hub still holds unacked, or PostgreSQL does not have', () => {
    const unacked = record();
    unacked.reports[0]!.alarms[1]![3] = null;
    expect(analyze(unacked).problems).toContain('1 outage alarms unacked at the deadline');
    const unstored = record();
    unstored.alarmsStored = unstored.alarmsStored.filter((a) => a.id !== 'h1-a2');
    expect(analyze(unstored).problems).toContain('1 outage alarms not stored');
  });

  it('fails a run that proves nothing: no alarm raised during the outage', () => {
    const rec = record();
    for (const h of rec.reports) h.alarms = h.alarms.filter(([, , ts]) => ts < DOWN || ts > UP);
    expect(analyze(rec).problems[0]).toMatch(/no alarm was raised during the outage/);
  });
});
