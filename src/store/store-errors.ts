/**
 * What went wrong with a store write, in the few kinds the daemon acts on differently (issue 12):
 * - `full`: the file system (or a quota on it) has no room: SQLITE_FULL, ENOSPC, EDQUOT. The space
 *   reserve is released and the write tried again (src/store/storage-health.ts); hub.disk_full.
 * - `read_only`: the state directory or the database cannot be written at all (EROFS, EACCES, EPERM,
 *   SQLITE_READONLY*): nothing the daemon can fix; say so, in those words.
 * - `corrupt`: SQLITE_CORRUPT*, SQLITE_NOTADB: the next start quarantines the file (src/store/open-store.ts).
 * - `io`: the medium failed (SQLITE_IOERR*, SQLITE_CANTOPEN*, EIO): a dying SD card.
 * - `busy`: another connection held a lock past busy_timeout (SQLITE_BUSY*, SQLITE_LOCKED*).
 * - `other`: anything else (a constraint, a bug): still counted and logged, never thrown at a timer.
 * better-sqlite3 reports SQLite's extended result codes by name (SQLITE_IOERR_WRITE, ...), Node's
 * fs the errno name (ENOSPC, ...): both arrive as `err.code`.
 */
export type StoreErrorKind = 'full' | 'read_only' | 'corrupt' | 'io' | 'busy' | 'other';

export const STORE_ERROR_KINDS: readonly StoreErrorKind[] = ['full', 'read_only', 'corrupt', 'io', 'busy', 'other'];

const PREFIXES: ReadonlyArray<readonly [string, StoreErrorKind]> = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
];

const ERRNOS: Readonly<Record<string, StoreErrorKind>> = {
  ENOSPC: 'full', EDQUOT: 'full', EROFS: 'read_only', EACCES: 'read_only', EPERM: 'read_only', EIO: 'io',
};

/** The code a store error carries (SQLITE_FULL, ENOSPC, ...), or null. Follows `cause` (AnjuError wraps). */
export function storeErrorCode(err: unknown): string | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_') || Object.hasOwn(ERRNOS, code))) return code;
  }
  return null;
}

export function classifyStoreError(err: unknown): StoreErrorKind {
  const code = storeErrorCode(err);
  if (code === null) return 'other';
  if (Object.hasOwn(ERRNOS, code)) return ERRNOS[code]!;
  return PREFIXES.find(([p]) => code === p || code.startsWith(`${p}_`))?.[1] ?? 'other';
}
