import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { backoffCeilingMs } from '../core/backoff.js';
import type { Clock } from '../core/clock.js';
import type { EventDraft } from '../core/event.js';
import { CommandError } from '../uplink/commands.js';
import { UpdateErrors, type UpdateErrorCode } from './errors.js';
import { handOff, readJson, REQUEST_FILE, RESULT_FILE, writeJsonAtomically, type HandoffMode, type UpdateResult } from './handoff.js';
import { compareVersions, signatureValid, type UpdateManifest } from './manifest.js';
import { parseReleaseKeys } from './release-keys.js';

/**
 * Over-the-air updates on the anjud side (issue 13, point 5): the `update` command's checks, the
 * download, the verification and the hand-off to the installer (handoff.ts), each step reported as a
 * hub.update_* event. Lives as long as the process (src/daemon/supervisor.ts), so a set-config meanwhile
 * does not lose it. What it has accepted is in <updates>/state.json, so a restart finds it: a download
 * cut short is reported (ANJU_CMD_UPDATE_INTERRUPTED; sent again, it resumes), an install handed off is
 * followed to its result (the install itself restarts anjud). Every accepted update ends in exactly
 * one of hub.update_installed and hub.update_failed; until then another `update` is ANJU_CMD_BUSY.
 */
export interface UpdateArgs extends UpdateManifest {
  url: string;
  signature?: string | undefined;
}

export interface UpdateManagerDeps {
  /** <state_dir>/updates: the package, the state, the request and the result. */
  dir: string;
  /** The release keys (next to the config: /etc/anju/release-keys.pem). */
  keysFile: string;
  runningVersion: string;
  /** Debian's name for this hub's architecture. */
  arch: string;
  /** update.max_mb of the config in force, in bytes. */
  maxBytes: () => number;
  openAlarms: () => number;
  /** Free bytes on the updates directory's file system, or null when unknown. */
  freeBytes: () => number | null;
  /** Bytes the store may still need: up to its quota, plus its low-water mark. */
  storeHeadroomBytes: () => number;
  raise: (draft: EventDraft) => void;
  log: Logger;
  clock: Clock;
  handoff: { mode: HandoffMode; runner: string; staging: string; socket: () => string };
  timing?: Partial<Timing>;
}

interface Timing { stallMs: number; guardMs: number; downloadDeadlineMs: number; maxAttempts: number; retryDelayMs: (attempt: number) => number; pollMs: number; pickupTimeoutMs: number; installTimeoutMs: number }
const TIMING: Timing = {
  stallMs: 60_000,
  guardMs: 1000,
  downloadDeadlineMs: 6 * 3_600_000, // 200 MB at 10 kB/s, a poor mobile link, takes 5.5 h
  maxAttempts: 8,
  // The hub's exponential (src/core/backoff.ts), 1 s doubling to 60 s, with "equal jitter" (half
  // the ceiling, plus up to as much again): maxAttempts bounds the retries, so a floor keeps eight
  // of them spread over at least a minute of a download server's outage.
  retryDelayMs: (n) => backoffCeilingMs(n - 2, 1000, 60_000) * (0.5 + Math.random() / 2),
  pollMs: 1000,
  pickupTimeoutMs: 120_000, // anju-update.path starts the runner at once; two minutes means it is not installed
  installTimeoutMs: 60 * 60_000, // dpkg, preflight, restart and the health gate (packaging/README.md): well under an hour
};

interface State { v: 1; id: string; stage: 'downloading' | 'handed_off'; manifest: UpdateManifest; signature: string; url: string; acceptedTs: number; handedOffTs?: number }
const STATE_FILE = 'state.json';
/** Room the installer needs besides the download: its private copy, then dpkg's unpacked payload. */
const INSTALL_ROOM_FACTOR = 3;
const PROGRESS_STEPS = [25, 50, 75, 100];

export interface UpdateManager {
  start(): void;
  stop(): Promise<void>;
  /** The `update` command: checks, then accepts (the rest runs on) or throws a CommandError with its code. */
  command(a: UpdateArgs): { accepted: true; id: string; version: string; size: number; resume_from: number };
  /** The update in progress (get-status, anjuctl status), or null. */
  status(): UpdateStatus | null;
}

export interface UpdateStatus {
  id: string;
  version: string;
  /** downloading (receivedBytes of size), or handed_off (the installer has it). */
  stage: 'downloading' | 'handed_off';
  receivedBytes: number;
  size: number;
  acceptedTs: number;
}

export function createUpdateManager(d: UpdateManagerDeps): UpdateManager {
  const timing: Timing = { ...TIMING, ...d.timing };
  const statePath = join(d.dir, STATE_FILE);
  const partOf = (m: UpdateManifest) => join(d.dir, `${m.sha256}.part`);
  let state: State | null = null;
  let abort = new AbortController();
  let watching: NodeJS.Timeout | null = null;
  let stopped = false;

  const event = (type: string, data: Record<string, unknown>, severity: 'info' | 'warning' = 'info'): void =>
    d.raise({ type, severity, device: null, state: 'info', data });
  const save = (s: State | null): void => {
    state = s;
    if (s) writeJsonAtomically(statePath, s);
    else rmSync(statePath, { force: true });
  };
  const fail = (s: State, stage: 'download' | 'verify' | 'install', code: UpdateErrorCode, message: string): void => {
    d.log.error({ update: s.id, version: s.manifest.version, stage, code, message }, 'update failed');
    event('hub.update_failed', { id: s.id, version: s.manifest.version, stage, code, message: message.slice(0, 1000) }, 'warning');
    save(null);
  };
  const refuse = (code: UpdateErrorCode, message: string): never => { throw new CommandError(code, message); };
  const spaceProblem = (remaining: number, size: number): string | null => {
    const free = d.freeBytes();
    if (free === null) return null;
    const need = remaining + INSTALL_ROOM_FACTOR * size + d.storeHeadroomBytes();
    return free < need ? `${free} bytes free; the package (${remaining} to download), the installer (${INSTALL_ROOM_FACTOR} x ${size}) and the store's room up to its quota need ${need}` : null;
  };

  function command(a: UpdateArgs): ReturnType<UpdateManager['command']> {
    if (state) throw new CommandError('ANJU_CMD_BUSY', `update ${state.id} to ${state.manifest.version} is in progress (${state.stage})`);
    let u: URL | null = null;
    try { u = new URL(a.url); } catch { /* below */ }
    if (!u || u.protocol !== 'https:' || u.username !== '' || u.password !== '') refuse(UpdateErrors.URL, 'url: expected an https:// URL without user info');
    if (a.signature === undefined) refuse(UpdateErrors.UNSIGNED, 'no signature: this hub installs only packages signed by a release key');
    let keysText = '';
    try { keysText = readFileSync(d.keysFile, 'utf8'); } catch (err) { refuse(UpdateErrors.NO_RELEASE_KEY, `no release key: ${(err as Error).message}`); }
    const keys = parseReleaseKeys(keysText);
    if (!keys.ok) return refuse(UpdateErrors.NO_RELEASE_KEY, `${d.keysFile}: ${keys.message}`);
    const manifest: UpdateManifest = { version: a.version, arch: a.arch, size: a.size, sha256: a.sha256 };
    if (!signatureValid(keys.keys, manifest, a.signature!)) refuse(UpdateErrors.BAD_SIGNATURE, 'the signature does not verify with a release key of this hub (version, arch, size and sha256 are what is signed)');
    if (a.arch !== d.arch) refuse(UpdateErrors.WRONG_ARCH, `the package is for ${a.arch}, this hub is ${d.arch}`);
    if ((compareVersions(a.version, d.runningVersion) ?? 0) <= 0) refuse(UpdateErrors.NOT_NEWER, `${a.version} is not newer than the running ${d.runningVersion}`);
    if (a.size > d.maxBytes()) refuse(UpdateErrors.TOO_LARGE, `${a.size} bytes is over this hub's cap of ${d.maxBytes()} (update.max_mb)`);
    const alarms = d.openAlarms();
    if (alarms > 0) refuse(UpdateErrors.ALARM_OPEN, `${alarms} alarm(s) open: the hub never updates while an alarm is open; send it again once they are cleared`);
    mkdirSync(d.dir, { recursive: true, mode: 0o750 });
    for (const f of readdirSync(d.dir)) if (f.endsWith('.part') && f !== `${a.sha256}.part`) rmSync(join(d.dir, f), { force: true });
    const have = fileSize(partOf(manifest));
    const space = spaceProblem(a.size - have, a.size);
    if (space) refuse(UpdateErrors.NO_SPACE, space);
    const s: State = { v: 1, id: randomUUID(), stage: 'downloading', manifest, signature: a.signature!, url: a.url, acceptedTs: d.clock.now() };
    save(s);
    d.log.info({ update: s.id, version: a.version, size: a.size, resumeFrom: have }, 'update accepted');
    event('hub.update_accepted', { id: s.id, version: a.version, from_version: d.runningVersion, arch: a.arch, size: a.size, sha256: a.sha256, resume_from: have });
    abort = new AbortController();
    void run(s).catch((err: unknown) => { if (state === s) fail(s, 'download', UpdateErrors.DOWNLOAD, (err as Error).message); });
    return { accepted: true, id: s.id, version: a.version, size: a.size, resume_from: have };
  }

  async function run(s: State): Promise<void> {
    const { manifest: m } = s;
    const part = partOf(m);
    // Loaded when an update runs, not with the daemon: most days a hub downloads nothing.
    const [{ download }, { sha256Of }] = await Promise.all([import('./download.js'), import('./digest.js')]);
    let step = 0;
    // Every second while it downloads: an alarm stops the download (the part is kept, for resuming),
    // so does the disk running low (the part is deleted: the outbox comes first).
    let stoppedBy: { code: UpdateErrorCode; message: string } | null = null;
    const startedMs = performance.now(); // monotonic: a wall-clock step neither ends nor extends it
    const guard = setInterval(() => {
      if (performance.now() - startedMs > timing.downloadDeadlineMs) {
        // A server that drips a byte a minute is never "stalled"; the hub must not stay busy for ever.
        stoppedBy = { code: UpdateErrors.DOWNLOAD, message: `the download took longer than ${timing.downloadDeadlineMs / 3_600_000} h (the part is kept for resuming)` };
        abort.abort();
        return;
      }
      const alarms = d.openAlarms();
      const space = alarms > 0 ? null : spaceProblem(m.size - fileSize(part), m.size);
      if (alarms > 0) stoppedBy = { code: UpdateErrors.ALARM_OPEN, message: `${alarms} alarm(s) opened during the download: stopped (the part is kept for resuming; send the command again once cleared)` };
      else if (space) stoppedBy = { code: UpdateErrors.NO_SPACE, message: `the disk runs low during the download: ${space}` };
      if (stoppedBy) abort.abort();
    }, timing.guardMs);
    const r = await download({
      url: s.url, file: part, size: m.size, stallMs: timing.stallMs, maxAttempts: timing.maxAttempts, retryDelayMs: timing.retryDelayMs, signal: abort.signal,
      onRetry: (why, from, attempt) => d.log.warn({ update: s.id, why, from, attempt }, 'update download cut short; resuming'),
      onProgress: (received) => {
        while (step < PROGRESS_STEPS.length && received * 100 >= PROGRESS_STEPS[step]! * m.size) {
          event('hub.update_progress', { id: s.id, version: m.version, received_bytes: received, size: m.size, percent: PROGRESS_STEPS[step] });
          step++;
        }
        return null;
      },
    }).finally(() => clearInterval(guard));
    if (stopped) return; // state.json stays: the next start reports it as interrupted
    const failure = stoppedBy ?? (r.ok ? null : r);
    if (failure) {
      if (failure.code !== UpdateErrors.ALARM_OPEN && failure.code !== UpdateErrors.DOWNLOAD) rmSync(part, { force: true });
      return fail(s, 'download', failure.code, failure.message);
    }
    if (!r.ok) return; // (narrowing: a failure was handled above)
    const digest = await sha256Of(part);
    if (digest !== m.sha256) {
      rmSync(part, { force: true });
      return fail(s, 'verify', UpdateErrors.DIGEST_MISMATCH, `the downloaded file's sha256 is ${digest}, not the signed ${m.sha256}: altered on the way or on the server`);
    }
    event('hub.update_verified', { id: s.id, version: m.version, sha256: m.sha256, resumed_from: r.value.resumedFrom });
    const alarms = d.openAlarms();
    if (alarms > 0) return fail(s, 'install', UpdateErrors.ALARM_OPEN, `${alarms} alarm(s) opened before the install: not installed (the verified package is kept; send the command again)`);
    const file = join(d.dir, `anju_${m.version}_${m.arch}.deb`);
    renameSync(part, file);
    const handed: State = { ...s, stage: 'handed_off', handedOffTs: d.clock.now() };
    save(handed);
    event('hub.update_installing', { id: s.id, version: m.version, via: d.handoff.mode === 'path' ? 'anju-update.path' : 'child-process' });
    rmSync(join(d.dir, RESULT_FILE), { force: true });
    handOff(d.dir, { v: 1, id: s.id, ...m, signature: s.signature, file }, { mode: d.handoff.mode, runner: d.handoff.runner, keys: d.keysFile, staging: d.handoff.staging, socket: d.handoff.socket() });
    d.log.info({ update: s.id, version: m.version, mode: d.handoff.mode }, 'update handed to the installer');
    watch();
  }

  /** Follows a handed-off install to its result file (also after the restart the install causes). */
  function watch(): void {
    if (watching || stopped) return;
    watching = setInterval(() => {
      const s = state;
      if (!s || s.stage !== 'handed_off') { stopWatching(); return; }
      const result = readJson(join(d.dir, RESULT_FILE)) as UpdateResult | null;
      const since = d.clock.now() - (s.handedOffTs ?? s.acceptedTs);
      if (result && result.id === s.id) {
        stopWatching();
        cleanUp(s);
        if (result.ok) {
          // The installer (dpkg -i) succeeded. Whether the new release stays is the health gate's call:
          // hub.upgraded or hub.upgrade_rolled_back (the release manager's events) says; running_version
          // is what this process runs as it reads the result.
          d.log.info({ update: s.id, version: s.manifest.version, running: d.runningVersion }, 'update installed');
          event('hub.update_installed', { id: s.id, version: s.manifest.version, running_version: d.runningVersion, message: result.message.slice(0, 1000) });
          save(null);
        } else {
          fail(s, 'install', (result.code ?? UpdateErrors.INSTALL_FAILED) as UpdateErrorCode, result.message);
        }
        return;
      }
      const waiting = fileSize(join(d.dir, REQUEST_FILE)) > 0;
      if ((waiting && since > timing.pickupTimeoutMs) || since > timing.installTimeoutMs) {
        stopWatching();
        cleanUp(s);
        fail(s, 'install', UpdateErrors.INSTALL_TIMEOUT, waiting
          ? `nothing picked the package up within ${timing.pickupTimeoutMs / 1000} s (is anju-update.path enabled?)`
          : `no result within ${timing.installTimeoutMs / 1000} s`);
      }
    }, timing.pollMs);
    watching.unref();
  }
  const stopWatching = (): void => { if (watching) clearInterval(watching); watching = null; };
  const cleanUp = (s: State): void => {
    for (const f of [REQUEST_FILE, RESULT_FILE, `anju_${s.manifest.version}_${s.manifest.arch}.deb`]) rmSync(join(d.dir, f), { force: true });
  };

  return {
    start() {
      const s = readJson(statePath) as State | null;
      if (!s || s.v !== 1 || typeof s.id !== 'string') return;
      state = s;
      if (s.stage === 'downloading') fail(s, 'download', UpdateErrors.INTERRUPTED, 'anjud stopped during the download; send the command again: it resumes where it was');
      else watch();
    },
    async stop() {
      stopped = true;
      stopWatching();
      abort.abort();
      await Promise.resolve();
    },
    command,
    status() {
      const s = state;
      if (!s) return null;
      const received = s.stage === 'downloading' ? fileSize(partOf(s.manifest)) : s.manifest.size;
      return { id: s.id, version: s.manifest.version, stage: s.stage, receivedBytes: received, size: s.manifest.size, acceptedTs: s.acceptedTs };
    },
  };
}

function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
