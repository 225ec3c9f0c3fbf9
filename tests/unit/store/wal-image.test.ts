/** Reading a WAL whose database file was emptied (issue 12, finding 12): the committed pages rebuild it. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { walImage } from '../../../src/store/wal-image.js';

describe('walImage', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anju-wal-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A database whose every write is still in its WAL; returns a copy of the WAL bytes. */
  function walWith(rows: number, uncommitted = false): Buffer {
    const db = openDatabase(dir);
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT NOT NULL)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => { for (let i = 0; i < rows; i++) ins.run(`row ${i} ${'x'.repeat(100)}`); })();
    if (uncommitted) {
      // A transaction too large for the page cache spills pages to the WAL before its commit.
      db.pragma('cache_size = 10');
      const committed = readFileSync(join(dir, 'anju.db-wal')).length;
      db.exec('BEGIN');
      for (let i = 0; i < 5000; i++) ins.run('y'.repeat(200));
      const wal = readFileSync(join(dir, 'anju.db-wal'));
      expect(wal.length, 'uncommitted pages spilled into the WAL').toBeGreaterThan(committed);
      db.exec('ROLLBACK');
      db.close();
      return wal;
    }
    const wal = readFileSync(join(dir, 'anju.db-wal'));
    db.close();
    return wal;
  }

  it('rebuilds the last committed database from the WAL alone', () => {
    const img = walImage(walWith(500))!;
    expect(img.missingPages).toBe(0);
    const mem = new Database(img.image);
    expect(mem.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 500 });
    expect(mem.pragma('quick_check', { simple: true })).toBe('ok');
    mem.close();
  });

  it('leaves out frames after the last commit, and a torn last frame', () => {
    const wal = walWith(200, true);
    const img = walImage(wal)!;
    const mem = new Database(img.image);
    expect(mem.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 200 });
    mem.close();
    const torn = Buffer.from(wal);
    torn.fill(0x5a, torn.length - 100); // the end of the last frame was never written
    const again = new Database(walImage(torn)!.image);
    expect(again.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 200 });
    again.close();
  });

  it('says null for what is not a WAL with a commit', () => {
    expect(walImage(Buffer.alloc(0))).toBeNull();
    expect(walImage(Buffer.from('SQLite format 3\0'.padEnd(64, ' ')))).toBeNull();
    const wal = walWith(10);
    const badHeader = Buffer.from(wal);
    badHeader[12] = badHeader[12]! ^ 0xff; // checkpoint seq changed: the header checksum fails
    expect(walImage(badHeader)).toBeNull();
    expect(walImage(wal.subarray(0, 32))).toBeNull(); // a header, no frames
  });
});
