import type { Db } from './database.js';

/**
 * One outer transaction with work that must wait for its COMMIT (issue 12, finding 14).
 *
 * better-sqlite3 nests `db.transaction()` calls as savepoints: a nested one "succeeds" when its
 * savepoint is released, long before anything reached the disk, and the outer COMMIT can still fail
 * (SQLITE_FULL is typically raised right there, when the WAL must grow) and take it back. Whatever
 * the code did after the nested success (clear a buffer, forget a snapshot, hand an event to the
 * uplink) then describes rows that were never stored. `transaction(db, fn)` runs `fn` in one
 * transaction and `afterCommit(db, cb)` defers `cb` to the OUTERMOST commit: it runs only if that
 * commit succeeded, and is dropped when it failed (or when the savepoint it was registered in was
 * rolled back). Outside any transaction `cb` runs at once: the statement before it committed.
 */
interface Scope {
  /** Callbacks per nesting level (index 0: the outermost transaction). */
  levels: Array<Array<() => void>>;
}

const scopes = new WeakMap<Db, Scope>();

export function transaction<T>(db: Db, fn: () => T): T {
  let scope = scopes.get(db);
  if (!scope) {
    if (db.inTransaction) throw new Error('transaction(): the database is in a transaction this helper did not open (use transaction() for the outer one)');
    scope = { levels: [] };
    scopes.set(db, scope);
  }
  const s = scope;
  s.levels.push([]);
  let result: T;
  try {
    result = db.transaction(fn)();
  } catch (err) {
    s.levels.pop(); // rolled back: what it deferred never happens
    if (s.levels.length === 0) scopes.delete(db);
    throw err;
  }
  const mine = s.levels.pop()!;
  if (s.levels.length > 0) {
    s.levels.at(-1)!.push(...mine); // a savepoint released: its work waits for the outer commit
    return result;
  }
  scopes.delete(db);
  for (const cb of mine) cb();
  return result;
}

export function afterCommit(db: Db, cb: () => void): void {
  const s = scopes.get(db);
  if (s && s.levels.length > 0) {
    s.levels.at(-1)!.push(cb);
    return;
  }
  if (db.inTransaction) throw new Error('afterCommit(): inside a transaction not opened by transaction(); its commit cannot be awaited');
  cb();
}
