import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileDurably } from '../core/durable-file.js';
import type { UpdateManifest } from './manifest.js';

/**
 * How anjud hands a verified package to the installer, which must run as root and outside anjud's
 * cgroup (the install restarts anjud). anjud runs as user `anju` with NoNewPrivileges and no
 * capabilities, so it cannot run `dpkg -i` itself, nor ask systemd to (`systemd-run` to the system
 * manager needs polkit authorisation that user anju does not have). So anjud only writes a request
 * file into its updates directory; the root side picks it up:
 *  - under systemd (`path`): `anju-update.path` watches the file and starts `anju-update.service`
 *    (root), which runs the runner (src/update/runner.ts): a unit of its own, not in anjud's cgroup;
 *  - without systemd (`spawn`: a chroot, a test, a development machine): anjud starts the runner as a
 *    detached child in its own session; it then has anjud's privileges.
 * The runner re-checks everything (signature, digest, version, architecture) before it installs, and
 * writes a result file next to the request that anjud reads (also after the restart the install
 * causes). Both files are JSON, written whole (temporary name, fsync, rename).
 */
export const REQUEST_FILE = 'request.json';
export const RESULT_FILE = 'result.json';

export interface UpdateRequest extends UpdateManifest {
  readonly v: 1;
  /** The update's id (in every hub.update_* event). */
  readonly id: string;
  readonly signature: string;
  /** The verified package, in the updates directory. */
  readonly file: string;
}

export interface UpdateResult {
  readonly v: 1;
  readonly id: string;
  readonly version: string;
  /** The installer ran and exited 0 (the upgrade path reports what followed: hub.upgraded, hub.upgrade_rolled_back). */
  readonly ok: boolean;
  readonly code: string | null;
  readonly message: string;
  readonly exitCode: number | null;
  readonly ts: number;
}

export type HandoffMode = 'path' | 'spawn';

/** `ANJU_UPDATE_HANDOFF` if set, else `path` when systemd runs us as a service (INVOCATION_ID), else `spawn`. */
export function handoffMode(env: NodeJS.ProcessEnv = process.env): HandoffMode {
  const v = env.ANJU_UPDATE_HANDOFF;
  if (v === 'path' || v === 'spawn') return v;
  return env.INVOCATION_ID ? 'path' : 'spawn';
}

/** Writes `value` as JSON at `path`, whole or not at all. */
export function writeJsonAtomically(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileDurably(tmp, `${JSON.stringify(value)}\n`, 0o644);
  renameSync(tmp, path);
  fsyncDir(path);
}

export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * Writes the request; with `spawn`, starts the runner. `runner`: its entry point; `keys`: the release
 * keys it checks with; the installer it runs comes from its own environment (ANJU_UPDATE_INSTALLER).
 */
export function handOff(dir: string, req: UpdateRequest, o: { mode: HandoffMode; runner: string; keys: string; staging: string; socket: string }): void {
  const path = join(dir, REQUEST_FILE);
  writeJsonAtomically(path, req);
  if (o.mode === 'path') return;
  const log = openSync(join(dir, 'runner.log'), 'a', 0o640);
  try {
    const child = spawn(process.execPath, [o.runner, 'apply', '--request', path, '--keys', o.keys, '--staging', o.staging, '--socket', o.socket], {
      detached: true, // its own session: a stop of anjud (SIGTERM to its group) does not stop the install
      stdio: ['ignore', log, log],
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}
