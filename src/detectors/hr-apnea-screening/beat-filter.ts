import type { HrApneaSettings } from './settings.js';

/**
 * Artefact rejection for beats (or heart-rate readings).
 *
 * A beat is judged against the median RR of its neighbours, NEIGHBOURS before and NEIGHBOURS
 * after it: a centred median ignores one premature beat and its compensatory pause, and follows
 * a genuine step such as the tachycardia that ends an apnea, where a purely causal median would
 * reject the first beats of the step and flatten exactly the swing we look for.
 * Cost: a look-ahead of NEIGHBOURS beats; O(1) per beat (a median of at most 6 numbers).
 */
export const NEIGHBOURS = 3;

export interface BeatFilterState {
  /** Plausible beats already judged (kept for their RR as context), at most NEIGHBOURS, oldest first. */
  pastRr: number[];
  /** Plausible beats waiting for their look-ahead, oldest first: [tS, hrBpm, rrS] triples. */
  pending: number[][];
  /** Time of the last beat taken in (plausible or not), to reject out-of-order input. */
  lastTS: number | null;
  beatsIn: number;
  beatsRejected: number;
}

export function createBeatFilter(): BeatFilterState {
  return { pastRr: [], pending: [], lastTS: null, beatsIn: 0, beatsRejected: 0 };
}

// Scratch for the neighbours' RR (at most 2 * NEIGHBOURS): no arrays allocated per beat.
const scratch: number[] = new Array<number>(2 * NEIGHBOURS).fill(0);

/** Median of scratch[0..n) (n >= 1), sorting it in place (insertion sort: n <= 6). */
function scratchMedian(n: number): number {
  for (let i = 1; i < n; i++) {
    const x = scratch[i]!;
    let j = i - 1;
    while (j >= 0 && scratch[j]! > x) { scratch[j + 1] = scratch[j]!; j--; }
    scratch[j + 1] = x;
  }
  return n % 2 === 1 ? scratch[(n - 1) / 2]! : (scratch[n / 2 - 1]! + scratch[n / 2]!) / 2;
}

/** Judges the oldest pending beat with whatever neighbours exist; calls `accept` when it passes. */
function judgeOldest(st: BeatFilterState, s: HrApneaSettings, accept: (tS: number, hrBpm: number) => void): void {
  const beat = st.pending.shift()!;
  const rr = beat[2]!;
  let n = 0;
  for (const x of st.pastRr) scratch[n++] = x;
  for (const p of st.pending) scratch[n++] = p[2]!;
  // With no neighbour at all (a one-beat stream) there is no evidence against the beat.
  let ok = true;
  if (n > 0) {
    const m = scratchMedian(n);
    ok = Math.abs(rr - m) <= s.maxRrJump * m;
  }
  if (ok) accept(beat[0]!, beat[1]!);
  else st.beatsRejected += 1;
  st.pastRr.push(rr);
  if (st.pastRr.length > NEIGHBOURS) st.pastRr.shift();
}

export function pushBeatToFilter(st: BeatFilterState, tS: number, hrBpm: number, s: HrApneaSettings, accept: (tS: number, hrBpm: number) => void): void {
  st.beatsIn += 1;
  // Out-of-order or duplicate times cannot be placed on the time grid; non-finite values are not beats.
  if (!Number.isFinite(tS) || !Number.isFinite(hrBpm) || hrBpm <= 0 || (st.lastTS !== null && tS <= st.lastTS)) {
    st.beatsRejected += 1;
    return;
  }
  st.lastTS = tS;
  const rr = 60 / hrBpm;
  if (rr < s.minRrS || rr > s.maxRrS) {
    st.beatsRejected += 1;
    return;
  }
  st.pending.push([tS, hrBpm, rr]);
  if (st.pending.length > NEIGHBOURS) judgeOldest(st, s, accept);
}

/** End of stream: judges the beats still waiting for look-ahead with the neighbours they have. */
export function flushBeatFilter(st: BeatFilterState, s: HrApneaSettings, accept: (tS: number, hrBpm: number) => void): void {
  while (st.pending.length > 0) judgeOldest(st, s, accept);
}
