import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

/**
 * The Node/V8 flags the shipped systemd unit gives anjud: the value of its
 * `Environment="NODE_OPTIONS=..."` line in systemd/anjud.service. The memory bench runs its children
 * with exactly this NODE_OPTIONS, so it measures what ships (one source of truth: the unit).
 */
export const shippedUnitPath = (): string => join(repoRoot(), 'systemd/anjud.service');

export function shippedNodeOptions(unitText: string = readFileSync(shippedUnitPath(), 'utf8')): string {
  const lines = unitText.split('\n').map((l) => l.trim()).filter((l) => /^Environment=.*NODE_OPTIONS=/.test(l));
  if (lines.length !== 1) throw new Error(`systemd/anjud.service: expected exactly one Environment= line with NODE_OPTIONS, found ${lines.length}`);
  const m = /^Environment="NODE_OPTIONS=([^"]*)"$/.exec(lines[0]!);
  if (!m) throw new Error(`systemd/anjud.service: write it as Environment="NODE_OPTIONS=--flag --flag" (found ${lines[0]})`);
  return m[1]!.trim();
}
