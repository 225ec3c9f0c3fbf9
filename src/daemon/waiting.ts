import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import { provisioningOf, WAITING_STATE } from '../config/provisioned.js';
import type { ConfigResult } from '../config/result.js';
import { loadConfigFileOffThread } from '../config/validate-off-thread.js';
import { COMMAND_ARGS, type ArgsOf, type WaitingReplies } from '../control/protocol.js';
import { createCommandDispatcher, type CommandSpec } from '../uplink/commands.js';
import { createControlSocket } from './control-socket.js';
import type { SdNotify } from './sd-notify.js';

/**
 * A fresh install has no config (or a placeholder of comments): anjud then waits for provisioning
 * instead of exiting 78, which under `RestartPreventExitStatus=78` would leave the unit failed, or
 * crash-looping without it (issue 13). While it waits it:
 *  - tells systemd READY=1 and STATUS=waiting for provisioning: run anjuctl init, and keeps the
 *    watchdog fed (WatchdogSec= would otherwise kill a daemon that is doing what it should);
 *  - answers `get-status` (and `ping`) on the control socket with state `waiting_for_provisioning`,
 *    so `anjuctl status` says what to do;
 *  - looks at the config file every second, and once a valid config is there returns it: anjud then
 *    starts for real, in this process (no restart needed, with or without systemd). A config that is
 *    there but invalid is logged and shown in get-status, and anjud keeps waiting for a good one.
 * No store, no uplink: without a hub id there is nothing to send and nowhere to send it.
 */
export { WAITING_STATE };

import type { WaitingStatus } from '../control/status.js';

export type { WaitingStatus } from '../control/status.js';

export interface WaitingDeps {
  configPath: string;
  version: string;
  log: Logger;
  notify: SdNotify;
  /** Where anjuctl looks by default (/run/anju/anjud.sock), or ANJU_SOCKET. */
  socketPath: string;
  group: string;
  now: () => number;
  pollMs?: number;
}

export const waitingStatusLine = (configPath: string): string => `waiting for provisioning: run anjuctl init (no config at ${configPath})`;

export async function waitForProvisioning(d: WaitingDeps): Promise<Extract<ConfigResult, { ok: true }>> {
  const status: WaitingStatus = { state: WAITING_STATE, version: d.version, config: d.configPath, sinceTs: d.now(), problems: null };
  // The protocol's schemas, with the replies of a hub that has no config yet (WaitingReplies).
  const ping: CommandSpec<ArgsOf<'ping'>, WaitingReplies['ping']> = { args: COMMAND_ARGS.ping, run: () => ({ pong: true, ts: d.now() }) };
  const getStatus: CommandSpec<ArgsOf<'get-status'>, WaitingReplies['get-status']> = { args: COMMAND_ARGS['get-status'], run: () => status };
  const specs = { ping, 'get-status': getStatus } as unknown as Record<string, CommandSpec<never>>;
  const control = createControlSocket({ path: d.socketPath, group: d.group, commands: createCommandDispatcher('unprovisioned', specs, d.log.child({ mod: 'cmd' })), log: d.log.child({ mod: 'control' }) });
  control.start();
  d.log.warn({ config: d.configPath, socket: d.socketPath }, `not provisioned: no config at ${d.configPath}; waiting for one (run: anjuctl init)`);
  d.notify.status(waitingStatusLine(d.configPath));
  d.notify.ready();
  // Nothing here commits to a store: the watchdog watches the main loop only.
  d.notify.startWatchdog({ storeFlushMs: 1000, storeStaleAfterMs: Number.POSITIVE_INFINITY });

  let seen = '';
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, d.pollMs ?? 1000));
      const sig = signature(d.configPath);
      if (sig === seen) continue;
      seen = sig;
      const p = provisioningOf(d.configPath);
      if (p.state === 'missing' || p.state === 'placeholder') {
        status.problems = null;
        continue;
      }
      const r = await loadConfigFileOffThread(d.configPath);
      if (r.ok) {
        d.log.info({ config: d.configPath, hub: r.config.hub.id, hash: r.hash }, 'provisioned: a valid config is there; starting');
        return r;
      }
      status.problems = r.problems;
      d.log.error({ config: d.configPath, problems: r.problems }, `a config is there but it is not valid (${r.problems.length} problem(s)); still waiting for a valid one`);
      d.notify.status(`waiting for provisioning: ${d.configPath} is not valid (${r.problems.length} problem(s)): anjud --check-config ${d.configPath}`);
    }
  } finally {
    await control.stop();
  }
}

/** Changes when the file appears, goes, or is rewritten (anjuctl init renames a new file into place). */
function signature(path: string): string {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}
