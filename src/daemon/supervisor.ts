import { closeSync, copyFileSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/schema.js';
import type { ConfigResult } from '../config/result.js';
import { formatProblems } from '../config/result.js';
import { validateConfigTextOffThread, validateRemoteConfigTextOffThread } from '../config/validate-off-thread.js';
import { CommandError } from '../uplink/commands.js';
import { redactUrl } from '../uplink/redact-url.js';
import type { OpenPort } from '../transports/serial/serial-transport.js';
import { createDaemon, type Daemon } from './daemon.js';
import type { CommandOrigin } from './commands.js';

/**
 * Runs the daemon for one config file, and swaps it for a new config on the cloud's `set-config`:
 *   1. validate the new text completely (schema, files it names); the hub id cannot change;
 *      anything wrong is refused and nothing changes;
 *   2. reply "accepted", then write it next to the file (fsync), keep the old one as `.bak`,
 *      stop the daemon, rename the new file into place (atomic), start the new daemon;
 *   3. if it does not start, or does not reach the broker within `uplink.apply_verify_s`, stop it,
 *      restore the old file and start the old config again.
 * Either way a durable event tells the cloud what happened: hub.config_applied or
 * hub.config_rolled_back (with the reason); the birth message carries the config hash in force.
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
  let current = { config: d.config, hash: d.configHash };
  let daemon: Daemon = build(current.config, current.hash);
  let applying = false;
  let stopped = false;

  function build(config: Readonly<Config>, hash: string): Daemon {
    return createDaemon({ config, log: d.log, clock: d.clock, version: d.version, openPort: d.openPort, configHash: hash, applyConfig });
  }

  async function applyConfig(text: string, origin: CommandOrigin): Promise<unknown> {
    if (applying) throw new CommandError('ANJU_CMD_BUSY', 'a config is being applied; try again when it is done');
    // Busy from here: a second set-config while this one is validated is refused, not raced.
    applying = true;
    let scheduled = false;
    try {
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
  function accept(text: string, r: ConfigResult): { accepted: true; hash: string; previous_hash: string; verify_s: number } | { applied: false; unchanged: true; hash: string } {
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

  async function swap(text: string, next: Readonly<Config>, hash: string): Promise<void> {
    if (stopped) return;
    const log = d.log.child({ mod: 'supervisor' });
    const previous = current;
    const tmp = `${d.configPath}.new`;
    try {
      const fd = openSync(tmp, 'w', 0o640);
      writeSync(fd, text);
      fsyncSync(fd);
      closeSync(fd);
      copyFileSync(d.configPath, `${d.configPath}.bak`);
    } catch (err) {
      log.error({ err }, 'cannot write the new config; keeping the current one');
      daemon.raise({ type: 'hub.config_rolled_back', severity: 'warning', device: null, state: 'info', data: { attempted_hash: hash, hash: previous.hash, reason: `cannot write the config file: ${(err as Error).message}` } });
      return;
    }
    log.info({ hash, previous: previous.hash }, 'applying a new config');
    await daemon.stop();
    renameSync(tmp, d.configPath);
    const failure = await tryStart(next, hash, next.uplink.apply_verify_s * 1000);
    if (failure === null) {
      current = { config: next, hash };
      d.log.level = next.log.level;
      daemon.raise({ type: 'hub.config_applied', severity: 'info', device: null, state: 'info', data: { hash, previous_hash: previous.hash } });
      log.info({ hash }, 'new config applied');
      return;
    }
    log.error({ hash, reason: failure }, 'new config failed; restoring the previous one');
    renameSync(`${d.configPath}.bak`, d.configPath);
    daemon = build(previous.config, previous.hash);
    daemon.start(); // it ran a moment ago; if it cannot start now, anjud exits and systemd restarts it
    daemon.raise({ type: 'hub.config_rolled_back', severity: 'warning', device: null, state: 'info', data: { attempted_hash: hash, hash: previous.hash, reason: failure } });
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
    await daemon.stop();
    return `did not connect to ${redactUrl(config.uplink.url)} within ${verifyMs / 1000} s`;
  }

  return {
    start: () => daemon.start(),
    async stop() {
      stopped = true;
      await daemon.stop();
    },
    current: () => daemon,
  };
}
