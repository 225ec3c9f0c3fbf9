#!/usr/bin/env node
/**
 * anjuctl: the technician's CLI. Commands that need no daemon (config validation, screen-apnea)
 * work offline; the others talk to a running anjud over its control socket.
 * Exit codes: 0 ok, 1 failed, 2 usage, 3 anjud not running, 4 no permission (not in group anju),
 * 78 invalid config.
 */
import { Command } from 'commander';
import { EXIT_CONFIG } from '../config/check.js';
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
import { problemCount, renderProblems } from './config-problems.js';
import { localiseCommander } from './help-i18n.js';
import { parseLang, pickLang, t } from './i18n.js';
import { LANGS } from './messages/entry.js';

// The language is needed before commander parses (its help and errors are rendered in it), so
// --lang is read from argv here; an unknown one is a usage error, never silently English.
const langFlag = langFromArgv(process.argv.slice(2));
if (langFlag !== undefined && parseLang(langFlag) === null) {
  process.stderr.write(`${t(pickLang(undefined), 'badLang', { value: langFlag, langs: LANGS.join(', ') })}\n`);
  process.exit(2);
}
const program = new Command().name('anjuctl');
localiseCommander(program, pickLang(langFlag));
program.description('Anju technician CLI').version(VERSION).showHelpAfterError();
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
    // The same check as anjud --check-config, told in the technician's language, sorted by line.
    const lang = pickLang(cmd.optsWithGlobals<{ lang?: string }>().lang);
    const r = loadConfigFile(file);
    if (r.ok) process.stdout.write(`${t(lang, 'cpValid', { file, hub: r.config.hub.id, n: r.config.devices.length })}\n`);
    else process.stderr.write(`${renderProblems(lang, file, r.problems)}\n${problemCount(lang, r.problems.length)}\n`);
    process.exit(r.ok ? 0 : EXIT_CONFIG);
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

/** `--lang zh` or `--lang=zh` anywhere before `--`. */
function langFromArgv(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i]!;
    if (a === '--lang') found = argv[i + 1] ?? '';
    else if (a.startsWith('--lang=')) found = a.slice('--lang='.length);
  }
  return found;
}
