import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/**
 * The environment the shipped systemd unit gives anjud: its `Environment=` lines in
 * systemd/anjud.service (NODE_OPTIONS with the V8 memory flags, MALLOC_ARENA_MAX). The memory bench
 * runs its children with exactly these variables, so it measures what ships (one source of truth:
 * the unit). Each line must be one quoted assignment, `Environment="NAME=value"`.
 */
export const shippedUnitPath = (): string => join(repoRoot(), 'systemd/anjud.service');

export function shippedEnvironment(unitText: string = readFileSync(shippedUnitPath(), 'utf8')): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unitText.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('Environment='))) {
    const m = /^Environment="([A-Z_][A-Z0-9_]*)=([^"]*)"$/.exec(line);
    if (!m) throw new Error(`systemd/anjud.service: write each variable as Environment="NAME=value" (found ${line})`);
    env[m[1]!] = m[2]!;
  }
  if (env.NODE_OPTIONS === undefined) throw new Error('systemd/anjud.service: no Environment="NODE_OPTIONS=..." line');
  return env;
}
