/**
 * The bookkeeping of one night for the sleep report (sleep-report.ts): which part of the time in
 * bed was sleep, wake, or not scorable, accounted interval by interval between calls (every reading
 * and every tick, so a few seconds at most each). Pure, plain JSON, O(1) per call.
 *
 * Terms (AASM: Iber et al., "The AASM Manual for the Scoring of Sleep and Associated Events", 2007,
 * and its later versions, "General parameters"; for a night at home without lights-out / lights-on
 * markers, the Consensus Sleep Diary: Carney et al., Sleep 2012;35(2):287-302):
 * - time in bed (TIB): from getting into bed to the final rise. Out-of-bed episodes in between are
 *   part of it, as in the Consensus Sleep Diary; they are counted apart as well.
 * - sleep onset: the start of the first stretch scored as sleep; sleep onset latency (SOL): from
 *   getting into bed to it.
 * - total sleep time (TST): time scored as sleep.
 * - wake after sleep onset (WASO): time awake after sleep onset until the final rise, in bed or out
 *   of it (a trip to the toilet at 3 am is wakefulness).
 * - sleep efficiency: TST / TIB.
 *
 * Sleep or wake for an interval comes from the caller (`Scoring`): the radar module's own sleep stage,
 * or the movement fallback. The fallback is retroactive: a still stretch becomes sleep once it has
 * lasted `stillMs` (from its start, so onset and TST are not late by that much), and turns into wake
 * if movement ends it earlier. Until then it is held in `still` (time and vital-sign sums).
 */

import type { Mutable } from './types.js';

export type SleepStage = 'deep' | 'light' | 'awake';

/** How the caller scores the interval being accounted. */
export type Scoring =
  | { readonly by: 'stage'; readonly stage: SleepStage }
  | { readonly by: 'movement'; readonly moving: boolean }
  | { readonly by: 'none' };

/** A running mean, as sum and count. */
export interface Mean {
  readonly sum: number;
  readonly n: number;
}

export const NO_MEAN: Mean = Object.freeze({ sum: 0, n: 0 });

const addTo = (m: Mean, v: number): Mean => ({ sum: m.sum + v, n: m.n + 1 });
const merge = (a: Mean, b: Mean): Mean => (b.n === 0 ? a : { sum: a.sum + b.sum, n: a.n + b.n });

/** A still stretch not yet long enough to be sleep (movement fallback). */
export interface StillStretch {
  readonly since: number;
  readonly ms: number;
  readonly heart: Mean;
  readonly breath: Mean;
}

export interface NightBook {
  readonly startTs: number;
  /** Time is accounted up to here (ms). */
  readonly accountedTo: number;
  /** In bed (including out-of-bed moments shorter than min_out_of_bed_s), ms. */
  readonly inBedMs: number;
  readonly asleepMs: number;
  /** Of asleepMs, what the module scored deep and light. */
  readonly deepMs: number;
  readonly lightMs: number;
  readonly wasoMs: number;
  /** In bed, radar alive, but nothing to score sleep by (no stage, no movement reports). */
  readonly unscoredMs: number;
  /** In bed, radar silent for longer than device_quiet_s: unknown. */
  readonly noDataMs: number;
  readonly byStageMs: number;
  readonly byMovementMs: number;
  readonly onsetTs: number | null;
  /** Movement fallback: the pending still stretch; null when none. */
  readonly still: StillStretch | null;
  /** Movement fallback: the current still stretch already counts as sleep. */
  readonly stillAsleep: boolean;
  /** Out of bed since (ms); null while in bed. */
  readonly outSince: number | null;
  readonly outCount: number;
  readonly outMs: number;
  /** Vital signs while asleep. */
  readonly heart: Mean;
  readonly breath: Mean;
}

export function openNight(startTs: number): NightBook {
  return {
    startTs, accountedTo: startTs, inBedMs: 0, asleepMs: 0, deepMs: 0, lightMs: 0, wasoMs: 0, unscoredMs: 0, noDataMs: 0,
    byStageMs: 0, byMovementMs: 0, onsetTs: null, still: null, stillAsleep: false, outSince: null, outCount: 0, outMs: 0,
    heart: NO_MEAN, breath: NO_MEAN,
  };
}

/** Wake time: before sleep onset it is part of the latency (measured as onset - start), after it WASO. */
/**
 * A copy of the night, every field in openNight's (and JSON's) order: one shape whether the night
 * was opened here or restored from a snapshot, which keeps V8 on its fast path (a spread of
 * objects of several shapes does not).
 */
function copyNight(n: NightBook): Mutable<NightBook> {
  return {
    startTs: n.startTs, accountedTo: n.accountedTo, inBedMs: n.inBedMs, asleepMs: n.asleepMs, deepMs: n.deepMs, lightMs: n.lightMs,
    wasoMs: n.wasoMs, unscoredMs: n.unscoredMs, noDataMs: n.noDataMs, byStageMs: n.byStageMs, byMovementMs: n.byMovementMs,
    onsetTs: n.onsetTs, still: n.still, stillAsleep: n.stillAsleep, outSince: n.outSince, outCount: n.outCount, outMs: n.outMs,
    heart: n.heart, breath: n.breath,
  };
}

function awake(n: NightBook, ms: number): NightBook {
  return n.onsetTs === null || ms <= 0 ? n : { ...n, wasoMs: n.wasoMs + ms };
}

/**
 * Accounts [accountedTo, to]. Out of bed, nothing is accounted until she is back (or the night
 * ends): only then is it known whether that was an episode or the final rise. In bed, the time up
 * to `aliveUntil` (the radar's last reading + device_quiet_s) is scored by `how`, the rest is no data.
 */
export function accountTo(n: NightBook, to: number, aliveUntil: number, how: Scoring, stillMs: number): NightBook {
  const from = n.accountedTo;
  if (to <= from) return n;
  const b = copyNight(n); // one copy, updated field by field (this runs every second of every night, per radar)
  b.accountedTo = to;
  if (n.outSince !== null) return b;
  const knownEnd = Math.max(from, Math.min(to, aliveUntil));
  b.inBedMs += to - from;
  b.noDataMs += to - knownEnd;
  const dt = knownEnd - from;
  if (dt <= 0) return b;
  switch (how.by) {
    case 'stage':
      b.byStageMs += dt;
      if (how.stage === 'awake') return awakeFor(b, dt);
      b.asleepMs += dt;
      if (how.stage === 'deep') b.deepMs += dt;
      else b.lightMs += dt;
      b.onsetTs ??= from;
      return b;
    case 'movement': {
      b.byMovementMs += dt;
      if (how.moving) return awakeFor(b, dt); // a moving stretch: breakStillness already ran when it began
      if (b.stillAsleep) {
        b.asleepMs += dt;
        return b;
      }
      const still: StillStretch = b.still === null ? { since: from, ms: dt, heart: NO_MEAN, breath: NO_MEAN } : { ...b.still, ms: b.still.ms + dt };
      if (still.ms < stillMs) {
        b.still = still;
        return b;
      }
      // Long enough: the whole stretch was sleep, from its start.
      b.still = null;
      b.stillAsleep = true;
      b.asleepMs += still.ms;
      b.onsetTs ??= still.since;
      b.heart = merge(b.heart, still.heart);
      b.breath = merge(b.breath, still.breath);
      return b;
    }
    default:
      b.unscoredMs += dt;
      return b;
  }
}

/** `awake` on the caller's own copy: wake after sleep onset counts. */
function awakeFor(b: Mutable<NightBook>, ms: number): NightBook {
  if (b.onsetTs !== null && ms > 0) b.wasoMs += ms;
  return b;
}

/** The night after a wall-clock step of `deltaMs` (Detector.rebase): its instants move, its sums do not. */
export function rebaseNight(n: NightBook, deltaMs: number): NightBook {
  const b = copyNight(n);
  b.startTs += deltaMs;
  b.accountedTo += deltaMs;
  if (n.onsetTs !== null) b.onsetTs = n.onsetTs + deltaMs;
  if (n.still !== null) b.still = { ...n.still, since: n.still.since + deltaMs };
  if (n.outSince !== null) b.outSince = n.outSince + deltaMs;
  return b;
}

export function breakStillness(n: NightBook): NightBook {
  if (n.still === null && !n.stillAsleep) return n;
  const b = awake(n, n.still?.ms ?? 0);
  return { ...b, still: null, stillAsleep: false };
}

/** Where a vital-sign reading taken now belongs: asleep, the pending still stretch, or nowhere. */
export type VitalSlot = 'asleep' | 'still' | null;

export function addVital(n: NightBook, kind: 'heart' | 'breath', value: number, slot: VitalSlot): NightBook {
  if (slot === 'asleep') {
    const b = copyNight(n);
    if (kind === 'heart') b.heart = addTo(n.heart, value);
    else b.breath = addTo(n.breath, value);
    return b;
  }
  if (slot === 'still' && n.still !== null) {
    const s = n.still;
    const b = copyNight(n);
    b.still = kind === 'heart' ? { since: s.since, ms: s.ms, heart: addTo(s.heart, value), breath: s.breath } : { since: s.since, ms: s.ms, heart: s.heart, breath: addTo(s.breath, value) };
    return b;
  }
  return n;
}

export function leaveBed(n: NightBook, now: number): NightBook {
  return { ...breakStillness(n), outSince: now };
}

/**
 * Back in bed. An absence of at least `minOutMs` is an out-of-bed episode; a shorter one (the bed
 * state flickering as she turns over) is time in bed, awake. Either way it is wake, so WASO after onset.
 */
export function returnToBed(n: NightBook, now: number, minOutMs: number): NightBook {
  if (n.outSince === null) return n;
  const ms = Math.max(0, now - n.outSince);
  const b = awake({ ...n, outSince: null, accountedTo: now }, ms);
  return ms >= minOutMs ? { ...b, outCount: b.outCount + 1, outMs: b.outMs + ms } : { ...b, inBedMs: b.inBedMs + ms };
}

const s = (ms: number): number => Math.round(ms / 1000);
const mean1 = (m: Mean): number | null => (m.n === 0 ? null : Math.round((m.sum / m.n) * 10) / 10);

/** The sleep figures of a night that ended at `endTs` (the final rise). */
export function sleepFigures(n0: NightBook, endTs: number) {
  const n = breakStillness(n0); // a still stretch too short to be sleep when she got up was wake
  const tibMs = Math.max(0, endTs - n.startTs);
  return {
    startTs: n.startTs,
    endTs,
    timeInBedS: s(tibMs),
    sleepOnsetTs: n.onsetTs,
    sleepOnsetLatencyS: n.onsetTs === null ? null : s(n.onsetTs - n.startTs),
    totalSleepS: s(n.asleepMs),
    wakeAfterSleepOnsetS: n.onsetTs === null ? null : s(n.wasoMs),
    sleepEfficiencyPct: tibMs > 0 ? Math.round((n.asleepMs / tibMs) * 100) : null,
    deepSleepS: s(n.deepMs),
    lightSleepS: s(n.lightMs),
    outOfBed: { count: n.outCount, totalS: s(n.outMs) },
    avgHeartRateAsleepBpm: mean1(n.heart),
    avgBreathRateAsleepPerMin: mean1(n.breath),
    scoredBy: { sleepStateS: s(n.byStageMs), movementS: s(n.byMovementMs), unscoredS: s(n.unscoredMs), noDataS: s(n.noDataMs) },
  };
}

export type SleepFigures = ReturnType<typeof sleepFigures>;
