/**
 * The SpO2 detector's baseline memory (spo2.ts): a ring of 10-second buckets, each with its absolute
 * bucket number (time / 10 s), sum and count, addressed by bucket number mod size. Plain JSON arrays,
 * so it is snapshotted with the detector's state. Pure.
 */
export interface Spo2Ring {
  readonly k: readonly number[];
  readonly sum: readonly number[];
  readonly n: readonly number[];
}

const BUCKET_MS = 10_000;
/** A baseline needs at least this many 10 s means (20-30 s of history): not right after the probe goes on. */
const MIN_BASELINE_BUCKETS = 3;

export function emptyRing(size: number): Spo2Ring {
  return { k: new Array<number>(size).fill(-1), sum: new Array<number>(size).fill(0), n: new Array<number>(size).fill(0) };
}

export function ringAdd(r: Spo2Ring, now: number, v: number): Spo2Ring {
  const kNow = Math.floor(now / BUCKET_MS);
  const i = kNow % r.k.length;
  const k = r.k.slice();
  const sum = r.sum.slice();
  const n = r.n.slice();
  if (k[i] !== kNow) {
    k[i] = kNow;
    sum[i] = 0;
    n[i] = 0;
  }
  sum[i] = (sum[i] ?? 0) + v;
  n[i] = (n[i] ?? 0) + 1;
  return { k, sum, n };
}

/**
 * The ring after a wall-clock step (Detector.rebase): each bucket keeps its means and moves by the
 * step, in whole buckets (at most 5 s off, against a 2-minute baseline window), to the slot its new
 * number addresses.
 */
export function rebaseRing(r: Spo2Ring, deltaMs: number): Spo2Ring {
  const size = r.k.length;
  const by = Math.round(deltaMs / BUCKET_MS);
  if (size === 0 || by === 0) return r;
  const moved = emptyRing(size);
  const k = moved.k as number[];
  const sum = moved.sum as number[];
  const n = moved.n as number[];
  for (let i = 0; i < size; i++) {
    if (r.k[i]! < 0) continue; // an empty slot
    const kk = r.k[i]! + by;
    if (kk < 0) continue;
    const j = kk % size;
    k[j] = kk;
    sum[j] = r.sum[i]!;
    n[j] = r.n[i]!;
  }
  return moved;
}

/** Highest 10 s mean of the completed buckets in the window; null with too little history. */
export function baselineOf(r: Spo2Ring, now: number): number | null {
  const kNow = Math.floor(now / BUCKET_MS);
  const oldest = kNow - (r.k.length - 1);
  let best = -Infinity;
  let count = 0;
  for (let i = 0; i < r.k.length; i++) {
    const k = r.k[i]!;
    const n = r.n[i]!;
    if (k >= oldest && k < kNow && n > 0) {
      best = Math.max(best, r.sum[i]! / n);
      count++;
    }
  }
  return count >= MIN_BASELINE_BUCKETS ? best : null;
}
