import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (with devices/), from dist/bench/ or bench/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'devices'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the repository root (package.json next to devices/)');
}
