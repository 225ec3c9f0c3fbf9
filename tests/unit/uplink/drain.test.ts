/** Delivery rules of the drainer, against a real SQLite outbox and a scripted "broker". */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/core/clock.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { createOutbox, type DoneWhen, type Outbox, type OutboxRow } from '../../../src/store/outbox.js';
import { createDrainer } from '../../../src/uplink/drain.js';
import { fullJitterDelayMs } from '../../../src/core/backoff.js';

describe('drainer', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-drain-')); db = openDatabase(dir); });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  function setup(doneWhen: DoneWhen, window = 3) {
    const clock = createManualClock(0);
    const outbox: Outbox = createOutbox(db, clock, { doneWhen });
    const sent: Array<{ e: OutboxRow; ack: (err?: Error) => void }> = [];
    let connected = true;
    const d = createDrainer({
      outbox, clock, window, doneWhen, retryMs: 10_000, ackTimeoutMs: 60_000,
      canPublish: () => connected, publish: (e, done) => sent.push({ e, ack: done }),
    });
    const add = (type = 'device.x') => { const e = outbox.append({ type, severity: 'info', device: 'd', state: 'info', data: {} }); d.onNewEvent(e); return e; };
    return { clock, outbox, d, sent, add, setConnected: (v: boolean) => { connected = v; } };
  }

  it('keeps at most `window` publishes unacknowledged, in seq order', () => {
    const h = setup('puback');
    for (let i = 0; i < 5; i++) h.add();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, 2, 3]);
    h.sent[0]!.ack();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, 2, 3, 4]);
    expect(h.d.stats()).toMatchObject({ inFlight: 3, pubacked: 1 });
  });

  it('an alarm jumps the queue of a backlog', () => {
    const h = setup('puback', 1);
    for (let i = 0; i < 4; i++) h.add();
    const alarm = h.add('alarm.breathing_rate');
    h.sent[0]!.ack();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, alarm.seq]);
    for (let i = 1; i < 5; i++) h.sent[i]!.ack();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, alarm.seq, 2, 3, 4]);
    expect(h.d.stats()).toMatchObject({ published: 5, resent: 0 }); // the rewind for the alarm resends nothing
  });

  it('an alarm committed while the page read ahead holds events behind the last alarm sent goes next, not after that page', () => {
    const h = setup('puback', 1);
    db.transaction(() => {
      h.outbox.append({ type: 'alarm.apnea', severity: 'critical', device: 'd', state: 'raised', data: {} });
      for (let i = 0; i < 3; i++) h.outbox.append({ type: 'device.x', severity: 'info', device: 'd', state: 'info', data: {} });
    })();
    h.d.drain(); // reads the page [alarm 1, events 2-4] and publishes the alarm; the cursor is still among the alarms
    expect(h.sent.map((s) => s.e.seq)).toEqual([1]);
    const alarm = h.add('alarm.breathing_rate'); // after the cursor, but before the events read ahead
    h.sent[0]!.ack();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, alarm.seq]);
    for (let i = 1; i < 5; i++) h.sent[i]!.ack();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, alarm.seq, 2, 3, 4]);
  });

  it('puback mode: acknowledged events leave the outbox (written in batches)', () => {
    const h = setup('puback');
    h.add(); h.add();
    for (const s of h.sent) s.ack();
    h.d.flush();
    expect(h.outbox.next(null, 10)).toEqual([]);
  });

  it('puback mode: a full batch of PUBACKs is written right after the turn that completed it, without waiting for the timer', async () => {
    const h = setup('puback', 2000);
    db.transaction(() => { for (let i = 0; i < 1100; i++) h.outbox.append({ type: 'device.x', severity: 'info', device: 'd', state: 'info', data: {} }); })();
    h.d.drain();
    expect(h.sent).toHaveLength(1100);
    for (const s of h.sent.slice(0, 1023)) s.ack();
    await new Promise((r) => setImmediate(r));
    expect(h.outbox.depth().event).toBe(1100); // 1023: not yet a batch
    h.sent[1023]!.ack();
    expect(h.outbox.depth().event).toBe(1100); // not inside the PUBACK handler either
    await new Promise((r) => setImmediate(r));
    expect(h.outbox.depth().event).toBe(1100 - 1024);
  });

  it('a refused publish is sent again by the next sweep, with the same id', () => {
    const h = setup('puback');
    const e = h.add();
    h.sent[0]!.ack(new Error('quota exceeded'));
    h.d.sweep();
    expect(h.sent.map((s) => [s.e.seq, s.e.id])).toEqual([[1, e.id], [1, e.id]]);
    expect(h.d.stats()).toMatchObject({ refused: 1, resent: 1 });
  });

  it('cloud_ack mode: PUBACKed events wait for the cloud, and are resent after ack_timeout', () => {
    const h = setup('cloud_ack');
    h.add(); h.add();
    for (const s of h.sent) s.ack();
    h.d.flush();
    expect(h.d.stats()).toMatchObject({ inFlight: 0, awaitingCloudAck: 2 });
    h.clock.advance(30_000);
    h.d.sweep();
    expect(h.sent).toHaveLength(2); // not yet
    expect(h.d.onCloudAck(1)).toBe(1);
    h.clock.advance(31_000);
    h.d.sweep();
    expect(h.sent.map((s) => s.e.seq)).toEqual([1, 2, 2]); // seq 2 again; seq 1 is safe in the cloud
    expect(h.d.stats()).toMatchObject({ published: 3, resent: 1 });
  });

  it('publishes nothing while disconnected and resumes on drain', () => {
    const h = setup('puback');
    h.setConnected(false);
    h.add();
    expect(h.sent).toEqual([]);
    h.setConnected(true);
    h.d.drain();
    expect(h.sent).toHaveLength(1);
  });

  it('reports: a drainer of their own, in report_seq order, done on the report_seq ack; the events\' seq is not theirs', () => {
    const clock = createManualClock(0);
    const outbox = createOutbox(db, clock, { doneWhen: 'cloud_ack' });
    const sent: Array<{ e: OutboxRow; ack: (err?: Error) => void }> = [];
    const d = createDrainer({
      outbox: outbox.reports, position: (r) => ({ prio: 2, seq: r.seq }), clock, window: 2, doneWhen: 'cloud_ack', retryMs: 10_000, ackTimeoutMs: 60_000,
      canPublish: () => true, publish: (e, done) => sent.push({ e, ack: done }),
    });
    outbox.append({ type: 'alarm.apnea', severity: 'critical', device: 'd', state: 'raised', data: {} });
    for (let n = 0; n < 3; n++) d.onNewEvent(outbox.append({ type: 'report.sleep', severity: 'info', device: 'd', state: 'info', data: { n } }));
    expect(sent.map((s) => [s.e.type, s.e.seq])).toEqual([['report.sleep', 1], ['report.sleep', 2]]);
    for (const s of sent) s.ack();
    expect(sent.map((s) => s.e.seq)).toEqual([1, 2, 3]);
    sent[2]!.ack();
    d.flush();
    // The events ack (seq 1: the alarm) leaves them; the report_seq ack takes 1 and 2.
    expect(outbox.ackUpTo(1)).toBe(1);
    expect(outbox.depth().report).toBe(3);
    expect(d.onCloudAck(2)).toBe(2);
    clock.advance(61_000);
    d.sweep();
    expect(sent.map((s) => s.e.seq)).toEqual([1, 2, 3, 3]); // only the unacknowledged report again
  });
});

describe('reconnect backoff (full jitter)', () => {
  it('grows exponentially to the cap and is spread uniformly below it', () => {
    expect([0, 1, 2, 3, 10].map((n) => fullJitterDelayMs(n, 1000, 60_000, () => 0.999999))).toEqual([999, 1999, 3999, 7999, 59999]);
    expect(fullJitterDelayMs(5, 1000, 60_000, () => 0)).toBe(0);
    expect(fullJitterDelayMs(1e6, 1000, 60_000, () => 0.5)).toBe(30_000);
  });
});

describe('redactUrl', () => {
  it('hides a password in a broker URL and leaves the rest', async () => {
    const { redactUrl } = await import('../../../src/uplink/redact-url.js');
    expect(redactUrl('mqtts://hub-1:S3cret@broker.example:8883')).toBe('mqtts://hub-1:[redacted]@broker.example:8883');
    expect(redactUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(redactUrl('mqtt://user@host:1')).toBe('mqtt://user@host:1');
  });
});
