import { readFileSync } from 'node:fs';

/**
 * Whether a hub has been provisioned: its config file exists and says something. A fresh install
 * has no /etc/anju/anju.yaml, or a placeholder of comments only (the package's conffile may be one):
 * anjud then waits for `anjuctl init` instead of exiting (src/daemon/waiting.ts), and `anjuctl init`
 * writes the file without --force. Anything else is a config, valid or not, and is checked as one.
 */
/** get-status's `state` while anjud waits for a config (src/daemon/waiting.ts). */
export const WAITING_STATE = 'waiting_for_provisioning';

export type Provisioning =
  | { state: 'missing' }
  | { state: 'placeholder' }
  | { state: 'present'; text: string }
  | { state: 'unreadable'; error: string };

/** Blank lines and comments only (also an empty file): YAML's empty document. */
export const isPlaceholder = (text: string): boolean => text.split('\n').every((l) => /^\s*(#.*)?$/.test(l));

export function provisioningOf(file: string): Provisioning {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', error: (err as Error).message };
  }
  return isPlaceholder(text) ? { state: 'placeholder' } : { state: 'present', text };
}
