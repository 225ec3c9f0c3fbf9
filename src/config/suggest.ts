/**
 * "Did you mean": the candidate closest to a typo, by edit distance (Levenshtein, with a swap of two
 * neighbours counting as one edit, as commander and git do). Only a close one is offered: at most a
 * third of the word's length in edits (at least 1), so `heartbeat_sec` finds `heartbeat_s` and `mr60`
 * finds nothing rather than something arbitrary.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const max = Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD && d <= max) { best = c; bestD = d; }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
