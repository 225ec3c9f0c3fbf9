/**
 * A fixed-size ring of numbers addressed by absolute sample index (index mod capacity).
 * Plain arrays, not typed arrays, so the whole screening state survives JSON snapshots.
 */
export interface Ring {
  readonly mask: number;
  readonly buf: number[];
}

/** `capacity` must be a power of two. */
export function createRing(capacity: number): Ring {
  if (capacity <= 0 || (capacity & (capacity - 1)) !== 0) throw new Error(`ring capacity must be a power of two, got ${capacity}`);
  return { mask: capacity - 1, buf: new Array<number>(capacity).fill(0) };
}

export function ringGet(r: Ring, i: number): number {
  return r.buf[i & r.mask] ?? 0;
}

export function ringSet(r: Ring, i: number, v: number): void {
  r.buf[i & r.mask] = v;
}
