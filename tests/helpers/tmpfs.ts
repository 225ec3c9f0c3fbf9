import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './peers.js';

/**
 * A real, small file system for full-disk tests: a tmpfs of `sizeMb` mounted in a temp dir (needs
 * root, as the tests run). `fill()` writes a filler file until the file system refuses (ENOSPC),
 * with real blocks, so SQLite really gets SQLITE_FULL; `free()` deletes the filler. `unmount()` in
 * afterAll. A missing `mount` or a refused mount fails loudly: the tests need the real thing.
 */
export interface Tmpfs {
  readonly dir: string;
  /** Fills the file system to the last block; returns the bytes written. */
  fill(): number;
  /** Deletes what fill() wrote. */
  free(): void;
  /** Bytes free for writing (f_bavail x f_bsize). */
  availBytes(): number;
  unmount(): void;
}

export function mountTmpfs(sizeMb: number, o: { readOnly?: boolean } = {}): Tmpfs {
  const mount = requireBinary('mount', 'mount');
  const dir = mkdtempSync(join(tmpdir(), 'anju-tmpfs-'));
  execFileSync(mount, ['-t', 'tmpfs', '-o', `size=${sizeMb}m${o.readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
  const fillers: string[] = [];
  const availBytes = (): number => { const s = statfsSync(dir); return s.bavail * s.bsize; };
  return {
    dir,
    availBytes,
    fill() {
      const file = join(dir, `filler-${fillers.length}`);
      fillers.push(file);
      const fd = openSync(file, 'w');
      const chunk = Buffer.alloc(64 * 1024, 0xa5);
      let written = 0;
      try {
        for (;;) {
          // Smaller writes at the end, so the last free blocks are taken too.
          const n = Math.min(chunk.length, Math.max(availBytes(), 512));
          try {
            written += writeSync(fd, chunk, 0, n);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
              if (n <= 512) break;
              continue;
            }
            throw err;
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      for (const f of fillers.splice(0)) unlinkSync(f);
    },
    unmount() {
      try { execFileSync(requireBinary('umount', 'mount'), ['-l', dir]); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}

/** Remounts a tmpfs read-only or read-write (for "the state dir is read-only"). */
export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync(requireBinary('mount', 'mount'), ['-o', `remount,${mode}`, dir]);
}
