/** Events the store cannot take (issue 12, findings 2 and 14): held in order, published without a seq, bounded. */
import { describe, expect, it } from 'vitest';
import type { EventDraft, PendingEvent, StoredEvent } from '../../../src/core/event.js';
import { createEventCommitter, MAX_HELD } from '../../../src/daemon/held-events.js';
import type { Outbox, PreparedEvent } from '../../../src/store/outbox.js';

function harness() {
  let failing = true;
  let inTx = false;
  let seq = 0;
  let n = 0;
  const stored: StoredEvent[] = [];
  const heldOut: PendingEvent[] = [];
  const dropped: PendingEvent[] = [];
  const outbox = {
    prepare: (d: EventDraft): PreparedEvent => ({ ...d, id: `id-${++n}`, ts: n, monoMs: null }),
    commit: (p: PreparedEvent): StoredEvent => {
      if (failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      const { monoMs: _mono, ...e } = p;
      return { ...e, seq: ++seq };
    },
    inTransaction: () => inTx,
  } as unknown as Outbox;
  const c = createEventCommitter({
    outbox, onEvent: (e) => stored.push(e), transact: (fn) => fn(), write: (_w, fn) => fn(),
    onHeld: (e) => heldOut.push(e), onHeldDropped: (d) => dropped.push(...d),
  });
  const counters = { events: 0 };
  const draft = (type: string, i = 0): EventDraft => ({ type, severity: 'warning', device: 'd', state: 'raised', data: { i } });
  return {
    c, stored, heldOut, dropped, counters, draft,
    setFailing: (v: boolean) => { failing = v; },
    setInTx: (v: boolean) => { inTx = v; },
  };
}

describe('held events', () => {
  it('a failed commit holds the event, hands it over unstored at once, and commits it later with the same id and ts', () => {
    const h = harness();
    h.c.commit(h.draft('alarm.test'), h.counters);
    expect(h.stored).toEqual([]);
    expect(h.heldOut.map((e) => [e.id, e.ts, e.type])).toEqual([['id-1', 1, 'alarm.test']]);
    expect(h.c.held()).toEqual({ events: 1, alarms: 1, dropped: 0 });
    h.c.commit(h.draft('device.offline'), h.counters); // queues behind, in order, published too
    expect(h.heldOut.map((e) => e.id)).toEqual(['id-1', 'id-2']);
    h.setFailing(false);
    h.c.retryHeld();
    expect(h.stored.map((e) => [e.id, e.ts, e.seq])).toEqual([['id-1', 1, 1], ['id-2', 2, 2]]);
    expect(h.counters.events).toBe(2);
    expect(h.c.held().events).toBe(0);
  });

  it('never commits inside an open transaction: held, and retried only outside one', () => {
    const h = harness();
    h.setFailing(false);
    h.setInTx(true);
    h.c.commit(h.draft('alarm.test'), h.counters);
    h.c.retryHeld();
    expect(h.stored).toEqual([]);
    expect(h.c.held().events).toBe(1);
    h.setInTx(false);
    h.c.retryHeld();
    expect(h.stored.map((e) => e.seq)).toEqual([1]);
  });

  it(`beyond ${MAX_HELD} held: drops device events first, then hub events, oldest first; never alarms or reports`, () => {
    const h = harness();
    h.c.commit(h.draft('hub.disk_full'), h.counters);
    h.c.commit(h.draft('report.sleep'), h.counters);
    for (let i = 0; i < 10; i++) h.c.commit(h.draft('alarm.test', i), h.counters);
    for (let i = 0; i < MAX_HELD; i++) h.c.commit(h.draft('device.link_fault', i), h.counters);
    expect(h.c.held()).toMatchObject({ events: MAX_HELD, alarms: 10 });
    expect(h.dropped).toHaveLength(12);
    expect(new Set(h.dropped.map((e) => e.type))).toEqual(new Set(['device.link_fault']));
    expect(h.dropped.map((e) => e.data.i)).toEqual([...Array(12).keys()]); // the oldest
    // Only alarms, a report and the hub event left to drop from: then the hub event goes, never the rest.
    for (let i = 0; i < MAX_HELD; i++) h.c.commit(h.draft('alarm.more', i), h.counters);
    const left = h.c.held();
    expect(left.alarms).toBe(MAX_HELD + 10);
    expect(h.dropped.some((e) => e.type === 'hub.disk_full')).toBe(true);
    expect(h.dropped.some((e) => e.type.startsWith('alarm.') || e.type.startsWith('report.'))).toBe(false);
    expect(left.dropped).toBe(h.dropped.length);
    h.setFailing(false);
    h.c.retryHeld();
    expect(h.stored.filter((e) => e.type.startsWith('alarm.'))).toHaveLength(MAX_HELD + 10);
    expect(h.stored.filter((e) => e.type === 'report.sleep')).toHaveLength(1);
  });
});
