// The wire text of events and reports is written field by field with the stored data spliced in
// (src/uplink/contract.ts wireFormat): it must be, byte for byte, JSON.stringify of the message
// object the contract describes (docs/uplink.md, docs/schema/event.v1.json, report.v1.json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventMessage, ReportMessage } from '../../../src/uplink/contract.js';
import { wireFormat, wireSql } from '../../../src/uplink/contract.js';
import type { OutboxRow } from '../../../src/store/outbox-types.js';
import { openDatabase } from '../../../src/store/database.js';
import { createOutbox, drainWireStatement } from '../../../src/store/outbox.js';

const datas: Record<string, unknown>[] = [
  {},
  { rate_per_min: 31, threshold_per_min: 30.5, sustained_s: 60, condition: 'high' },
  { text: 'quote " backslash \\ newline \n tab \t nul \u0000 line sep \u2028 卧室 😀', nested: { a: [1, 'two', null, true, { b: -0.000123 }] } },
  { big: 1e21, small: 5e-324, neg: -42, max: Number.MAX_SAFE_INTEGER, '1': 'integer-like key', b: 'after it', a: 'order kept' },
];

function row(i: number, data: Record<string, unknown>, over: Partial<OutboxRow> = {}): OutboxRow {
  return {
    seq: 100 + i, prio: 1, id: `id-${i}-"odd"`, ts: 1795982783325 + i, type: 'event.apnea', severity: 'info', device: i % 2 ? null : 'bed "radar"',
    state: 'info', dataJson: JSON.stringify(data), tsUnsynced: false, tsDevice: null, ...over,
  };
}

/** The message object the contract describes, built the plain way. */
function eventObject(hub: string, epoch: string, r: OutboxRow): EventMessage {
  return {
    v: 1, id: r.id, seq: r.seq, epoch, ts: r.ts, hub, type: r.type, severity: r.severity, device: r.device, state: r.state,
    data: JSON.parse(r.dataJson) as Record<string, unknown>,
    ...(r.tsDevice !== null ? { ts_corrected: true as const, ts_device: r.tsDevice } : r.tsUnsynced ? { ts_unsynced: true as const } : {}),
  };
}

describe('wireFormat', () => {
  const hub = 'hub-"0001"';
  const epoch = 'ab12cd34ef56ab78';
  const wire = wireFormat(hub, epoch);
  const variants: Partial<OutboxRow>[] = [{}, { tsUnsynced: true }, { tsDevice: 12_345, ts: 1795982000000 }, { prio: 0, type: 'alarm.breathing_rate', severity: 'critical', state: 'raised' }];

  it('an event is JSON.stringify of its message object, byte for byte', () => {
    let n = 0;
    for (const [i, d] of datas.entries()) for (const v of variants) {
      const r = row(i, d, v);
      expect(wire.event(r)).toBe(JSON.stringify(eventObject(hub, epoch, r)));
      n++;
    }
    expect(n).toBe(datas.length * variants.length);
  });

  it('a report carries report_seq instead of seq, and gap when there is one', () => {
    for (const [i, d] of datas.entries()) for (const v of variants) for (const gap of [null, { from: 3, to: 7 }]) {
      const r = row(i, d, { ...v, prio: 2, type: 'report.sleep' });
      const { v: ver, id, seq, ...rest } = eventObject(hub, epoch, r);
      const expected: ReportMessage = { v: ver, id, report_seq: seq, ...rest, ...(gap ? { gap } : {}) };
      expect(wire.report(r, gap)).toBe(JSON.stringify(expected));
    }
  });
});

describe('wireSql: the drain reader gets the same message from SQLite', () => {
  it('is byte for byte WireFormat.event of the same stored row, corrected, marked or neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-wiresql-'));
    try {
      const db = openDatabase(dir);
      let unsynced = false;
      const outbox = createOutbox(db, { now: () => 1795982783325 }, { doneWhen: 'puback', clockUnsynced: () => unsynced });
      const strings = ['plain', 'q"uote', "single ' quote", 'back\\slash', 'nl\n tab\t nul\u0000 us\u001f', '卧室 😀', 'ls\u2028ps\u2029'];
      let n = 0;
      for (const str of strings) for (const d of datas) {
        unsynced = n % 3 === 1;
        outbox.append({ type: `event.${n}`, severity: 'info', device: n % 4 === 0 ? null : str, state: 'info', data: { ...d, str } });
        n++;
      }
      // Two of them corrected, as the ts correction leaves them.
      db.prepare('UPDATE events SET ts_corrected = ts + 5000 WHERE seq IN (2, 5)').run();
      for (const hub of ['hub-0001', "hub-'q'\"x\""]) {
        const wire = wireFormat(hub, outbox.epoch());
        const page = drainWireStatement(db, 'puback', wireSql(hub, outbox.epoch()))(null, 1000);
        const rows = outbox.next(null, 1000);
        expect(page.map((r) => r[0])).toEqual(rows.map((r) => r.seq));
        for (const [i, r] of rows.entries()) {
          expect(page[i]![3]).toBe(wire.event(r));
          expect(page[i]![2] === 1).toBe(r.tsUnsynced);
          expect(page[i]![1]).toBe(r.prio);
        }
        expect(rows.filter((r) => r.tsDevice !== null).map((r) => r.seq)).toEqual([2, 5]);
        expect(rows.filter((r) => r.tsUnsynced).length).toBeGreaterThan(5);
      }
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
