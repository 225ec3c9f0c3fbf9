/**
 * Logistic regression by Newton's method (iteratively reweighted least squares), for fitting the
 * screening weights on labelled minutes. 16 inputs and ~17,000 minutes: a dense (d+1) x (d+1) solve
 * per iteration is instant. A small ridge keeps it defined when an input is constant in a fold.
 * Deterministic: no random start, a fixed order of summation, so a refit gives the same numbers.
 */
export interface LinearModel {
  readonly weights: number[];
  readonly bias: number;
}

/** Gauss-Jordan elimination with partial pivoting; `a` is n x n, row-major. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const w = n + 1;
  const m = new Float64Array(n * w);
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) m[r * w + c] = a[r * n + c]!;
    m[r * w + n] = b[r]!;
  }
  for (let c = 0; c < n; c += 1) {
    let p = c;
    for (let r = c + 1; r < n; r += 1) if (Math.abs(m[r * w + c]!) > Math.abs(m[p * w + c]!)) p = r;
    if (p !== c) for (let k = 0; k < w; k += 1) { const t = m[c * w + k]!; m[c * w + k] = m[p * w + k]!; m[p * w + k] = t; }
    const piv = m[c * w + c]!;
    for (let r = 0; r < n; r += 1) {
      if (r === c) continue;
      const f = m[r * w + c]! / piv;
      if (f === 0) continue;
      for (let k = c; k < w; k += 1) m[r * w + k]! -= f * m[c * w + k]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i += 1) x[i] = m[i * w + n]! / m[i * w + i]!;
  return x;
}

/**
 * `start` (optional): the weights to begin Newton's method from. The optimum is the same (the problem
 * is strictly convex with the ridge); a start near it only saves iterations (the nested
 * leave-one-out fits start from the fit on all records).
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly boolean[], ridge = 1e-3, iterations = 50, start?: LinearModel): LinearModel {
  const d = x[0]?.length ?? 0;
  const n = x.length;
  const D = d + 1; // last column is the bias
  const rows = new Float64Array(n * D);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < d; j += 1) rows[i * D + j] = x[i]![j]!;
    rows[i * D + d] = 1;
  }
  const w = new Float64Array(D);
  if (start !== undefined) {
    for (let j = 0; j < d; j += 1) w[j] = start.weights[j] ?? 0;
    w[d] = start.bias;
  }
  const g = new Float64Array(D);
  const h = new Float64Array(D * D);
  for (let it = 0; it < iterations; it += 1) {
    g.fill(0);
    h.fill(0);
    for (let i = 0; i < n; i += 1) {
      const o = i * D;
      let z = 0;
      for (let j = 0; j < D; j += 1) z += w[j]! * rows[o + j]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = p - (y[i] ? 1 : 0);
      const q = p * (1 - p);
      for (let j = 0; j < D; j += 1) {
        const xj = rows[o + j]!;
        g[j]! += r * xj;
        const qx = q * xj;
        // Upper triangle only; mirrored below.
        for (let k = j; k < D; k += 1) h[j * D + k]! += qx * rows[o + k]!;
      }
    }
    for (let j = 0; j < D; j += 1) {
      for (let k = 0; k < j; k += 1) h[j * D + k] = h[k * D + j]!;
      g[j]! += ridge * w[j]!;
      h[j * D + j]! += ridge;
    }
    const step = solve(h, g, D);
    let moved = 0;
    for (let j = 0; j < D; j += 1) {
      w[j]! -= step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < 1e-10) break;
  }
  return { weights: Array.from(w.subarray(0, d)), bias: w[d]! };
}
