/**
 * Schema compatibility recorded in the database (src/store/database.ts, issue 13): additive
 * migrations keep schema_compat, a migration with `compat` raises it, and older code opens a newer
 * database only when it knows schema_compat; otherwise it refuses without changing anything.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, SCHEMA_VERSION, type Migration } from '../../../src/store/database.js';

const base: Migration[] = [
  'CREATE TABLE a (x INTEGER)',
  'CREATE TABLE b (y INTEGER)',
  'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID',
];
const meta = (db: Database.Database) => Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));

describe('schema compatibility', () => {
  it('a new database records schema_compat 0 and who migrated it; the real migrations are all additive so far', () => {
    const db = new Database(':memory:');
    expect(migrate(db, { writer: '0.1.0' })).toEqual({ from: 0, to: SCHEMA_VERSION, compat: 0, writer: '0.1.0' });
    expect(meta(db)).toMatchObject({ schema_compat: '0', schema_writer: '0.1.0' });
  });

  it('additive migrations keep schema_compat; one with compat raises it, and later additive ones keep that', () => {
    const db = new Database(':memory:');
    expect(migrate(db, { migrations: base, writer: '1' }).compat).toBe(0);
    const next: Migration[] = [...base, 'ALTER TABLE a ADD COLUMN z INTEGER', { sql: 'DROP TABLE b', compat: 5 }, 'CREATE INDEX a_x ON a(x)'];
    expect(migrate(db, { migrations: next, writer: '2' })).toEqual({ from: 3, to: 6, compat: 5, writer: '2' });
    expect(meta(db)).toEqual({ schema_compat: '5', schema_writer: '2' });
  });

  it('older code opens a newer database it can read (a rollback) and changes nothing of its schema', () => {
    const db = new Database(':memory:');
    migrate(db, { migrations: [...base, 'ALTER TABLE a ADD COLUMN z INTEGER'], writer: '2' });
    expect(migrate(db, { migrations: base, writer: '1' })).toEqual({ from: 4, to: 4, compat: 0, writer: '2' });
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(meta(db)).toEqual({ schema_compat: '0', schema_writer: '2' });
  });

  it('older code refuses a newer database it cannot read, naming both versions, and changes nothing', () => {
    const db = new Database(':memory:');
    migrate(db, { migrations: [...base, { sql: 'DROP TABLE b', compat: 4 }], writer: '2.0.0' });
    const before = meta(db);
    let err: unknown = null;
    try { migrate(db, { migrations: base, writer: '1.0.0' }); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'ANJU_ERR_STORE_SCHEMA' });
    expect((err as Error).message).toMatch(/schema version 4 \(written by anjud 2\.0\.0\) and needs an anjud that knows schema 4 or later; this anjud 1\.0\.0 knows schema 3/);
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(meta(db)).toEqual(before);
  });

  it('a newer database that does not record schema_compat is refused (the safe reading)', () => {
    const db = new Database(':memory:');
    migrate(db, { migrations: base });
    db.exec('DELETE FROM meta');
    db.pragma('user_version = 7');
    expect(() => migrate(db, { migrations: base })).toThrow(/needs an anjud that knows schema 7/);
  });

  it('a database made before compat was recorded gets it at the next open', () => {
    const db = new Database(':memory:');
    migrate(db, { migrations: base });
    db.exec('DELETE FROM meta');
    expect(migrate(db, { migrations: base }).compat).toBe(0);
    expect(meta(db)).toEqual({ schema_compat: '0' });
  });
});
