import type { Db } from './database.js';

/**
 * Which release-manager attempts this database has told the cloud about (src/daemon/upgrade-report.ts):
 * one `meta` row per attempt id, so an attempt is reported once per database, whichever release
 * reads the journal and however often it restarts.
 */
export interface UpgradeMarks {
  has(attemptId: string): boolean;
  /** `ts`: when it was reported, ms. */
  mark(attemptId: string, ts: number): void;
}

export function createUpgradeMarks(db: Db): UpgradeMarks {
  const key = (id: string) => `upgrade_reported:${id}`;
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const set = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  return {
    has: (id) => get.get(key(id)) !== undefined,
    mark: (id, ts) => { set.run(key(id), String(ts)); },
  };
}
