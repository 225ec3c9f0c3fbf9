/**
 * The drain reader (src/uplink/drain-reader.ts): a backlog's pages are read, written as messages,
 * and its PUBACKs recorded on a worker thread with its own connection to the real database file.
 * It may only make a drain faster, never different:
 *  - every row is published once, in drain order, as the very message the daemon's thread writes;
 *  - every PUBACK is recorded (the outbox is empty after the drain, in puback mode);
 *  - an alarm committed mid-drain still jumps the queue;
 *  - if the thread ends mid-drain, the drain goes on on the daemon's thread and nothing is lost.
 * The thread runs from the build (dist/), like the daemon in the other integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon-process.js';

const dist = async <T>(p: string): Promise<T> => (await import(join(ROOT, 'dist', p))) as T;
const { openDatabase } = await dist<typeof import('../../src/store/database.js')>('src/store/database.js');
const { createOutbox } = await dist<typeof import('../../src/store/outbox.js')>('src/store/outbox.js');
const { createDrainer } = await dist<typeof import('../../src/uplink/drain.js')>('src/uplink/drain.js');
const { createDrainReader } = await dist<typeof import('../../src/uplink/drain-reader.js')>('src/uplink/drain-reader.js');
const { wireFormat } = await dist<typeof import('../../src/uplink/contract.js')>('src/uplink/contract.js');
const { createManualClock } = await dist<typeof import('../../src/core/clock.js')>('src/core/clock.js');

type Db = import('../../src/store/database.js').Db;
type Outbox = import('../../src/store/outbox.js').Outbox;
type Row = import('../../src/store/outbox.js').OutboxRow | import('../../src/uplink/drain-reader.js').WrittenRow;

const HUB = 'hub-reader';
const log = pino({ level: 'silent' });
const event = (i: number) => ({ type: 'device.offline', severity: 'warning' as const, device: `radar-${i % 7}`, state: 'raised' as const, data: { i, note: `n"${i}" 卧室` } });
const alarm = (i: number) => ({ type: 'alarm.apnea', severity: 'critical' as const, device: 'bed', state: 'raised' as const, data: { i } });
const nextTurn = () => new Promise((r) => setImmediate(r));

let dir: string;
let db: Db;
let stopped = false;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-reader-')); db = openDatabase(dir); stopped = false; });
afterEach(() => { stopped = true; db.close(); rmSync(dir, { recursive: true, force: true }); });

/** A drainer with the reader over `outbox`, publishing into `sent`; PUBACKs come a timer later, as from a broker. */
function harness(outbox: Outbox, window = 16) {
  const clock = createManualClock(1_000);
  const reader = createDrainReader({ file: outbox.file!, hubId: HUB, epoch: outbox.epoch(), doneWhen: 'puback', markHere: (s) => outbox.markPubacked(s), now: clock.now, log, idleMs: 60_000 });
  if (!reader) throw new Error('the drain reader worker is missing from dist/: run npm run build');
  const wire = wireFormat(HUB, outbox.epoch());
  const sent: Array<{ seq: number; payload: string; fromReader: boolean }> = [];
  const d = createDrainer({
    outbox, reader, clock, window, doneWhen: 'puback', retryMs: 60_000, ackTimeoutMs: 60_000, canPublish: () => true,
    publish(e: Row, done) {
      const fromReader = 'payload' in e;
      if (e.tsUnsynced) outbox.markSentUnsynced(e.seq);
      sent.push({ seq: e.seq, payload: fromReader ? e.payload : wire.event(e), fromReader });
      // A broker's PUBACK comes a while later: the reader has the time to read the next page.
      setTimeout(() => { if (!stopped) done(); }, 0);
    },
  });
  /** Starts the thread (it starts with the first page asked for) and waits until it answers. */
  const warm = () => new Promise<void>((resolve) => reader.page({ prio: 0, seq: 0 }, 1, () => resolve()));
  return { reader, d, sent, wire, warm };
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await nextTurn();
  }
}

describe('drain reader thread', () => {
  it('publishes a backlog once, in order, as the messages the daemon thread writes, and records every PUBACK', async () => {
    const unsynced = new Set([5, 700, 2999]);
    let i = 0;
    const outbox = createOutbox(db, createManualClock(1_000), { doneWhen: 'puback', clockUnsynced: () => unsynced.has(i) });
    db.transaction(() => { for (i = 1; i <= 3000; i++) outbox.append(event(i)); })();
    const expected = new Map(outbox.since(0, 5000).map((r) => [r.seq, wireFormat(HUB, outbox.epoch()).event(r)]));
    const h = harness(outbox);
    await h.warm();
    h.d.drain();
    await until('the backlog to be published', () => h.sent.length >= 3000);
    expect(h.sent.map((s) => s.seq)).toEqual([...expected.keys()]);
    for (const s of h.sent) expect(s.payload).toBe(expected.get(s.seq));
    const fromReader = h.sent.filter((s) => s.fromReader).length;
    expect(fromReader, 'most pages came from the reader thread').toBeGreaterThan(1500);
    expect(h.reader.running()).toBe(true);
    await until('the last PUBACKs', () => h.d.stats().pubacked === 3000);
    h.d.flush();
    await h.reader.close();
    expect(h.reader.running()).toBe(false);
    expect(outbox.depth()).toEqual({ alarm: 0, event: 0, report: 0 });
    expect(db.prepare('SELECT seq FROM events WHERE sent_unsynced = 1 ORDER BY seq').all()).toEqual([...unsynced].map((seq) => ({ seq })));
  });

  it('an alarm committed mid-drain jumps the queue of pages the thread reads', async () => {
    const outbox = createOutbox(db, createManualClock(1_000), { doneWhen: 'puback' });
    db.transaction(() => { for (let i = 1; i <= 2000; i++) outbox.append(event(i)); })();
    const h = harness(outbox, 4);
    await h.warm();
    h.d.drain();
    await until('the reader to serve pages', () => h.sent.filter((s) => s.fromReader).length > 300);
    const a = outbox.append(alarm(1));
    h.d.onNewEvent(a);
    const at = h.sent.length;
    await until('the alarm', () => h.sent.some((s) => s.seq === a.seq));
    expect(h.sent.findIndex((s) => s.seq === a.seq) - at, 'behind at most the window in flight').toBeLessThanOrEqual(4);
    await until('the backlog', () => h.d.stats().pubacked === 2001);
    expect(new Set(h.sent.map((s) => s.seq)).size).toBe(2001);
    h.d.flush();
    await h.reader.close();
    expect(outbox.depth()).toEqual({ alarm: 0, event: 0, report: 0 });
  });

  it('if the thread ends mid-drain, the drain goes on here, and the records it held are written here', async () => {
    const outbox = createOutbox(db, createManualClock(1_000), { doneWhen: 'puback' });
    db.transaction(() => { for (let i = 1; i <= 4000; i++) outbox.append(event(i)); })();
    const h = harness(outbox);
    await h.warm();
    h.d.drain();
    await until('the reader to serve pages', () => h.sent.filter((s) => s.fromReader).length > 1000);
    h.d.flush(); // records handed to the thread...
    await h.reader.close(0); // ...which is ended at once (terminated if it has not finished them)
    expect(h.reader.running()).toBe(false);
    await until('the backlog', () => h.d.stats().pubacked === 4000);
    h.d.flush();
    await h.reader.close();
    expect(h.sent.map((s) => s.seq)).toEqual(Array.from({ length: 4000 }, (_, k) => k + 1));
    expect(outbox.depth()).toEqual({ alarm: 0, event: 0, report: 0 });
  });
});
