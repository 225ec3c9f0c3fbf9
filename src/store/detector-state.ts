import type { BootClock, Clock } from '../core/clock.js';
import { bootRowId } from './boots.js';
import type { Db } from './database.js';
import { afterCommit } from './transaction.js';

export interface DetectorSnapshot {
  readonly device: string;
  readonly detector: string;
  readonly state: unknown;
}

/** A saved state and when it was saved, on both clocks (src/daemon/ingest.ts moves its timers by any step since). */
export interface SavedDetectorState {
  readonly state: unknown;
  /** The wall clock at the save, ms since the epoch. */
  readonly wallMs: number;
  /** The monotonic clock at the save, ms, when that was in this boot; null in another boot (or unknown). */
  readonly monoMs: number | null;
}

/**
 * Detector state snapshots: loaded when a device is added, saved with every event and periodically.
 * A snapshot whose save fails (a full disk) is not lost: it waits here, the newest per detector, and
 * goes with the next save, and it is forgotten only once the transaction that wrote it committed
 * (src/store/transaction.ts), not when a savepoint inside a failing transaction was released.
 */
export interface DetectorStateStore {
  load(device: string, detector: string): SavedDetectorState | undefined;
  /**
   * Upserts the snapshots, and any still waiting from a failed save, in one transaction, each with the
   * wall and monotonic clock of the save; throws when that fails.
   */
  save(snapshots: readonly DetectorSnapshot[]): void;
  /** Snapshots waiting for a save that failed (optional: test fakes need not count). */
  pending?(): number;
}

const keyOf = (s: DetectorSnapshot): string => `${s.device}\u0000${s.detector}`;

/** `bootClock`: this boot's monotonic clock (src/transports/clock/boot-clock.ts); without it no save is known to be of this boot. */
export function createDetectorStateStore(db: Db, clock: Clock, bootClock?: BootClock): DetectorStateStore {
  const boot = bootRowId(db, bootClock?.bootId ?? null);
  const select = db.prepare<[string, string], { state: string; updated_ts: number; boot: number | null; mono_ms: number | null }>(
    'SELECT state, updated_ts, boot, mono_ms FROM detector_state WHERE device = ? AND detector = ?',
  );
  const upsert = db.prepare<[string, string, string, number, number | null, number | null]>(
    'INSERT INTO detector_state (device, detector, state, updated_ts, boot, mono_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device, detector) DO UPDATE SET state = excluded.state, updated_ts = excluded.updated_ts, boot = excluded.boot, mono_ms = excluded.mono_ms',
  );
  const saveAll = db.transaction((snaps: Iterable<DetectorSnapshot>) => {
    const now = clock.now();
    const mono = boot === null ? null : bootClock!.monoNowMs();
    for (const s of snaps) upsert.run(s.device, s.detector, JSON.stringify(s.state), now, boot, mono);
  });
  /** Not yet known to be committed, by device and detector: the newest snapshot of each. */
  const waiting = new Map<string, DetectorSnapshot>();
  return {
    load(device, detector) {
      const row = select.get(device, detector);
      if (!row) return undefined;
      let state: unknown;
      try {
        state = JSON.parse(row.state) as unknown;
      } catch {
        return undefined; // a damaged snapshot is not worth a crash: the detector starts afresh
      }
      const sameBoot = boot !== null && row.boot === boot && row.mono_ms !== null;
      return { state, wallMs: row.updated_ts, monoMs: sameBoot ? row.mono_ms : null };
    },
    save(snaps) {
      for (const s of snaps) waiting.set(keyOf(s), s);
      if (waiting.size === 0) return;
      const written = [...waiting.values()];
      saveAll(written);
      afterCommit(db, () => {
        for (const s of written) if (waiting.get(keyOf(s)) === s) waiting.delete(keyOf(s));
      });
    },
    pending: () => waiting.size,
  };
}
