import type { ConcatInfo } from './pdu.js';

/**
 * Reassembles concatenated SMS (TS 23.040 §9.2.3.24.1): parts are keyed by sender, reference and
 * count, and may come in any order, minutes apart. A message whose parts do not all come within
 * `maxWaitMs` is surfaced with what arrived, the gaps marked: a contact's reply is worth more
 * half-read than lost. Pure: the caller passes the time.
 */

export interface Reassembled { readonly from: string; readonly text: string; readonly complete: boolean }

/** Messages being reassembled at most: a stream of lone parts (hostile or broken) cannot grow memory. */
export const MAX_OPEN = 32;

/** What stands for a part that never came. */
export const MISSING_PART = '[…]';

export interface Reassembler {
  /** A part (or a whole message, concat null); returns the message once it is complete. */
  offer(from: string, text: string, concat: ConcatInfo | null, now: number): Reassembled | null;
  /** Messages whose first part is older than maxWaitMs (or pushed out by MAX_OPEN newer ones), gaps marked. */
  expire(now: number): Reassembled[];
  readonly pending: number;
}

export function createReassembler(maxWaitMs: number): Reassembler {
  const open = new Map<string, { from: string; total: number; parts: Map<number, string>; since: number }>();
  /** Pushed out by MAX_OPEN newer ones: surfaced at the next expire(). */
  const evicted: Reassembled[] = [];
  const join = (m: { from: string; total: number; parts: Map<number, string> }, complete: boolean): Reassembled => {
    let text = '';
    for (let i = 1; i <= m.total; i++) text += m.parts.get(i) ?? MISSING_PART;
    return { from: m.from, text, complete };
  };
  return {
    offer(from, text, concat, now) {
      if (!concat || concat.total === 1) return { from, text, complete: true };
      const key = `${from}\u0000${concat.ref}\u0000${concat.total}`;
      let m = open.get(key);
      if (!m) {
        if (open.size >= MAX_OPEN) {
          const [oldKey, oldest] = open.entries().next().value!;
          open.delete(oldKey);
          evicted.push(join(oldest, false));
        }
        m = { from, total: concat.total, parts: new Map(), since: now };
        open.set(key, m);
      }
      m.parts.set(concat.seq, text);
      if (m.parts.size < m.total) return null;
      open.delete(key);
      return join(m, true);
    },
    expire(now) {
      const out: Reassembled[] = evicted.splice(0);
      for (const [k, m] of open) if (now - m.since >= maxWaitMs) { open.delete(k); out.push(join(m, false)); }
      return out;
    },
    get pending() { return open.size; },
  };
}
