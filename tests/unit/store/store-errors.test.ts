/** One classification of store failures (issue 12): what the daemon does next depends on it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AnjuError, ErrorCodes } from '../../../src/core/errors.js';
import { classifyStoreError, storeErrorCode } from '../../../src/store/store-errors.js';

const coded = (code: string) => Object.assign(new Error(code), { code });

describe('store error classifier', () => {
  it('sorts SQLite result codes, extended ones included, and errnos into kinds', () => {
    const cases: Array<[string, string]> = [
      ['SQLITE_FULL', 'full'], ['ENOSPC', 'full'], ['EDQUOT', 'full'],
      ['SQLITE_READONLY', 'read_only'], ['SQLITE_READONLY_DBMOVED', 'read_only'], ['EROFS', 'read_only'], ['EACCES', 'read_only'], ['EPERM', 'read_only'],
      ['SQLITE_CORRUPT', 'corrupt'], ['SQLITE_CORRUPT_INDEX', 'corrupt'], ['SQLITE_NOTADB', 'corrupt'],
      ['SQLITE_IOERR', 'io'], ['SQLITE_IOERR_WRITE', 'io'], ['SQLITE_IOERR_SHMSIZE', 'io'], ['SQLITE_CANTOPEN', 'io'], ['EIO', 'io'],
      ['SQLITE_BUSY', 'busy'], ['SQLITE_BUSY_SNAPSHOT', 'busy'], ['SQLITE_LOCKED', 'busy'],
      ['SQLITE_CONSTRAINT_UNIQUE', 'other'], ['SQLITE_FULLX', 'other'], ['ENOENT', 'other'],
    ];
    for (const [code, kind] of cases) expect(classifyStoreError(coded(code)), code).toBe(kind);
    expect(classifyStoreError(new Error('no code'))).toBe('other');
    expect(classifyStoreError('a string')).toBe('other');
    expect(classifyStoreError(null)).toBe('other');
  });

  it('follows the cause of a wrapped error (AnjuError around a SqliteError)', () => {
    const wrapped = new AnjuError(ErrorCodes.STORE_OPEN, 'cannot open', { cause: coded('SQLITE_FULL') });
    expect(storeErrorCode(wrapped)).toBe('SQLITE_FULL');
    expect(classifyStoreError(wrapped)).toBe('full');
  });

  it('classifies what better-sqlite3 really throws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-classify-'));
    try {
      const db = new Database(join(dir, 'x.db'));
      db.exec('CREATE TABLE t (k PRIMARY KEY)');
      db.exec("INSERT INTO t VALUES ('a')");
      let thrown: unknown;
      try { db.exec("INSERT INTO t VALUES ('a')"); } catch (err) { thrown = err; }
      expect(storeErrorCode(thrown)).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
      expect(classifyStoreError(thrown)).toBe('other');
      db.close();
      const ro = new Database(join(dir, 'x.db'), { readonly: true });
      try { ro.exec("INSERT INTO t VALUES ('b')"); } catch (err) { thrown = err; }
      expect(classifyStoreError(thrown)).toBe('read_only');
      ro.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
