/**
 * When a detector's changed state is saved (issue 12). A state that is not on disk is lost by a
 * crash, and a daemon in a crash loop (killed every few seconds) used to lose every timer: states
 * were saved every 10 s of a process's life, which no process reached, so a 60 s sustain timer
 * never completed. Saving every changed state every second would cost one more disk page per state
 * per second for ever (measured: ~2.7 more WAL pages a flush for two radars, ~85 % more bytes on
 * the SD card), mostly for the last-reading times that move with every reading. So, per state:
 *
 * - after an event: at once (ingest.ts; a restart must know an alarm is open);
 * - a timer started or ended (timerShape changed: an anchor such as `outSince` set or cleared, a
 *   phase or mode changed): with the next flush, within a second;
 * - otherwise, progress (the last reading's time that gap rules look at): every PROGRESS_SAVE_MS,
 *   all changed states in the same flush (their pages in one commit, not one more page in every
 *   commit), counted from the last save even across restarts within a boot (the save's monotonic
 *   time is stored with it), so a crash-looping daemon still saves it. 3 s plus a restart (systemd
 *   waits 2 s, the start takes 1-3 s on a Pi) stays under the shortest default gap rule it must
 *   survive (spo2 max_gap_s 10 s; breathing, heart rate and the radar's device_quiet_s are 30 s);
 * - large in-place states (the sleep report's night, ~42 KB): every IN_PLACE_SAVE_MS, also counted
 *   across restarts; a crash loses at most a minute of a night's accounting.
 */
export const PROGRESS_SAVE_MS = 3000;
export const IN_PLACE_SAVE_MS = 60_000;

/**
 * What starts or ends a timer, seen without knowing the detector: for each top-level field, whether
 * it is null, a number, an object, or the value of a string or boolean. A run starting (`outSince`
 * null -> a time) or ending, an alarm opening or closing, a phase (`leaving` -> `away`) or mode
 * changing, all change it; a last-reading time moving does not. A timer restarted in place (a new
 * `outSince` after a gap) is not seen here: it is saved with the progress.
 */
export function timerShape(state: unknown): string {
  if (state === null || typeof state !== 'object') return String(state);
  let shape = '';
  for (const k in state) {
    const v = (state as Record<string, unknown>)[k];
    shape += v === null ? 'n|' : typeof v === 'number' ? '#|' : typeof v === 'object' ? 'o|' : `${String(v)}|`;
  }
  return shape;
}

export interface SavePacer {
  /**
   * Whether the changed `state` is due for a save at `monoMs`: always when `force`; with `progress`
   * (ingest's progress round, every PROGRESS_SAVE_MS for all states at once, so their pages go in
   * one commit); or when its timerShape changed. An in-place state only every IN_PLACE_SAVE_MS.
   * When due, it counts as saved then.
   */
  due(state: unknown, monoMs: number, force: boolean, progress: boolean): boolean;
}

/** `savedAtMono`: when the state was last saved (from its snapshot, in this boot), or now. */
export function createSavePacer(inPlace: boolean, savedAtMono: number, state: unknown): SavePacer {
  let at = savedAtMono;
  let shape = inPlace ? '' : timerShape(state);
  return {
    due(st, monoMs, force, progress) {
      if (!force) {
        if (inPlace) {
          if (monoMs - at < IN_PLACE_SAVE_MS) return false;
        } else if (!progress) {
          const s = timerShape(st);
          if (s === shape) return false;
        }
      }
      at = monoMs;
      if (!inPlace) shape = timerShape(st);
      return true;
    },
  };
}
