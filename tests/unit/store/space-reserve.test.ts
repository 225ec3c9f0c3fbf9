/** The space reserve on a real, small tmpfs (issue 12, finding 2): real blocks, released for a write, made again with room. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpaceReserve, RESERVE_FILE } from '../../../src/store/space-reserve.js';
import { mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';

const MB = 1024 * 1024;

describe('space reserve', () => {
  let disk: Tmpfs;
  beforeAll(() => { disk = mountTmpfs(8); });
  afterAll(() => disk.unmount());

  it('is written with real blocks: the file system has that much less free', () => {
    const r = createSpaceReserve(disk.dir, 2 * MB);
    expect(r.present()).toBe(false);
    const before = disk.availBytes();
    expect(r.ensure(before)).toBe(true);
    expect(r.present()).toBe(true);
    const st = statSync(join(disk.dir, RESERVE_FILE));
    expect(st.size).toBe(2 * MB);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(2 * MB); // not sparse
    expect(before - disk.availBytes()).toBeGreaterThanOrEqual(2 * MB);
    expect(existsSync(join(disk.dir, `${RESERVE_FILE}.tmp`))).toBe(false);
  });

  it('released, it gives its blocks back; made again only with room for it and as much to spare', () => {
    const r = createSpaceReserve(disk.dir, 2 * MB);
    r.ensure(disk.availBytes());
    const before = disk.availBytes();
    expect(r.release()).toBe(2 * MB);
    expect(disk.availBytes() - before).toBeGreaterThanOrEqual(2 * MB);
    expect(r.present()).toBe(false);
    expect(r.releases()).toBe(1);
    expect(r.release()).toBe(0); // nothing left to give
    expect(r.ensure(5 * MB)).toBe(false); // less than 3 x its size free: not now
    expect(r.present()).toBe(false);
    expect(r.ensure(disk.availBytes())).toBe(true);
  });

  it('on a full file system it is not made, and leaves no partial file', () => {
    const r = createSpaceReserve(disk.dir, 2 * MB);
    r.release();
    disk.fill();
    try {
      expect(r.ensure(64 * MB)).toBe(false); // told there is room: the write finds none
      expect(existsSync(join(disk.dir, RESERVE_FILE))).toBe(false);
      expect(existsSync(join(disk.dir, `${RESERVE_FILE}.tmp`))).toBe(false);
    } finally {
      disk.free();
    }
  });

  it('of size 0 is off: always "present", nothing to release', () => {
    const r = createSpaceReserve(disk.dir, 0);
    expect(r.present()).toBe(true);
    expect(r.ensure(0)).toBe(true);
    expect(r.release()).toBe(0);
  });
});
