import type { Db } from './database.js';

/**
 * The small integer that stands for a kernel boot id (a 36-character UUID, src/core/clock.ts
 * BootClock) in this store's rows (table `boots`, src/store/database.ts); registered on first use.
 * null without a boot id (or when the row cannot be written: a full disk): nothing stamped then can be compared across processes of one boot.
 */
export function bootRowId(db: Db, bootId: string | null): number | null {
  if (!bootId) return null;
  try {
    db.prepare('INSERT INTO boots (boot_id) VALUES (?) ON CONFLICT (boot_id) DO NOTHING').run(bootId);
  } catch {
    // A disk too full for one row (issue 12): the hub starts anyway; what is stamped in this boot
    // carries no boot, so a ts stamped before NTP stays marked unsynced instead of being corrected,
    // and a detector state saved now is treated as one from another boot.
  }
  return db.prepare<[string], { id: number }>('SELECT id FROM boots WHERE boot_id = ?').get(bootId)?.id ?? null;
}
