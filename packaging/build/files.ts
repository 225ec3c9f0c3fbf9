import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, lutimesSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * File-tree helpers of the package build (packaging/build/): the same inputs must give the same
 * bytes (reproducible builds, https://reproducible-builds.org/docs/): every file's mtime is
 * SOURCE_DATE_EPOCH, modes are normalised, and the tree's digest is taken in a fixed order.
 */

/** Every path under `root` (files, symlinks, directories), sorted by byte order of the relative path. */
export function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      out.push(p);
      const st = lstatSync(p);
      if (st.isDirectory()) visit(p);
    }
  };
  visit(root);
  return out.sort((a, b) => Buffer.compare(Buffer.from(relative(root, a)), Buffer.from(relative(root, b))));
}

/**
 * Modes a hub gets, whatever the build machine's umask: directories 0755, files 0644, or 0755 when
 * any execute bit was set (node, the bin/ scripts, native addons).
 */
export function normalise(root: string, epochS: number): void {
  const paths = walk(root);
  for (const p of [...paths].reverse()) { // children before their directory: a directory's mtime is set last
    const st = lstatSync(p);
    if (!st.isSymbolicLink()) chmodSync(p, st.isDirectory() || (st.mode & 0o111) !== 0 ? 0o755 : 0o644);
    lutimesSync(p, epochS, epochS);
  }
  lutimesSync(root, epochS, epochS);
  chmodSync(root, 0o755);
}

/** sha256 over (path, type, mode, content or link target) of every entry: equal trees, equal digest. */
export function treeDigest(root: string, exclude: (rel: string) => boolean = () => false): string {
  const h = createHash('sha256');
  for (const p of walk(root)) {
    const rel = relative(root, p);
    if (exclude(rel)) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) h.update(`L ${rel} ${readlinkSync(p)}\n`);
    else if (st.isDirectory()) h.update(`D ${rel}\n`);
    else h.update(`F ${rel} ${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}\n`);
  }
  return h.digest('hex');
}

/** Sum of the sizes of the regular files under `root`, bytes. */
export function treeBytes(root: string): number {
  let n = 0;
  for (const p of walk(root)) {
    const st = lstatSync(p);
    if (st.isFile()) n += st.size;
  }
  return n;
}

/** dpkg's Installed-Size: KiB, each file rounded up, as dpkg-gencontrol counts it. */
export function installedSizeKiB(root: string): number {
  let n = 0;
  for (const p of walk(root)) {
    const st = lstatSync(p);
    n += st.isFile() ? Math.ceil(st.size / 1024) : 1;
  }
  return n;
}

/** Removes every path under `root` for which `drop(rel, isDirectory)` says so. */
export function prune(root: string, drop: (rel: string, isDir: boolean) => boolean): void {
  for (const p of walk(root)) {
    let st;
    try { st = lstatSync(p); } catch { continue; } // inside a directory removed just before
    if (drop(relative(root, p), st.isDirectory())) rmSync(p, { recursive: true, force: true });
  }
}

export const sizeOf = (p: string): number => statSync(p).size;
