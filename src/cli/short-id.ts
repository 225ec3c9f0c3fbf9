/**
 * Short ids, as git does for commits: a technician types the first few characters of an alarm's
 * 36-character id (or of a device id), and anjuctl finds the one it names. At least MIN_PREFIX
 * characters; a prefix that fits several is refused with the candidates listed, never guessed.
 */
export const MIN_PREFIX = 4;
/** What tables show: long enough to stay unique in a home, short enough to type (git shows 7). */
export const SHOWN_PREFIX = 8;

export type Resolved =
  | { ok: true; id: string }
  | { ok: false; reason: 'too-short' | 'none'; candidates: readonly string[] }
  | { ok: false; reason: 'ambiguous'; candidates: readonly string[] };

/** The one id in `ids` that `typed` names: the exact id, else the only one starting with it. */
export function resolveId(typed: string, ids: readonly string[]): Resolved {
  const want = typed.trim().toLowerCase();
  const exact = ids.find((id) => id.toLowerCase() === want);
  if (exact !== undefined) return { ok: true, id: exact };
  if (want.length < MIN_PREFIX) return { ok: false, reason: 'too-short', candidates: [] };
  const hits = ids.filter((id) => id.toLowerCase().startsWith(want));
  if (hits.length === 1) return { ok: true, id: hits[0]! };
  return hits.length === 0 ? { ok: false, reason: 'none', candidates: [] } : { ok: false, reason: 'ambiguous', candidates: hits };
}

/** Each id cut to the shortest prefix of at least SHOWN_PREFIX characters that no other id in `ids` shares. */
export function shortIds(ids: readonly string[], min = SHOWN_PREFIX): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    let n = Math.min(min, id.length);
    while (n < id.length && ids.some((o) => o !== id && o.startsWith(id.slice(0, n)))) n++;
    out.set(id, id.slice(0, n));
  }
  return out;
}
