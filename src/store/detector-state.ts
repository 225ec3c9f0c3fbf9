import type { Clock } from '../core/clock.js';
import type { Db } from './database.js';
import { afterCommit } from './transaction.js';

export interface DetectorSnapshot {
  readonly device: string;
  readonly detector: string;
  readonly state: unknown;
}

/**
 * Detector state snapshots: loaded when a device is added, saved with every event and periodically.
 * A snapshot whose save fails (a full disk) is not lost: it waits here, the newest per detector, and
 * goes with the next save, and it is forgotten only once the transaction that wrote it committed
 * (src/store/transaction.ts), not when a savepoint inside a failing transaction was released.
 */
export interface DetectorStateStore {
  load(device: string, detector: string): unknown;
  /** Upserts the snapshots, and any still waiting from a failed save, in one transaction; throws when that fails. */
  save(snapshots: readonly DetectorSnapshot[]): void;
  /** Snapshots waiting for a save that failed (optional: test fakes need not count). */
  pending?(): number;
}

const keyOf = (s: DetectorSnapshot): string => `${s.device}\u0000${s.detector}`;

export function createDetectorStateStore(db: Db, clock: Clock): DetectorStateStore {
  const select = db.prepare<[string, string], { state: string }>('SELECT state FROM detector_state WHERE device = ? AND detector = ?');
  const upsert = db.prepare<[string, string, string, number]>(
    'INSERT INTO detector_state (device, detector, state, updated_ts) VALUES (?, ?, ?, ?) ON CONFLICT (device, detector) DO UPDATE SET state = excluded.state, updated_ts = excluded.updated_ts',
  );
  const saveAll = db.transaction((snaps: Iterable<DetectorSnapshot>) => {
    const now = clock.now();
    for (const s of snaps) upsert.run(s.device, s.detector, JSON.stringify(s.state), now);
  });
  /** Not yet known to be committed, by device and detector: the newest snapshot of each. */
  const waiting = new Map<string, DetectorSnapshot>();
  return {
    load(device, detector) {
      const row = select.get(device, detector);
      if (!row) return undefined;
      try {
        return JSON.parse(row.state) as unknown;
      } catch {
        return undefined; // a damaged snapshot is not worth a crash: the detector starts afresh
      }
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
