import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const RESERVE_FILE = 'anju.reserve';

/**
 * Room kept on the state directory's file system for the moment it fills (issue 12, finding 2): a
 * file of `bytes` written with real blocks (a pattern, not zeros and not a sparse hole, so no file
 * system can skip allocating it). When a store write fails with SQLITE_FULL the file is deleted and
 * the write tried again at once (src/store/storage-health.ts): the pending alarm commit, the evictions
 * and a WAL checkpoint(TRUNCATE) then have room, whoever filled the disk. It is released only at
 * that moment, not when free space merely runs low, so the room goes to the commit that needs it
 * rather than to whatever is filling the disk. Re-created once there is room for it and as much
 * again to spare (`ensure`), so it is not made and taken at once.
 */
export interface SpaceReserve {
  readonly bytes: number;
  readonly file: string;
  /** Whether the file is there, at full size. */
  present(): boolean;
  /**
   * Creates the file when it is missing and the file system has `bytes` to spare after it
   * (`freeBytes` >= 3 x bytes). Returns whether it is present afterwards. Never throws.
   */
  ensure(freeBytes: number): boolean;
  /** Deletes the file: returns the bytes given back (0 when there was none). Never throws. */
  release(): number;
  /** Times the reserve was released since start. */
  releases(): number;
}

const CHUNK = 64 * 1024;

export function createSpaceReserve(dir: string, bytes: number): SpaceReserve {
  const file = join(dir, RESERVE_FILE);
  const tmp = `${file}.tmp`;
  let releases = 0;
  const sizeOf = (path: string): number | null => {
    try { return statSync(path).size; } catch { return null; }
  };
  const unlink = (path: string): void => {
    try { unlinkSync(path); } catch { /* already gone */ }
  };
  const reserve: SpaceReserve = {
    bytes,
    file,
    present: () => bytes === 0 || sizeOf(file) === bytes,
    ensure(freeBytes) {
      if (reserve.present()) return true;
      if (freeBytes < 3 * bytes) return false;
      unlink(tmp);
      const pattern = Buffer.alloc(CHUNK, 0xa5);
      let fd: number | null = null;
      try {
        fd = openSync(tmp, 'w', 0o600);
        for (let written = 0; written < bytes;) written += writeSync(fd, pattern, 0, Math.min(CHUNK, bytes - written));
        fsyncSync(fd);
        closeSync(fd);
        fd = null;
        renameSync(tmp, file); // a crash mid-way leaves only the .tmp, deleted at the next try
        return true;
      } catch {
        if (fd !== null) try { closeSync(fd); } catch { /* closing a file we are abandoning */ }
        unlink(tmp);
        return false;
      }
    },
    release() {
      const size = sizeOf(file) ?? 0;
      unlink(tmp);
      if (size === 0) return 0;
      unlink(file);
      releases++;
      return size;
    },
    releases: () => releases,
  };
  return reserve;
}
