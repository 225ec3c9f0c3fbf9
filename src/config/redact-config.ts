import { isMap, parseDocument } from 'yaml';
import { redactUrl } from '../uplink/redact-url.js';

/**
 * Secrets out of a config text, comments and layout kept: `uplink.password`, the SIM's `modem.pin`
 * and the password in a broker URL (mqtts://user:secret@host). One function for what anjuctl shows and bundles
 * (src/cli/redact.ts) and what the cloud reads with `get-config` (issue 16); the password files and
 * TLS keys are only named by path in the config, never read into it.
 *
 * `restoreSecrets` is the way back for a config the cloud edited from get-config: where the new
 * text still says "[redacted]", the hub keeps its own value, so reading, editing and writing back a
 * config does not replace the broker password with the word "[redacted]".
 */
export const REDACTED = '[redacted]';

const URL_KEYS = [['uplink', 'url'], ['zigbee2mqtt', 'url']] as const;
/** Secrets that are a key's whole value. */
const KEY_SECRETS = [['uplink', 'password'], ['modem', 'pin']] as const;

export function redactSecrets(text: string): { text: string; paths: string[] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    const lines = text.split('\n').map((l) => l.replace(/((?:password|\bpin)\s*:\s*).*/i, `$1"${REDACTED}"`).replace(/([a-z]+:\/\/[^:@/\s"']*):[^@/\s]*@/gi, `$1:${REDACTED}@`));
    return { text: lines.join('\n'), paths: ['(unparseable: every password line and URL credential)'] };
  }
  const paths: string[] = [];
  // The SIM PIN by key only: scrubbing its 4 digits from all text would mangle numbers.
  for (const key of KEY_SECRETS) {
    if (!doc.hasIn(key)) continue;
    doc.setIn(key, REDACTED);
    paths.push(key.join('.'));
  }
  for (const key of URL_KEYS) {
    const url = doc.getIn(key);
    if (typeof url === 'string' && redactUrl(url) !== url) {
      doc.setIn(key, redactUrl(url));
      paths.push(key.join('.'));
    }
  }
  // Second line of defence: the secret values themselves, wherever else they appear (a comment).
  // Untouched text when nothing was redacted; otherwise no re-folding of long lines either.
  let out = paths.length === 0 ? text : doc.toString({ lineWidth: 0 });
  for (const secret of secretsInText(text)) out = out.split(secret).join(REDACTED);
  return { text: out, paths };
}

/** Secret values written in a config text: passwords and URL passwords (4 characters or more: shorter would scrub ordinary words). */
export function secretsInText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/password\s*:\s*["']?([^"'\s#,}]+)/gi)) out.push(m[1]!);
  for (const m of text.matchAll(/[a-z]+:\/\/[^:@/\s"']*:([^@/\s"']+)@/gi)) out.push(m[1]!);
  return out.filter((s) => s.length >= 4 && s !== REDACTED && !s.startsWith('['));
}

/** `next` with every "[redacted]" secret that `current` has replaced by current's value. */
export function restoreSecrets(next: string, current: string): string {
  const doc = parseDocument(next);
  const cur = parseDocument(current);
  if (doc.errors.length > 0 || !isMap(doc.contents) || cur.errors.length > 0) return next; // invalid: validation says why
  let changed = false;
  for (const key of KEY_SECRETS) {
    const was = cur.getIn(key);
    if (doc.getIn(key) === REDACTED && (typeof was === 'string' || typeof was === 'number')) {
      doc.setIn(key, was);
      changed = true;
    }
  }
  for (const key of URL_KEYS) {
    const url = doc.getIn(key);
    const was = cur.getIn(key);
    // The same URL with its password redacted: the hub's URL, password and all.
    if (typeof url === 'string' && typeof was === 'string' && url.includes(`:${REDACTED}@`) && redactUrl(was) === url) {
      doc.setIn(key, was);
      changed = true;
    }
  }
  return changed ? doc.toString() : next;
}
