import { spawn } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { sha256Of } from './digest.js';
import { UpdateErrors, type UpdateOutcome } from './errors.js';
import { RESULT_FILE, readJson, writeJsonAtomically, type UpdateRequest, type UpdateResult } from './handoff.js';
import { compareVersions, debianArch, signatureValid, VERSION_PATTERN } from './manifest.js';
import { parseReleaseKeys } from './release-keys.js';

/**
 * The root side of an over-the-air update: claims the request anjud wrote, checks it again as if
 * anjud were hostile (it could be: it parses what the cloud sends), and runs the installer on a
 * copy it made in a directory only root can write, so the file cannot be swapped between the check
 * and the install. The installer is `dpkg -i` by default, the release manager's path for every install
 * (packaging/README.md): preflight, switch, restart, health gate, rollback. Its exit code is the result.
 */
export interface RunnerOptions {
  request: string;
  keys: string;
  staging: string;
  /** The installer's command words; the package's path is appended. */
  installer: readonly string[];
  /** The version running (the release this runner is part of). */
  runningVersion: string;
  /** Alarms open in anjud now (its control socket), or null when it does not answer: the last check before installing. */
  openAlarms: () => Promise<number | null>;
  log: (line: string) => void;
  now: () => number;
}

export async function runUpdate(o: RunnerOptions): Promise<UpdateResult | null> {
  const dir = dirname(resolve(o.request));
  const claimed = join(dir, 'request.claimed.json');
  try {
    renameSync(o.request, claimed); // only one runner gets it: a second trigger finds nothing
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const raw = readJson(claimed);
  const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? String((raw as { id: string }).id).slice(0, 64) : 'unknown';
  const version = typeof (raw as { version?: unknown } | null)?.version === 'string' ? String((raw as { version: string }).version).slice(0, 64) : 'unknown';
  let staged: string | null = null;
  const finish = (r: Omit<UpdateResult, 'v' | 'id' | 'version' | 'ts'>): UpdateResult => {
    const result: UpdateResult = { v: 1, id, version, ts: o.now(), ...r };
    writeJsonAtomically(join(dir, RESULT_FILE), result);
    rmSync(claimed, { force: true });
    if (staged) rmSync(staged, { force: true });
    o.log(`${result.ok ? 'installed' : 'not installed'}: ${JSON.stringify(result)}`);
    return result;
  };
  try {
    const checked = await check(raw, dir, o);
    if (!checked.ok) return finish({ ok: false, code: checked.code, message: checked.message, exitCode: null });
    staged = checked.value;
    // anjud checked before it handed over; an alarm may have opened since. A daemon that does not
    // answer is no reason to refuse: the update may be what it needs.
    const alarms = await o.openAlarms();
    if (alarms === null) o.log('anjud does not answer on its control socket: cannot check for open alarms; installing');
    else if (alarms > 0) return finish({ ok: false, code: UpdateErrors.ALARM_OPEN, message: `${alarms} alarm(s) open: not installed; send the command again once cleared`, exitCode: null });
    o.log(`installing ${version} (${staged}) with: ${o.installer.join(' ')}`);
    const run = await runInstaller(o.installer, staged);
    if (run.exitCode === 0) return finish({ ok: true, code: null, message: run.tail, exitCode: 0 });
    return finish({ ok: false, code: UpdateErrors.INSTALL_FAILED, message: run.tail || `exit ${String(run.exitCode)}`, exitCode: run.exitCode });
  } catch (err) {
    return finish({ ok: false, code: UpdateErrors.INSTALL_FAILED, message: (err as Error).message, exitCode: null });
  }
}

/** Every check again, then a private copy of the package: its path, or why not. */
async function check(raw: unknown, dir: string, o: RunnerOptions): Promise<UpdateOutcome<string>> {
  const r = raw as Partial<UpdateRequest> | null;
  const bad = (message: string): UpdateOutcome<string> => ({ ok: false, code: UpdateErrors.INSTALL_FAILED, message: `malformed request: ${message}` });
  if (!r || r.v !== 1) return bad('not a version 1 request');
  if (typeof r.version !== 'string' || !VERSION_PATTERN.test(r.version)) return bad('version');
  if (typeof r.arch !== 'string' || !/^[a-z0-9]{1,16}$/.test(r.arch)) return bad('arch');
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size <= 0) return bad('size');
  if (typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256)) return bad('sha256');
  if (typeof r.signature !== 'string' || typeof r.file !== 'string') return bad('signature or file');
  const manifest = { version: r.version, arch: r.arch, size: r.size, sha256: r.sha256 };
  let keysText: string;
  try {
    keysText = readFileSync(o.keys, 'utf8');
  } catch (err) {
    return { ok: false, code: UpdateErrors.NO_RELEASE_KEY, message: `${o.keys}: ${(err as Error).message}` };
  }
  const keys = parseReleaseKeys(keysText);
  if (!keys.ok) return { ok: false, code: UpdateErrors.NO_RELEASE_KEY, message: `${o.keys}: ${keys.message}` };
  if (!signatureValid(keys.keys, manifest, r.signature)) return { ok: false, code: UpdateErrors.BAD_SIGNATURE, message: 'the signature does not verify with a release key' };
  if (r.arch !== debianArch()) return { ok: false, code: UpdateErrors.WRONG_ARCH, message: `the package is for ${r.arch}, this hub is ${debianArch()}` };
  if ((compareVersions(r.version, o.runningVersion) ?? 0) <= 0) return { ok: false, code: UpdateErrors.NOT_NEWER, message: `${r.version} is not newer than ${o.runningVersion}` };
  // The package must be a plain file right in the updates directory: no symlink to elsewhere.
  const file = resolve(dir, basename(r.file));
  if (resolve(r.file) !== file) return bad(`the package ${r.file} is not in ${dir}`);
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) return bad(`${file} is not a regular file`);
  mkdirSync(o.staging, { recursive: true, mode: 0o700 });
  const staged = join(o.staging, `anju_${r.version}_${r.arch}.deb`);
  rmSync(staged, { force: true });
  copyFileSync(file, staged);
  const digest = await sha256Of(staged);
  const size = lstatSync(staged).size;
  if (size !== r.size || digest !== r.sha256) {
    rmSync(staged, { force: true });
    return { ok: false, code: UpdateErrors.DIGEST_MISMATCH, message: `the package is not the signed one (${size} bytes, sha256 ${digest})` };
  }
  return { ok: true, value: staged };
}

/** Runs the installer; its exit code and the last lines it printed (for the result and the event). */
function runInstaller(argv: readonly string[], file: string): Promise<{ exitCode: number | null; tail: string }> {
  return new Promise((resolvePromise) => {
    let out = '';
    const keep = (d: Buffer) => {
      process.stdout.write(d);
      out = (out + d.toString('utf8')).slice(-2000);
    };
    const child = spawn(argv[0]!, [...argv.slice(1), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolvePromise({ exitCode: null, tail: `cannot run ${argv[0]}: ${err.message}` }));
    child.on('close', (code) => resolvePromise({ exitCode: code, tail: out.trim().split('\n').slice(-8).join('\n') }));
  });
}
