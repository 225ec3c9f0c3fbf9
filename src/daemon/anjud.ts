#!/usr/bin/env node
/**
 * anjud: the Anju gateway daemon.
 *   anjud --config /etc/anju/anju.yaml   run
 *   anjud --check-config FILE            validate a config file and exit (0 valid, 78 invalid)
 *   anjud --preflight [--config FILE] [--rollback-schema N]
 *                                        would this release run here? (src/daemon/preflight-cli.ts)
 * Exit codes: 0 clean stop, 1 fatal error at start-up or run time, 78 invalid config (EX_CONFIG);
 * --preflight also 65 (a copy of the database fails) and 66 (refused: schema).
 */
import { Command } from 'commander';
import { EXIT_CONFIG, formatProblems } from '../config/result.js';
import { loadConfigFileOffThread } from '../config/validate-off-thread.js';
import { VERSION } from '../core/version.js';

const program = new Command()
  .name('anjud')
  .description('Anju gateway daemon: sensors -> detectors -> SQLite outbox -> MQTT')
  .version(VERSION)
  .option('-c, --config <file>', 'config file (YAML)', process.env.ANJU_CONFIG ?? '/etc/anju/anju.yaml')
  .option('--check-config <file>', 'validate the config file, print every problem, and exit')
  .option('--preflight', 'check the config (--config) and a copy of the database with this release, print KEY=value lines, and exit (the release manager runs it before switching)')
  .option('--rollback-schema <n>', 'with --preflight: the schema version of the release a rollback would return to')
  .showHelpAfterError();

program.parse();
const opts = program.opts<{ config: string; checkConfig?: string; preflight?: boolean; rollbackSchema?: string }>();

if (opts.preflight) {
  const { runPreflight } = await import('./preflight-cli.js');
  process.exit(await runPreflight(opts.config, opts.rollbackSchema, VERSION));
}

if (opts.checkConfig !== undefined) {
  // Validates in-thread (zod and the schema load here): the process exits right after.
  const { checkConfigFile } = await import('../config/check.js');
  const r = checkConfigFile(opts.checkConfig);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exit(r.exitCode);
}

// A fresh install has no config yet (or a placeholder of comments): wait for `anjuctl init` rather
// than exit 78 and stay down (src/daemon/waiting.ts). Anything else is checked as a config.
const { provisioningOf } = await import('../config/provisioned.js');
const provisioning = provisioningOf(opts.config).state;
const unprovisioned = provisioning === 'missing' || provisioning === 'placeholder';
// Validated once, before anything runs, in a worker thread: the daemon's heap never holds zod and
// the schema (see validate-off-thread.ts); the messages are loadConfigFile's, word for word.
// Meanwhile this thread loads the daemon's code (importing runs nothing), so on a 2-core hub
// start-up takes the longer of the two rather than their sum.
const validating = unprovisioned ? null : loadConfigFileOffThread(opts.config).catch((err: unknown) => {
  // Not a config problem (the worker could not run): exit 1, and systemd restarts us.
  process.stderr.write(`anjud could not validate the config: ${(err as Error).message}\n`);
  process.exit(1);
});
const [{ systemClock }, { openSystemPort }, { createSupervisor }, { createLogger }, { installSignalHandlers }, { sdNotify, statusLine }] = await Promise.all([
  import('../core/clock.js'),
  import('../transports/serial/serial-transport.js'),
  import('./supervisor.js'),
  import('./logger.js'),
  import('./signals.js'),
  import('./sd-notify.js'),
]);
const log = createLogger('info');
// Before anything is spawned: it takes NOTIFY_SOCKET out of our environment (see sd-notify.ts).
const notify = sdNotify();
notify.setLog(log.child({ mod: 'sd-notify' }));
/** What a SIGTERM stops: nothing but the notifier while waiting for provisioning, then the supervisor. */
let stopRunning = (): Promise<void> => Promise.resolve();
/** How long the exit waits for systemd-notify to have said STOPPING=1 (within the 4.5 s hard limit). */
const STOPPING_SAID_MS = 2000;
installSignalHandlers({
  log,
  stop: async () => {
    const said = notify.stopping();
    await stopRunning();
    await Promise.race([said, new Promise((r) => setTimeout(r, STOPPING_SAID_MS).unref())]);
  },
});

let loaded: Awaited<NonNullable<typeof validating>>;
if (validating === null) {
  const { waitForProvisioning } = await import('./waiting.js');
  const { DEFAULT_SOCKET } = await import('../cli/client.js');
  loaded = await waitForProvisioning({
    configPath: opts.config, version: VERSION, log, notify, now: () => systemClock.now(),
    // The defaults of control.socket and control.group: where anjuctl looks when there is no config.
    socketPath: process.env.ANJU_SOCKET ?? DEFAULT_SOCKET, group: 'anju',
  });
} else {
  loaded = await validating;
}
if (!loaded.ok) {
  // Never start half-configured: every problem is printed and we exit before touching anything.
  process.stderr.write(`${formatProblems(opts.config, loaded.problems)}\n${loaded.problems.length} problem(s) in the config; anjud did not start.\n`);
  process.exit(EXIT_CONFIG);
}
const config = loaded.config;
log.level = config.log.level;
// Wrong but not in the way (a broken local profile no device uses): said at every start, never fatal.
for (const w of loaded.warnings ?? []) log.warn({ path: w.path, line: w.line }, `config warning: ${w.message}`);
const supervisor = createSupervisor({ configPath: opts.config, config, configHash: loaded.hash, log, clock: systemClock, version: VERSION, openPort: openSystemPort });
stopRunning = () => supervisor.stop();
try {
  supervisor.start();
} catch (err) {
  log.fatal({ err }, 'anjud could not start');
  log.flush();
  process.exit(1);
}
// The store is open and the devices are started: READY=1 (Type=notify), then the watchdog pings,
// which stop when the loop or the store stalls; STATUS= shows the queue in `systemctl status`.
const sendStatus = (): void => {
  try {
    notify.status(statusLine(supervisor.current().status()));
  } catch {
    // a config swap has the store closed for a moment; the next round reports again
  }
};
sendStatus();
notify.ready();
notify.startWatchdog({ storeFlushMs: config.store.readings_flush_ms });
setInterval(sendStatus, 5000).unref();
