import type { Clock } from '../core/clock.js';
import type { Db } from './database.js';

export interface DetectorSnapshot {
  readonly device: string;
  readonly detector: string;
  readonly state: unknown;
}

/** Detector state snapshots: loaded when a device is added, saved with every event and periodically. */
export interface DetectorStateStore {
  load(device: string, detector: string): unknown;
  /** Upserts the snapshots in one transaction. */
  save(snapshots: readonly DetectorSnapshot[]): void;
}

export function createDetectorStateStore(db: Db, clock: Clock): DetectorStateStore {
  const select = db.prepare<[string, string], { state: string }>('SELECT state FROM detector_state WHERE device = ? AND detector = ?');
  const upsert = db.prepare<[string, string, string, number]>(
    'INSERT INTO detector_state (device, detector, state, updated_ts) VALUES (?, ?, ?, ?) ON CONFLICT (device, detector) DO UPDATE SET state = excluded.state, updated_ts = excluded.updated_ts',
  );
  const saveAll = db.transaction((snaps: readonly DetectorSnapshot[]) => {
    const now = clock.now();
    for (const s of snaps) upsert.run(s.device, s.detector, JSON.stringify(s.state), now);
  });
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
    save: (snaps) => { if (snaps.length > 0) saveAll(snaps); },
  };
}
