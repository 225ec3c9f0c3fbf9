#!/usr/bin/env node
/**
 * anjuctl: the technician's CLI. Commands that need no daemon (config validation, screen-apnea)
 * work offline; the others talk to a running anjud over its control socket.
 * Exit codes: 0 ok, 1 failed, 2 usage, 3 anjud not running, 4 no permission (not in group anju),
 * 78 invalid config.
 */
import { Command } from 'commander';
import { EXIT_CONFIG, checkConfigFile } from '../config/check.js';
import { loadConfigFile } from '../config/load.js';
import { VERSION } from '../core/version.js';
import { registerScreenApnea } from './commands/screen-apnea.js';
import { registerReplay } from './commands/replay.js';
import { registerAlarms } from './commands/alarms.js';
import { registerEscalation } from './commands/escalation.js';
import { registerEvents } from './commands/events.js';
import { registerStatus } from './commands/status.js';
import { registerWalktest } from './commands/walktest.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerSupportBundle } from './commands/support-bundle.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDevices } from './commands/devices.js';
import { registerDevicesEdit } from './commands/devices-edit.js';
import { registerPair } from './commands/pair.js';
import { registerRelease } from './commands/release.js';
import { registerInit } from './commands/init.js';
import { registerReport } from './commands/report.js';
import { addGlobalOptions } from './context.js';

const program = new Command().name('anjuctl').description('Anju technician CLI').version(VERSION).showHelpAfterError();
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
addGlobalOptions(program);

const config = program.command('config').description('work with config files');
config
  .command('validate')
  .argument('<file>', 'config file (YAML)')
  .description('check a config file; prints every problem with file:line:col and key path (--json for scripts)')
  .action((file: string, _o: unknown, cmd: Command) => {
    if (cmd.optsWithGlobals<{ json?: boolean }>().json) {
      const r = loadConfigFile(file);
      process.stdout.write(`${JSON.stringify(r.ok ? { ok: true, file, warnings: r.warnings ?? [] } : { ok: false, file, problems: r.problems })}\n`);
      process.exit(r.ok ? 0 : EXIT_CONFIG);
    }
    const r = checkConfigFile(file);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exit(r.exitCode);
  });

registerScreenApnea(program);
registerReplay(program);
registerStatus(program);
registerAlarms(program);
registerEscalation(program);
registerEvents(program);
registerWalktest(program);
registerDiagnose(program);
registerSupportBundle(program);
registerConfigCommands(config);
registerDevicesEdit(registerDevices(program));
registerPair(program);
registerRelease(program);
registerInit(program);
registerReport(program);

program.parse();
