import { readFileSync, renameSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/schema.js';
import type { ConfigResult } from '../config/result.js';
import { configHash, formatProblems } from '../config/result.js';
import { validateConfigTextOffThread, validateRemoteConfigTextOffThread } from '../config/validate-off-thread.js';
import { CommandError } from '../uplink/commands.js';
import { redactUrl } from '../uplink/redact-url.js';
import type { OpenPort } from '../transports/serial/serial-transport.js';
import { createDaemon, type Daemon } from './daemon.js';
import type { CommandOrigin } from './commands.js';
import type { ReplyOf } from '../control/protocol.js';
import { copyFileDurably, fsyncDir, removeDurably, writeFileDurably } from '../core/durable-file.js';
import { createHubUpdates } from './hub-updates.js';

/**
 * Runs the daemon for one config file, and swaps it for a new config on `set-config`:
 *   1. validate the new text completely (schema, files it names; from the cloud also the remote
 *      policy, src/config/remote-policy.ts); the hub id and state_dir cannot change; anything wrong
 *      is refused and nothing changes;
 *   2. reply "accepted", write it to a side file `<config>.new` (fsync), stop the daemon and start
 *      the new config from memory; the config file itself still holds the previous config;
 *   3. once it reached the broker (within `uplink.apply_verify_s`): copy the old file to `.bak`,
 *      rename the side file over the config file (fsync, directory too). If it does not start or
 *      connect in time: stop it, remove the side file and start the previous config again.
 * Either way a durable event tells the cloud what happened: hub.config_applied or
 * hub.config_rolled_back (with the reason); the birth message carries the config hash in force. A
 * side file found at start means the process died while verifying: reported as rolled back.
 */
export interface Supervisor {
  start(): void;
  stop(): Promise<void>;
  current(): Daemon;
}

export interface SupervisorDeps {
  configPath: string;
  config: Readonly<Config>;
  configHash: string;
  log: Logger;
  clock: Clock;
  version: string;
  openPort: OpenPort;
}

const APPLY_DELAY_MS = 300; // lets the "accepted" response leave before the uplink restarts

/** systemd's RuntimeDirectory= (RUNTIME_DIRECTORY, colon-separated): where a remote config may put the control socket. */
const runtimeDirs = (): string[] => (process.env.RUNTIME_DIRECTORY ?? '').split(':').filter((p) => p !== '');

export function createSupervisor(d: SupervisorDeps): Supervisor {
  // The text too, for get-config; read once here and held to the hash the config was loaded with
  // (null: the file changed on disk since anjud read it, so the text in force is not known).
  let current: { config: Readonly<Config>; hash: string; text: string | null } = { config: d.config, hash: d.configHash, text: textOf(d.configPath, d.configHash) };
  // Lives as long as the process: a set-config meanwhile does not lose an update in progress.
  const updates = createHubUpdates({
    configPath: d.configPath, stateDir: d.config.state_dir, version: d.version, log: d.log, clock: d.clock,
    maxMb: () => current.config.update.max_mb, controlSocket: () => current.config.control.socket, daemon: () => daemon,
  });
  let daemon: Daemon = build(current.config, current.hash);
  let applying = false;
  let stopped = false;
  /** The config being applied, until it is verified and renamed over the config file. */
  const sidePath = `${d.configPath}.new`;

  function build(config: Readonly<Config>, hash: string): Daemon {
    return createDaemon({ config, log: d.log, clock: d.clock, version: d.version, openPort: d.openPort, configHash: hash, applyConfig, getConfig, update: (a) => updates.command(a), updateStatus: () => updates.status() });
  }

  /**
   * Redaction parses YAML: loaded on first use, so the daemon's heap holds no YAML parser until the
   * cloud or a technician asks for the config (the same rule as validation's worker; config-worker.test.ts).
   */
  let redaction: Promise<typeof import('../config/redact-config.js')> | null = null;
  const redactConfig = () => (redaction ??= import('../config/redact-config.js'));

  async function getConfig(): Promise<ReplyOf<'get-config'>> {
    if (current.text === null) throw new CommandError('ANJU_CMD_NOT_READY', `the config file ${d.configPath} was changed on disk after anjud read it: the config in force is not that file; restart anjud or apply the file`);
    const r = (await redactConfig()).redactSecrets(current.text);
    return { yaml: r.text, hash: current.hash, redacted: r.paths };
  }

  async function applyConfig(given: string, origin: CommandOrigin, baseHash?: string): Promise<ReplyOf<'set-config'>> {
    if (applying) throw new CommandError('ANJU_CMD_BUSY', 'a config is being applied; try again when it is done');
    // Edited from a config that is no longer in force (a device was added on site meanwhile): applying
    // it would silently undo that change. The sender reads get-config again and redoes its edit.
    if (baseHash !== undefined && baseHash !== current.hash) {
      throw new CommandError('ANJU_CMD_STALE_CONFIG', `base_hash ${baseHash} is not the config in force (${current.hash}): read it again with get-config and apply the change to that`);
    }
    // Busy from here: a second set-config while this one is validated is refused, not raced.
    applying = true;
    let scheduled = false;
    try {
      // A config edited from get-config's text keeps the hub's secrets where it still says [redacted].
      const text = current.text === null ? given : (await redactConfig()).restoreSecrets(given, current.text);
      // The cloud's config is hostile input: held to the remote policy (src/config/remote-policy.ts).
      const r = origin === 'cloud'
        ? await validateRemoteConfigTextOffThread(text, { current: current.config, configPath: d.configPath, runtimeDirs: runtimeDirs() })
        : await validateConfigTextOffThread(text);
      const reply = accept(text, r);
      scheduled = 'accepted' in reply;
      return reply;
    } finally {
      if (!scheduled) applying = false;
    }
  }

  /** Checks a validated config against the one in force; schedules the swap and replies "accepted", or throws why not. */
  function accept(text: string, r: ConfigResult): ReplyOf<'set-config'> {
    if (!r.ok) throw new CommandError('ANJU_CMD_INVALID_CONFIG', formatProblems('set-config', r.problems));
    if (r.config.hub.id !== current.config.hub.id) {
      throw new CommandError('ANJU_CMD_INVALID_CONFIG', `hub.id cannot be changed remotely (${current.config.hub.id} -> ${r.config.hub.id})`);
    }
    if (r.config.state_dir !== current.config.state_dir) {
      // A new state_dir would leave the outbox, undelivered alarms included, behind.
      throw new CommandError('ANJU_CMD_INVALID_CONFIG', `state_dir cannot be changed remotely (${current.config.state_dir} -> ${r.config.state_dir}): undelivered events live there`);
    }
    if (r.hash === current.hash) return { applied: false, unchanged: true, hash: r.hash };
    setTimeout(() => { void swap(text, r.config, r.hash).finally(() => { applying = false; }); }, APPLY_DELAY_MS);
    return { accepted: true, hash: r.hash, previous_hash: current.hash, verify_s: r.config.uplink.apply_verify_s };
  }

  /**
   * Runs `next` from memory while the config file on disk stays the previous one; only a verified
   * config is renamed over it. A crash, kill -9 or power cut meanwhile restarts on the known-good
   * file (issue 12, finding 5), and start() reports the interrupted apply.
   */
  async function swap(text: string, next: Readonly<Config>, hash: string): Promise<void> {
    if (stopped) return;
    const log = d.log.child({ mod: 'supervisor' });
    const previous = current;
    try {
      writeFileDurably(sidePath, text, 0o640); // names the attempt, should this process die during it
    } catch (err) {
      log.error({ err }, 'cannot write the new config; keeping the current one');
      rolledBack(hash, `cannot write the config file: ${(err as Error).message}`);
      return;
    }
    log.info({ hash, previous: previous.hash }, 'applying a new config');
    await daemon.stop();
    if (stopped) return; // anjud is stopping: the next start reports the apply as interrupted
    let failure = await tryStart(next, hash, next.uplink.apply_verify_s * 1000);
    if (stopped) return; // the side file stays: the next start reports the apply as interrupted
    if (failure === null) {
      try {
        copyFileDurably(d.configPath, `${d.configPath}.bak`); // the technician's way back, by hand
        renameSync(sidePath, d.configPath); // atomic: the old file or the new one, never neither
      } catch (err) {
        failure = `it ran and reached the broker, but cannot be installed: ${(err as Error).message}`;
        await daemon.stop();
      }
    }
    if (failure === null) {
      try {
        fsyncDir(d.configPath);
      } catch (err) {
        log.warn({ err }, 'cannot sync the config directory: a power cut now may bring back the previous config');
      }
      current = { config: next, hash, text };
      d.log.level = next.log.level;
      daemon.raise({ type: 'hub.config_applied', severity: 'info', device: null, state: 'info', data: { hash, previous_hash: previous.hash } });
      log.info({ hash }, 'new config applied');
      return;
    }
    log.error({ hash, reason: failure }, 'new config failed; restoring the previous one');
    daemon = build(previous.config, previous.hash);
    daemon.start(); // it ran a moment ago; if it cannot start now, anjud exits and systemd restarts it
    rolledBack(hash, failure);
  }

  /** Tells the cloud (a durable event) that `attemptedHash` is not in force, then drops its side file. */
  function rolledBack(attemptedHash: string, reason: string): void {
    daemon.raise({ type: 'hub.config_rolled_back', severity: 'warning', device: null, state: 'info', data: { attempted_hash: attemptedHash, hash: current.hash, reason } });
    try {
      removeDurably(sidePath);
    } catch (err) {
      d.log.warn({ err, path: sidePath }, 'cannot remove the config that was not applied; the next start reports it again');
    }
  }

  /** Starts `config`; null when it runs and reached the broker in time, else why not (and it is stopped). */
  async function tryStart(config: Readonly<Config>, hash: string, verifyMs: number): Promise<string | null> {
    daemon = build(config, hash);
    try {
      daemon.start();
    } catch (err) {
      return `did not start: ${(err as Error).message}`;
    }
    const deadline = d.clock.now() + verifyMs;
    while (d.clock.now() < deadline && !stopped) {
      if (daemon.status().uplink?.connected) return null;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (stopped) return 'anjud stopped'; // supervisor.stop() stops this daemon
    await daemon.stop();
    return `did not connect to ${redactUrl(config.uplink.url)} within ${verifyMs / 1000} s`;
  }

  /** A side file left by a set-config this process did not finish (it died, or was stopped, while verifying). */
  function interruptedApply(): { hash: string } | null {
    let text: string;
    try {
      text = readFileSync(sidePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      text = '';
    }
    return { hash: configHash(text) };
  }

  return {
    start() {
      const interrupted = interruptedApply();
      daemon.start();
      updates.start(); // after the daemon: it may report an update cut short by the last stop
      if (interrupted) {
        d.log.child({ mod: 'supervisor' }).warn({ attempted: interrupted.hash, hash: current.hash }, 'a set-config was interrupted while it was verified; running the previous config');
        rolledBack(interrupted.hash, 'interrupted: anjud stopped (crash, kill, power cut or restart) while the new config was being verified; the previous config is in force');
      }
    },
    async stop() {
      stopped = true;
      await updates.stop();
      await daemon.stop();
    },
    current: () => daemon,
  };
}

/** The config file's text when it still is what was loaded (its hash), else null. */
function textOf(path: string, hash: string): string | null {
  try {
    const text = readFileSync(path, 'utf8');
    return configHash(text) === hash ? text : null;
  } catch {
    return null;
  }
}
