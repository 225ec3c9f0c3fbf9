/**
 * `npm run faults` in small (issue 17, point 3; faults/README.md): the run's counting first, on
 * made-up ledgers (a loss, a seq moved, a gap must show; a row that injected nothing must fail),
 * then one round of two cheap scenarios through the real daemon, Mosquitto, socat and the reference
 * cloud consumer, side by side (each its own home). The full run is `npm run faults`.
 */
import { describe, expect, it } from 'vitest';
import type { Ledger, LedgerEvent } from '../../faults/ledger.js';
import { tally } from '../../faults/ledger.js';
import { judge, markdownTable } from '../../faults/runner.js';
import type { ScenarioRow } from '../../faults/scenario.js';
import { proxy } from '../../faults/scenarios/process-and-network.js';
import { serialUnplug } from '../../faults/scenarios/clock-and-devices.js';
import { prng } from '../helpers/prng.js';

const ev = (seq: number, type = 'alarm.fall', state = 'raised'): LedgerEvent => ({ id: `id-${seq}`, seq, type, state });
const ledgerOf = (epoch: string, events: LedgerEvent[]): Ledger => new Map([[epoch, new Map(events.map((e) => [e.id, e]))]]);

describe('the faults run counts what the cloud is missing', () => {
  it('a committed event the cloud lacks, or has under another seq, is lost; a hole below the top is a gap', () => {
    const ledger = ledgerOf('e1', [ev(1), ev(2, 'device.online', 'info'), ev(3), ev(4)]);
    const cloud = [{ id: 'id-1', seq: 1 }, { id: 'id-3', seq: 4 }, { id: 'id-4', seq: 4 }];
    const t = tally(ledger, (epoch) => (epoch === 'e1' ? cloud : []));
    expect(t).toMatchObject({ committed: 4, alarmsRaised: 3, delivered: 2, lost: 2, gaps: 2 });
    expect(t.lostIds).toEqual(['e1/2/id-2', 'e1/3/id-3']);
    // Another epoch's events are not this epoch's: stored under the old epoch only, the new one is lost.
    expect(tally(ledgerOf('e2', [ev(1)]), (epoch) => (epoch === 'e1' ? cloud : [])).lost).toBe(1);
    expect(tally(ledger, () => [1, 2, 3, 4].map((s) => ({ id: `id-${s}`, seq: s })))).toMatchObject({ lost: 0, gaps: 0, delivered: 4 });
  });

  it('a row passes only with faults injected and survived, alarms raised, nothing lost and no gap', () => {
    const good: Omit<ScenarioRow, 'ok'> = { scenario: 'x', injected: 2, survived: 2, notes: [], committed: 4, alarmsRaised: 2, delivered: 4, lost: 0, lostIds: [], gaps: 0, duplicates: 1, wallS: 1, error: null };
    expect(judge(good)).toBe(true);
    for (const bad of [{ lost: 1 }, { gaps: 1 }, { injected: 0, survived: 0 }, { survived: 1 }, { alarmsRaised: 0 }, { error: 'boom' }]) {
      expect(judge({ ...good, ...bad }), JSON.stringify(bad)).toBe(false);
    }
    expect(markdownTable([{ ...good, ok: true }, { ...good, lost: 3, ok: false, error: 'a | b' }])).toMatch(/\| x \| 2 \| 2 \| 2 \| 4 \| 3 \| 0 \| 1 \| 1 \| FAILED: a \/ b \|$/m);
  });
});

describe.concurrent('one round of cheap fault scenarios through the real daemon', () => {
  for (const s of [proxy, serialUnplug]) {
    it(`${s.name}: faults injected and survived, alarms raised, lost 0, no seq gap`, async () => {
      const lines: string[] = [];
      const out = await s.run({ rounds: 1, rand: prng(2026_12_07), log: (l) => lines.push(l) });
      const row = { scenario: s.name, ...out, wallS: 0, error: out.notes.find((n) => n.startsWith('injection failed')) ?? null };
      expect(row.error, lines.join('\n')).toBeNull();
      expect(row.injected).toBeGreaterThan(0);
      expect(row.survived).toBe(row.injected);
      expect(row.alarmsRaised).toBeGreaterThan(0);
      expect(row.delivered).toBe(row.committed);
      expect({ lost: row.lost, gaps: row.gaps, lostIds: row.lostIds }).toEqual({ lost: 0, gaps: 0, lostIds: [] });
      expect(judge(row)).toBe(true);
    }, 120_000);
  }
});
