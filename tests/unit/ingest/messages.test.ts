/** What hubs send, checked before it reaches PostgreSQL (ingest/messages.ts): bad input is a value, never a throw. */
import { describe, expect, it } from 'vitest';
import { parseInbound, topicOf, withoutNul } from '../../../ingest/messages.js';

const event = { v: 1, id: 'e1', seq: 3, epoch: '3f9a1c0d5e7b2a44', ts: 1795967025959, hub: 'hub-1', type: 'alarm.smoke', severity: 'critical', device: 'kitchen', state: 'raised', data: { a: 1 }, future_field: true };
const parse = (kind: Parameters<typeof parseInbound>[1], body: unknown) => parseInbound('hub-1', kind, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

describe('ingest messages', () => {
  it('topics: only anju/v1/<hub>/<known topic>, one level of hub id', () => {
    expect(topicOf('anju/v1/hub-1/events')).toEqual({ hub: 'hub-1', kind: 'events' });
    expect(topicOf('anju/v1/hub-1/ack')).toBeNull();
    expect(topicOf('anju/v1/a/b/events')).toBeNull();
    expect(topicOf('anju-cloud/replies/x')).toBeNull();
  });

  it('an event keeps its fields and the whole message (unknown fields too)', () => {
    const r = parse('events', event);
    expect(r).toEqual({ ok: true, msg: { kind: 'event', row: { hub: 'hub-1', id: 'e1', epoch: '3f9a1c0d5e7b2a44', seq: 3, ts: 1795967025959, type: 'alarm.smoke', severity: 'critical', device: 'kitchen', state: 'raised', data: { a: 1 }, message: event } } });
  });

  it('refuses, naming the field: another hub\'s id, a bad seq, NUL in a key field, not an object, not JSON', () => {
    const problem = (kind: Parameters<typeof parseInbound>[1], body: unknown) => { const r = parse(kind, body); return r.ok ? 'ok' : r.problem; };
    expect(problem('events', { ...event, hub: 'hub-2' })).toBe('hub: expected "hub-1" (the topic\'s), found "hub-2"');
    expect(problem('events', { ...event, seq: 0 })).toBe('seq: expected an integer >= 1, found 0');
    expect(problem('events', { ...event, seq: 2 ** 60 })).toMatch(/^seq: expected an integer >= 1/);
    expect(problem('events', { ...event, id: 'a\u0000b' })).toMatch(/^id: expected a string of 1-128 characters without NUL/);
    expect(problem('events', { ...event, device: 'a\ud800' })).toMatch(/^device: expected a string .* without NUL or lone surrogates/);
    expect(problem('events', { ...event, type: 'x'.repeat(200) })).toMatch(/^type: /);
    expect(problem('events', [1, 2])).toBe('payload: expected a JSON object');
    expect(problem('events', 'not json')).toMatch(/^payload: not JSON/);
    expect(problem('reports', { ...event, report_seq: 3, gap: { from: 2, to: 3 } })).toMatch(/^gap: expected to end before report_seq 3/);
    expect(problem('status', { v: 1, hub: 'hub-1', state: 'sleeping' })).toBe('state: expected "online" or "offline", found "sleeping"');
  });

  it('NUL and lone surrogates inside data are replaced, not refused (PostgreSQL jsonb cannot hold them; the alarm must still be stored)', () => {
    const r = parse('events', { ...event, data: { note: 'a\u0000b', ['k\u0000']: ['\u0000', 'x\udc00'] } });
    expect(r.ok && r.msg.kind === 'event' ? r.msg.row.data : null).toEqual({ note: 'a\uFFFDb', ['k\uFFFD']: ['\uFFFD', 'x\uFFFD'] });
    expect(withoutNul(null)).toBeNull();
  });

  it('a report with a gap; unstored; status and heartbeat', () => {
    const rep = parse('reports', { ...event, seq: undefined, report_seq: 6, gap: { from: 1, to: 5 } });
    expect(rep.ok && rep.msg.kind === 'report' ? [rep.msg.row.reportSeq, rep.msg.row.gap] : null).toEqual([6, { from: 1, to: 5 }]);
    const un = parse('unstored', { ...event, seq: undefined, stored: false, reason: 'disk_full' });
    expect(un.ok && un.msg.kind === 'unstored' ? un.msg.row.reason : null).toBe('disk_full');
    const will = parse('status', { v: 1, hub: 'hub-1', state: 'offline', ts: 1, reason: 'connection_lost', version: '0.1.0', started_ts: 5 });
    expect(will).toEqual({ ok: true, msg: { kind: 'status', row: { hub: 'hub-1', state: 'offline', reason: 'connection_lost', version: '0.1.0', startedTs: 5, epoch: null } } });
    const hb = parse('heartbeat', { v: 1, hub: 'hub-1', epoch: 'ab', queue: {} });
    expect(hb.ok && hb.msg.kind === 'heartbeat' ? hb.msg.row.epoch : null).toBe('ab');
  });
});
