import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { REDACTED, redactSecrets, secretsInText } from '../config/redact-config.js';
import { redactUrl } from '../uplink/redact-url.js'; // the daemon's own, for logs and events

/**
 * Keeping secrets out of what anjuctl shows and bundles. The config may carry `uplink.password`
 * and a URL with credentials (mqtts://user:secret@host); the password file's contents and TLS keys
 * are never read for output at all (their paths are not secret and stay). As a second line of
 * defence, every text that leaves through `config show` or a support bundle is scrubbed of the
 * secret values themselves, so a password echoed into a log line does not leak either.
 */
export { REDACTED };

export { redactUrl };

/** Config YAML with secrets replaced; comments and layout kept. Unparseable text is redacted line by line. */
export function redactConfigText(text: string): string {
  return redactSecrets(text).text;
}

/** Secret values a config names: its password, the URL's password, the password file's first line (when readable). */
export function secretsOf(config: Readonly<Config> | null, rawText?: string): string[] {
  const out = rawText ? secretsInText(rawText) : [];
  if (!config) return out;
  const u = config.uplink;
  if (u.password) out.push(u.password);
  const m = /^[a-z]+:\/\/[^:@/]*:([^@/]+)@/i.exec(u.url);
  if (m) out.push(decodeURIComponent(m[1]!));
  if (u.password_file) {
    try {
      const first = readFileSync(u.password_file, 'utf8').split(/\r?\n/)[0];
      if (first) out.push(first); // read only to scrub it from what we output, never to print it
    } catch { /* not readable by this user: then it cannot leak through us either */ }
  }
  return [...new Set(out.filter((s) => s.length >= 4))]; // shorter "secrets" would scrub ordinary words
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}

/** The validated config as JSON with secrets replaced (for --json and diffs). */
export function redactedConfigObject(config: Readonly<Config>): Record<string, unknown> {
  const c = JSON.parse(JSON.stringify(config)) as Record<string, unknown> & { uplink: Record<string, unknown> };
  if (c.uplink.password !== undefined) c.uplink.password = REDACTED;
  const modem = c.modem as Record<string, unknown> | undefined;
  if (modem?.pin !== undefined) modem.pin = REDACTED;
  c.uplink.url = redactUrl(String(c.uplink.url));
  return c;
}
