/** The storage state and the write guard (issue 12): release the reserve on SQLITE_FULL, retry once, say what state the store is in. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/core/clock.js';
import type { SpaceReserve } from '../../../src/store/space-reserve.js';
import { createStorageHealth, type StorageStatus } from '../../../src/store/storage-health.js';

const MB = 1024 * 1024;
const coded = (code: string) => Object.assign(new Error(code), { code });

function fakeReserve(bytes: number): SpaceReserve & { made: number } {
  let present = false;
  let releases = 0;
  const r = {
    bytes, file: '/state/anju.reserve', made: 0,
    present: () => bytes === 0 || present,
    ensure(free: number) {
      if (!present && free >= 3 * bytes) { present = true; r.made++; }
      return r.present();
    },
    release() {
      if (!present) return 0;
      present = false;
      releases++;
      return bytes;
    },
    releases: () => releases,
  };
  return r;
}

function setup(o: { reserve?: number; free?: number; inTx?: boolean } = {}) {
  const reserve = fakeReserve(o.reserve ?? 4 * MB);
  const disk = { free: o.free ?? 100 * MB };
  const changes: StorageStatus[] = [];
  let released = 0;
  const h = createStorageHealth({
    dir: '/state', reserve, clock: createManualClock(1000), log: pino({ level: 'silent' }),
    space: () => ({ freeBytes: disk.free, totalBytes: 200 * MB }),
    inTransaction: () => o.inTx === true,
    onChange: (s) => changes.push(s),
    onReleased: () => { released++; },
  });
  return { h, reserve, disk, changes, released: () => released };
}

describe('storage health', () => {
  it('on SQLITE_FULL releases the reserve and writes again: the write succeeds, the state says disk_full', () => {
    const { h, reserve, changes, released } = setup();
    h.checkDisk();
    expect(reserve.present()).toBe(true);
    expect(h.state()).toBe('ok');
    let tries = 0;
    const v = h.run('append', () => { if (tries++ === 0) throw coded('SQLITE_FULL'); return 'committed'; });
    expect(v).toBe('committed');
    expect(tries).toBe(2);
    expect(released()).toBe(1);
    expect(h.state()).toBe('disk_full'); // the reserve is gone until there is room to make it again
    expect(h.diskFull()).toBe(true);
    expect(h.status()).toMatchObject({ failures: { full: 1 }, reserve: { present: false, releases: 1 }, lastError: { code: 'SQLITE_FULL', kind: 'full', where: 'append' } });
    expect(changes.map((c) => c.state)).toEqual(['disk_full']);
  });

  it('with no reserve left, the failure comes back to the caller (which holds the event); attempt gives it as a value', () => {
    const { h } = setup({ reserve: 0 });
    h.checkDisk();
    expect(() => h.run('append', () => { throw coded('SQLITE_FULL'); })).toThrow('SQLITE_FULL');
    expect(h.state()).toBe('disk_full');
    const r = h.attempt('cloud_ack', () => { throw coded('SQLITE_FULL'); });
    expect(r).toMatchObject({ ok: false, kind: 'full' });
    // A write that succeeds ends the failure; the disk is fine (reserve off, plenty free): ok.
    expect(h.attempt('cloud_ack', () => 3)).toEqual({ ok: true, value: 3 });
    expect(h.state()).toBe('ok');
  });

  it('never retries a write inside an open transaction (the whole transaction fails instead)', () => {
    const { h, reserve } = setup({ inTx: true });
    h.checkDisk();
    let tries = 0;
    expect(() => h.run('readings', () => { tries++; throw coded('SQLITE_FULL'); })).toThrow();
    expect(tries).toBe(1);
    expect(reserve.present()).toBe(true);
  });

  it('other failures: store_error until a write succeeds; nothing released', () => {
    const { h, reserve } = setup();
    h.checkDisk();
    expect(h.attempt('puback', () => { throw coded('SQLITE_IOERR_WRITE'); })).toMatchObject({ ok: false, kind: 'io' });
    expect(h.state()).toBe('store_error');
    expect(h.diskFull()).toBe(false);
    expect(reserve.releases()).toBe(0);
    h.run('puback', () => undefined);
    expect(h.state()).toBe('ok');
  });

  it('free space below the low-water mark is disk_full without any failed write; it clears at twice the mark with the reserve back', () => {
    const { h, disk, reserve } = setup({ reserve: 4 * MB });
    h.checkDisk();
    disk.free = 3 * MB; // below 4 MB
    h.checkDisk();
    expect(h.state()).toBe('disk_full');
    disk.free = 6 * MB; // between the mark and twice it: still full (hysteresis)
    h.checkDisk();
    expect(h.state()).toBe('disk_full');
    disk.free = 9 * MB;
    h.checkDisk();
    expect(h.state()).toBe('ok');
    // Released for a write: full while it is gone; made again only with room for it and as much to spare.
    reserve.release();
    h.checkDisk();
    expect(reserve.made).toBe(1);
    expect(h.state()).toBe('disk_full');
    disk.free = 13 * MB;
    h.checkDisk();
    expect(reserve.made).toBe(2);
    expect(h.state()).toBe('ok');
  });

  it('the low-water mark is at least 1 MiB, also with a tiny or no reserve', () => {
    const { h, disk } = setup({ reserve: 0, free: 512 * 1024 });
    h.checkDisk();
    expect(h.status().lowWaterBytes).toBe(MB);
    expect(h.state()).toBe('disk_full');
    disk.free = 3 * MB;
    h.checkDisk();
    expect(h.state()).toBe('ok');
  });
});
