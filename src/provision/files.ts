import { chmodSync, chownSync, closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fsyncDir } from '../core/durable-file.js';

/**
 * How `anjuctl init` puts files into /etc/anju: whole or not at all (a temporary name, fsync, rename,
 * fsync of the directory), owned root:anju when run as root and the group exists, and never readable
 * by anyone else for even a moment (created 0600, then given its group and mode).
 */

export function writeFileAtomically(path: string, data: string | Buffer, o: { mode: number; gid: number | null }): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    // root:anju, so the daemon (group anju) reads it and nobody else does; only root can chown.
    if (o.gid !== null && process.getuid?.() === 0) chownSync(tmp, 0, o.gid);
    chmodSync(tmp, o.mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path);
}
