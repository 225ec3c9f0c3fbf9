/**
 * Logistic regression by Newton's method (iteratively reweighted least squares), for fitting the
 * screening weights on labelled minutes. A handful of features and ~17,000 minutes: a dense
 * (d+1) x (d+1) solve per iteration is instant. A small ridge keeps it defined when a feature is
 * constant in a fold.
 */
export interface LinearModel {
  readonly weights: number[];
  readonly bias: number;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c += 1) {
    let p = c;
    for (let r = c + 1; r < n; r += 1) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let r = 0; r < n; r += 1) {
      if (r === c) continue;
      const f = m[r]![c]! / piv;
      for (let k = c; k <= n; k += 1) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export function fitLogistic(x: readonly (readonly number[])[], y: readonly boolean[], ridge = 1e-3, iterations = 30): LinearModel {
  const d = x[0]?.length ?? 0;
  const w = new Array<number>(d + 1).fill(0); // last entry is the bias
  for (let it = 0; it < iterations; it += 1) {
    const g = new Array<number>(d + 1).fill(0);
    const h = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < x.length; i += 1) {
      const row = [...x[i]!, 1];
      let z = 0;
      for (let j = 0; j <= d; j += 1) z += w[j]! * row[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = p - (y[i] ? 1 : 0);
      const q = p * (1 - p);
      for (let j = 0; j <= d; j += 1) {
        g[j]! += r * row[j]!;
        for (let k = 0; k <= d; k += 1) h[j]![k]! += q * row[j]! * row[k]!;
      }
    }
    for (let j = 0; j <= d; j += 1) {
      g[j]! += ridge * w[j]!;
      h[j]![j]! += ridge;
    }
    const step = solve(h, g);
    let moved = 0;
    for (let j = 0; j <= d; j += 1) {
      w[j]! -= step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < 1e-9) break;
  }
  return { weights: w.slice(0, d), bias: w[d]! };
}
