/**
 * Per-night event indices (events per hour of monitored time) shared by the apnea detector (apnea
 * index) and the SpO2 detector (oxygen desaturation index, ODI), and the usual severity bands.
 *
 * A "night" is a stretch of monitoring: it starts when monitoring resumes after at least
 * `newNightAfterMs` without any (apnea: nobody in bed; SpO2: no valid oximetry), so a trip to the
 * toilet does not split a night and the next evening starts a new one. No wall-clock hour or time
 * zone is involved, so the state stays pure. The previous night is kept, so the nightly
 * `report.sleep` (another detector) can read it after the resident got up.
 *
 * State is plain JSON and bounded (two tallies), as the detectors' snapshots require.
 */

/**
 * AHI severity classes: < 5 normal, 5-15 mild, 15-30 moderate, >= 30 severe (AASM Task Force,
 * "Sleep-related breathing disorders in adults: recommendations for syndrome definition and
 * measurement techniques in clinical research", Sleep 1999;22(5):667-689). The same cut-offs are
 * the ones commonly applied to the ODI (e.g. Chung et al., "Oxygen desaturation index from nocturnal
 * oximetry", Anesth Analg 2012;114(5):993-1000, which reports ODI against AHI > 5, > 15, > 30).
 */
export type IndexBand = 'normal' | 'mild' | 'moderate' | 'severe';

export const INDEX_BAND_LIMITS = Object.freeze({ mild: 5, moderate: 15, severe: 30 });

/** Band of an events-per-hour index; a value exactly on a limit belongs to the higher band. */
export function indexBand(perHour: number): IndexBand {
  if (perHour >= INDEX_BAND_LIMITS.severe) return 'severe';
  if (perHour >= INDEX_BAND_LIMITS.moderate) return 'moderate';
  if (perHour >= INDEX_BAND_LIMITS.mild) return 'mild';
  return 'normal';
}

const HOUR_MS = 3_600_000;

/** Events per hour of monitored time; null when nothing was monitored (no index, not 0). */
export function eventsPerHour(events: number, monitoredMs: number): number | null {
  return monitoredMs > 0 ? events / (monitoredMs / HOUR_MS) : null;
}

export interface NightTally {
  /** When monitoring of this night started (ms). */
  readonly startedAt: number;
  /** Last time monitored time was added (ms). */
  readonly lastAt: number;
  readonly monitoredMs: number;
  readonly events: number;
  readonly eventMs: number;
  readonly longestEventMs: number;
}

export interface NightBook {
  readonly current: NightTally | null;
  readonly previous: NightTally | null;
  /** Start of the interval being monitored right now; null while not monitoring. */
  readonly openAt: number | null;
}

export const EMPTY_NIGHT_BOOK: NightBook = Object.freeze({ current: null, previous: null, openAt: null });

/**
 * Moves the book to `now`. The interval since the last call counts as monitored if monitoring was
 * on at the last call and the interval is at most `maxStepMs` (a longer one is a gap we cannot vouch
 * for: the daemon was down, or the device silent). `monitoring` says whether it is on from now.
 */
export function accrue(book: NightBook, now: number, monitoring: boolean, maxStepMs: number, newNightAfterMs: number): NightBook {
  let { current, previous, openAt } = book;
  if (openAt !== null && current !== null) {
    const dt = now - openAt;
    if (dt > 0 && dt <= maxStepMs) current = { ...current, monitoredMs: current.monitoredMs + dt, lastAt: now };
    // A hole longer than maxStepMs ends the monitored stretch: it restarts (maybe as a new night) now.
    else if (dt > maxStepMs) openAt = null;
  }
  if (!monitoring) return current === book.current && book.openAt === null ? book : { current, previous, openAt: null };
  if (openAt === null && (current === null || now - current.lastAt >= newNightAfterMs)) {
    // An empty tally (monitoring that never lasted) does not push out the real previous night.
    if (current !== null && (current.monitoredMs > 0 || current.events > 0)) previous = current;
    current = { startedAt: now, lastAt: now, monitoredMs: 0, events: 0, eventMs: 0, longestEventMs: 0 };
  }
  // Several readings at the same instant: nothing to add.
  if (current === book.current && previous === book.previous && book.openAt === now) return book;
  return { current, previous, openAt: now };
}

/** The book after a wall-clock step of `deltaMs` (Detector.rebase): its instants move, its sums do not. */
export function rebaseNightBook(book: NightBook, deltaMs: number): NightBook {
  const tally = (t: NightTally | null): NightTally | null => (t === null ? null : { ...t, startedAt: t.startedAt + deltaMs, lastAt: t.lastAt + deltaMs });
  return { current: tally(book.current), previous: tally(book.previous), openAt: book.openAt === null ? null : book.openAt + deltaMs };
}

/** Counts one event of the given duration in the current night (starting one if there is none). */
export function countEvent(book: NightBook, now: number, durationMs: number): NightBook {
  const c = book.current ?? { startedAt: now, lastAt: now, monitoredMs: 0, events: 0, eventMs: 0, longestEventMs: 0 };
  return {
    ...book,
    current: { ...c, events: c.events + 1, eventMs: c.eventMs + durationMs, longestEventMs: Math.max(c.longestEventMs, durationMs) },
  };
}

export interface NightSummary {
  readonly startedAtTs: number;
  readonly lastMonitoredTs: number;
  /** Monitored time, seconds (rounded). */
  readonly monitoredS: number;
  readonly events: number;
  /** Events per hour of monitored time, rounded to 0.1; null when nothing was monitored. */
  readonly perHour: number | null;
  /** Band of the unrounded index; null with no index. Short nights give noisy indices: look at monitoredS. */
  readonly band: IndexBand | null;
  readonly longestEventS: number;
  readonly meanEventS: number | null;
}

export function summarizeNight(t: NightTally | null): NightSummary | null {
  if (t === null) return null;
  const perHour = eventsPerHour(t.events, t.monitoredMs);
  return {
    startedAtTs: t.startedAt,
    lastMonitoredTs: t.lastAt,
    monitoredS: Math.round(t.monitoredMs / 1000),
    events: t.events,
    perHour: perHour === null ? null : Math.round(perHour * 10) / 10,
    band: perHour === null ? null : indexBand(perHour),
    longestEventS: Math.round(t.longestEventMs / 1000),
    meanEventS: t.events > 0 ? Math.round(t.eventMs / t.events / 100) / 10 : null,
  };
}
