/**
 * What hubs send, parsed and checked before anything is stored (docs/uplink.md §2-8): the topic's hub
 * must be the payload's, sequences are safe integers >= 1, strings are bounded and free of NUL (which
 * PostgreSQL's text and jsonb refuse: one such message would fail its whole batch). Pure: no I/O.
 * Unknown fields are kept (v1 is additive, §14) in `message`.
 */

export type Topic = 'events' | 'reports' | 'unstored' | 'status' | 'heartbeat';

const TOPIC = /^anju\/v1\/([A-Za-z0-9_-]{1,64})\/(events|reports|unstored|status|heartbeat)$/;

export interface EventRow {
  hub: string; id: string; epoch: string; seq: number; ts: number | null; type: string; severity: string;
  device: string | null; state: string; data: unknown; message: Record<string, unknown>;
}
export interface ReportRow extends Omit<EventRow, 'seq'> { reportSeq: number; gap: { from: number; to: number } | null }
export interface UnstoredRow extends Omit<EventRow, 'seq' | 'message'> { reason: string }
export interface StatusRow { hub: string; state: 'online' | 'offline'; reason: string | null; version: string | null; startedTs: number | null; epoch: string | null }
export interface HeartbeatRow { hub: string; epoch: string | null; body: Record<string, unknown> }

export type Inbound =
  | { kind: 'event'; row: EventRow }
  | { kind: 'report'; row: ReportRow }
  | { kind: 'unstored'; row: UnstoredRow }
  | { kind: 'status'; row: StatusRow }
  | { kind: 'heartbeat'; row: HeartbeatRow };

export type Parsed = { ok: true; msg: Inbound } | { ok: false; problem: string };

/** A hub's topic and kind, or null for a topic that is not ours. */
export function topicOf(topic: string): { hub: string; kind: Topic } | null {
  const m = TOPIC.exec(topic);
  return m ? { hub: m[1]!, kind: m[2] as Topic } : null;
}

class Bad extends Error {}

/**
 * Recursively replaces what PostgreSQL's jsonb cannot hold with U+FFFD, in strings and keys: NUL, and
 * lone UTF-16 surrogates (JSON.stringify writes them as \ud800 escapes, which jsonb refuses). Either
 * would fail the message's whole batch; replaced, the alarm is stored.
 */
export function withoutNul(v: unknown): unknown {
  if (typeof v === 'string') return clean(v);
  if (Array.isArray(v)) return v.map(withoutNul);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[clean(k)] = withoutNul(x);
    return out;
  }
  return v;
}
/** A high surrogate without its low one, or a low one without its high one (String.prototype.toWellFormed is ES2024). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const clean = (s: string): string => s.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');

function str(b: Record<string, unknown>, key: string, max = 128): string {
  const v = b[key];
  if (typeof v !== 'string' || v.length < 1 || v.length > max || v.includes('\0') || new RegExp(LONE_SURROGATE.source).test(v)) throw new Bad(`${key}: expected a string of 1-${max} characters without NUL or lone surrogates, found ${describe(v)}`);
  return v;
}
function optStr(b: Record<string, unknown>, key: string, max = 128): string | null {
  return b[key] === undefined || b[key] === null ? null : str(b, key, max);
}
function seqOf(b: Record<string, unknown>, key: string): number {
  const v = b[key];
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new Bad(`${key}: expected an integer >= 1, found ${describe(v)}`);
  return v as number;
}
function tsOf(b: Record<string, unknown>): number | null {
  return Number.isSafeInteger(b.ts) ? (b.ts as number) : null;
}
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function common(hub: string, b: Record<string, unknown>): Omit<EventRow, 'seq' | 'message'> {
  if (b.hub !== hub) throw new Bad(`hub: expected ${JSON.stringify(hub)} (the topic's), found ${describe(b.hub)}`);
  const epoch = b.epoch === undefined ? '' : str(b, 'epoch', 64);
  return {
    hub, id: str(b, 'id'), epoch, ts: tsOf(b), type: str(b, 'type'), severity: str(b, 'severity', 32),
    device: optStr(b, 'device'), state: str(b, 'state', 32), data: withoutNul(b.data ?? {}),
  };
}

/** Parses one message of a hub topic (`topicOf` already matched); never throws. */
export function parseInbound(hub: string, kind: Topic, payload: Buffer): Parsed {
  let b: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, problem: 'payload: expected a JSON object' };
    b = v as Record<string, unknown>;
  } catch (err) {
    return { ok: false, problem: `payload: not JSON (${(err as Error).message})` };
  }
  try {
    switch (kind) {
      case 'events':
        return { ok: true, msg: { kind: 'event', row: { ...common(hub, b), seq: seqOf(b, 'seq'), message: withoutNul(b) as Record<string, unknown> } } };
      case 'reports': {
        const g = b.gap as { from?: unknown; to?: unknown } | undefined;
        const gap = g && Number.isSafeInteger(g.from) && Number.isSafeInteger(g.to) && (g.from as number) >= 1 && (g.to as number) >= (g.from as number)
          ? { from: g.from as number, to: g.to as number } : null;
        const reportSeq = seqOf(b, 'report_seq');
        if (gap && gap.to >= reportSeq) throw new Bad(`gap: expected to end before report_seq ${reportSeq}, found ${describe(b.gap)}`);
        return { ok: true, msg: { kind: 'report', row: { ...common(hub, b), reportSeq, gap, message: withoutNul(b) as Record<string, unknown> } } };
      }
      case 'unstored':
        return { ok: true, msg: { kind: 'unstored', row: { ...common(hub, b), reason: str(b, 'reason', 32) } } };
      case 'status': {
        if (b.hub !== hub) throw new Bad(`hub: expected ${JSON.stringify(hub)} (the topic's), found ${describe(b.hub)}`);
        if (b.state !== 'online' && b.state !== 'offline') throw new Bad(`state: expected "online" or "offline", found ${describe(b.state)}`);
        return {
          ok: true,
          msg: { kind: 'status', row: { hub, state: b.state, reason: optStr(b, 'reason', 32), version: optStr(b, 'version', 64), startedTs: tsOf({ ts: b.started_ts }), epoch: optStr(b, 'epoch', 64) } },
        };
      }
      case 'heartbeat':
        if (b.hub !== hub) throw new Bad(`hub: expected ${JSON.stringify(hub)} (the topic's), found ${describe(b.hub)}`);
        return { ok: true, msg: { kind: 'heartbeat', row: { hub, epoch: optStr(b, 'epoch', 64), body: withoutNul(b) as Record<string, unknown> } } };
    }
  } catch (err) {
    if (err instanceof Bad) return { ok: false, problem: err.message };
    throw err;
  }
}
