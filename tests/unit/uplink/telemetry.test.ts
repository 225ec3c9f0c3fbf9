/** Telemetry upload rules over a real SQLite file and a scripted broker. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/core/clock.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { createReadingStore } from '../../../src/store/readings.js';
import { createTelemetryOutbox } from '../../../src/store/telemetry-outbox.js';
import { createTelemetrySender, type TelemetryMessage } from '../../../src/uplink/telemetry.js';

describe('telemetry', () => {
  let dir: string;
  let db: Db;
  const clock = createManualClock(5_000);
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-tel-')); db = openDatabase(dir); });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  function setup(maxBytes = 1024) {
    const readings = createReadingStore(db, clock);
    const add = (n: number) => { for (let i = 0; i < n; i++) readings.add({ device: 'radar', ts: clock.now() + i, metric: 'breathRatePerMin', value: 16 }); readings.flush(); };
    const outbox = createTelemetryOutbox(db);
    const sent: Array<{ msg: TelemetryMessage; done: (err?: Error) => void }> = [];
    let allowed = true;
    const sender = createTelemetrySender({
      hubId: 'h', outbox, maxBytes, now: clock.now, canSend: () => allowed,
      publish: (payload, done) => sent.push({ msg: JSON.parse(payload) as TelemetryMessage, done }),
    });
    return { add, outbox, sender, sent, readings, allow: (v: boolean) => { allowed = v; } };
  }

  it('sends size-bounded messages of consecutive ids, one in flight, and advances only on PUBACK', () => {
    const h = setup(1024);
    h.add(100);
    h.sender.tick();
    h.sender.tick(); // still in flight: nothing more
    expect(h.sent).toHaveLength(1);
    const m = h.sent[0]!.msg;
    expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(1024);
    expect(m.seq_from).toBe(1);
    expect(m.readings).toHaveLength(m.seq_to - m.seq_from + 1);
    h.sent[0]!.done(new Error('refused'));
    h.sender.tick();
    expect(h.sent[1]!.msg.seq_from).toBe(1); // the same range again
    h.sent[1]!.done();
    // Acknowledged messages drain the backlog back to back until every id was sent once.
    for (let i = 2; i < h.sent.length + 1 && i < 50; i++) h.sent[i]?.done();
    const acked = h.sent.slice(1).map((s): [number, number] => [s.msg.seq_from, s.msg.seq_to]);
    expect(acked.at(-1)![1]).toBe(100);
    for (let i = 1; i < acked.length; i++) expect(acked[i]![0]).toBe(acked[i - 1]![1] + 1);
    expect(h.outbox.sentUpTo()).toBe(100);
  });

  it('waits while events are in flight (canSend false)', () => {
    const h = setup();
    h.add(3);
    h.allow(false);
    h.sender.tick();
    expect(h.sent).toEqual([]);
  });

  it('reports readings evicted before they were sent as a gap, and resumes after a restart', () => {
    const h = setup(64 * 1024);
    h.add(10);
    h.sender.tick();
    h.sent[0]!.done();
    h.add(10); // ids 11..20
    db.exec('DELETE FROM readings WHERE id <= 15'); // evicted (quota) before upload
    const again = createTelemetryOutbox(db); // a restart: the pointer is on disk
    expect(again.sentUpTo()).toBe(10);
    expect(again.nextBatch(100)).toMatchObject({ gap: { from: 11, to: 15 }, firstId: 16, lastId: 20 });
  });
});
