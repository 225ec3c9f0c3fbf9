import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Copies the spoken prompts (prompts/*.wav, made by scripts/make-prompts.sh) next to the build, to
 * dist/prompts, where the daemon finds them (sounders.ts: shippedPromptsDir), as the device profiles
 * go to dist/devices. Used by `npm run build` and by the release staging (packaging/build/stage.ts).
 */
export function copyPrompts(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.22k.wav') });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repo = fileURLToPath(new URL('../../../', import.meta.url)); // dist/src/escalation -> the checkout
  copyPrompts(join(repo, 'prompts'), join(repo, 'dist/prompts'));
}
