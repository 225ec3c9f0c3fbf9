import { formatProblems, loadConfigFile } from './load.js';
import { EXIT_CONFIG } from './result.js';

export { EXIT_CONFIG } from './result.js';

/** What `anjud --check-config` and `anjuctl config validate` print, and their exit code. */
export function checkConfigFile(file: string): { exitCode: number; stdout: string; stderr: string } {
  const r = loadConfigFile(file);
  if (r.ok) {
    const warnings = r.warnings ?? [];
    return {
      exitCode: 0,
      stdout: `${file}: OK (hub ${r.config.hub.id}, ${r.config.devices.length} device(s))\n`,
      stderr: warnings.length > 0 ? `${formatProblems(file, warnings).replace(/^/gm, 'warning: ')}\n${warnings.length} warning(s); the config runs as it is.\n` : '',
    };
  }
  return { exitCode: EXIT_CONFIG, stdout: '', stderr: `${formatProblems(file, r.problems)}\n${r.problems.length} problem(s); nothing was started.\n` };
}
