#!/usr/bin/env node
/**
 * anjuctl: the technician's CLI. Commands that need no daemon (config validation, screen-apnea)
 * work offline; the others talk to a running anjud over its control socket.
 * Exit codes: 0 ok, 1 failed, 2 usage, 3 anjud not running, 4 no permission (not in group anju),
 * 78 invalid config.
 */
import { Command } from 'commander';
import { VERSION } from '../core/version.js';
import { addGlobalOptions, registerCommands } from './command-tree.js';
import { localiseCommander } from './help-i18n.js';
import { parseLang, pickLang } from './lang.js';
import { LANGS } from './messages/entry.js';

// The language is needed before commander parses (its help and errors are rendered in it), so
// --lang is read from argv here; an unknown one is a usage error, never silently English.
const langFlag = langFromArgv(process.argv.slice(2));
if (langFlag !== undefined && parseLang(langFlag) === null) {
  // The message catalogue only on this path: a start that prints nothing of it does not load it.
  const { t } = await import('./i18n.js');
  process.stderr.write(`${t(pickLang(undefined), 'badLang', { value: langFlag, langs: LANGS.join(', ') })}\n`);
  process.exit(2);
}
const program = new Command().name('anjuctl');
localiseCommander(program, pickLang(langFlag));
program.description('Anju technician CLI').version(VERSION).showHelpAfterError();
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
addGlobalOptions(program);

registerCommands(program);

// parseAsync: every action is async (it imports its command first, src/cli/lazy-action.ts).
await program.parseAsync();

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
