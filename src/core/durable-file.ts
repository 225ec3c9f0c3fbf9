import { closeSync, copyFileSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * File changes that survive a power cut in the order they were made (ext4 and friends): the data is
 * fsync()ed before the name points at it, and the directory is fsync()ed after its entries change,
 * or the rename or removal may be lost while later writes are not. Used for the config file a
 * set-config installs (supervisor.ts).
 */

function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the directory entries next to `path` (a new name, a rename, a removal) durable. */
export const fsyncDir = (path: string): void => fsyncPath(dirname(path), 'r');

/** Writes `text` to `path` (created with `mode`, replaced if there) and makes it and its name durable. */
export function writeFileDurably(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(path);
}

/** A durable copy of `from` at `to`. */
export function copyFileDurably(from: string, to: string): void {
  copyFileSync(from, to);
  fsyncPath(to, 'r+');
  fsyncDir(to);
}

/** Removes `path` if it exists, durably. */
export function removeDurably(path: string): void {
  rmSync(path, { force: true });
  fsyncDir(path);
}
