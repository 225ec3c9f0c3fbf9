/**
 * `anjuctl config validate FILE`: the same check as anjud --check-config, told in the technician's
 * language, every problem with file:line:col and key path, sorted by line; --json for scripts.
 * Needs no daemon. Exit codes: 0 valid, 78 invalid or unreadable. (Registered in src/cli/command-tree.ts.)
 */
import type { Command } from 'commander';
import { EXIT_CONFIG } from '../../config/check.js';
import { loadConfigFile } from '../../config/load.js';
import { problemCount, renderProblems } from '../config-problems.js';
import { pickLang, t } from '../i18n.js';

export function configValidate(file: string, _o: unknown, cmd: Command): void {
  if (cmd.optsWithGlobals<{ json?: boolean }>().json) {
    const r = loadConfigFile(file);
    process.stdout.write(`${JSON.stringify(r.ok ? { ok: true, file, warnings: r.warnings ?? [] } : { ok: false, file, problems: r.problems })}\n`);
    process.exit(r.ok ? 0 : EXIT_CONFIG);
  }
  // The same check as anjud --check-config, told in the technician's language, sorted by line.
  const lang = pickLang(cmd.optsWithGlobals<{ lang?: string }>().lang);
  const r = loadConfigFile(file);
  if (r.ok) {
    process.stdout.write(`${t(lang, 'cpValid', { file, hub: r.config.hub.id, n: r.config.devices.length })}\n`);
    // Warnings (a broken local profile no device uses, a siren that is not one) do not make it invalid.
    if (r.warnings?.length) process.stderr.write(`${renderProblems(lang, file, r.warnings)}\n${t(lang, 'cpWarnings', { n: r.warnings.length })}\n`);
  } else process.stderr.write(`${renderProblems(lang, file, r.problems)}\n${problemCount(lang, r.problems.length)}\n`);
  process.exit(r.ok ? 0 : EXIT_CONFIG);
}
