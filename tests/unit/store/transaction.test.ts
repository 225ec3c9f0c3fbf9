/** Work deferred to the OUTERMOST commit (issue 12, finding 14): never run for rows a failed commit took back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { afterCommit, transaction } from '../../../src/store/transaction.js';

describe('transaction() and afterCommit()', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anju-tx-'));
    db = openDatabase(dir);
    db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });
  const rows = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

  it('outside a transaction the callback runs at once', () => {
    const ran: string[] = [];
    afterCommit(db, () => ran.push('now'));
    expect(ran).toEqual(['now']);
  });

  it('inside one, it runs after the outermost commit, not when a nested savepoint is released', () => {
    const ran: string[] = [];
    transaction(db, () => {
      db.transaction(() => { db.exec('INSERT INTO t VALUES (1)'); afterCommit(db, () => ran.push(`inner, rows ${rows()}`)); })();
      expect(ran).toEqual([]); // the savepoint was released: not a commit
      transaction(db, () => afterCommit(db, () => ran.push('nested helper')));
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['inner, rows 1', 'nested helper']);
  });

  it('a failed outer transaction drops everything deferred in it, savepoints that succeeded included', () => {
    const ran: string[] = [];
    expect(() => transaction(db, () => {
      db.transaction(() => { db.exec('INSERT INTO t VALUES (1)'); afterCommit(db, () => ran.push('inner')); })();
      throw new Error('database or disk is full');
    })).toThrow('full');
    expect(ran).toEqual([]);
    expect(rows()).toBe(0);
    // And the helper is usable again.
    transaction(db, () => afterCommit(db, () => ran.push('next')));
    expect(ran).toEqual(['next']);
  });

  it('a savepoint rolled back (its error caught) drops only its own callbacks', () => {
    const ran: string[] = [];
    transaction(db, () => {
      afterCommit(db, () => ran.push('outer'));
      try {
        transaction(db, () => { afterCommit(db, () => ran.push('failed savepoint')); throw new Error('no'); });
      } catch { /* handled */ }
    });
    expect(ran).toEqual(['outer']);
  });

  it('refuses to defer inside a transaction it did not open: that commit cannot be awaited', () => {
    expect(() => db.transaction(() => afterCommit(db, () => undefined))()).toThrow(/not opened by transaction/);
    expect(() => db.transaction(() => transaction(db, () => undefined))()).toThrow(/did not open/);
  });
});
