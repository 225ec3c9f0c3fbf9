import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * The district's release keys: Ed25519 public keys in one PEM file next to the config
 * (/etc/anju/release-keys.pem), written at provisioning (`anjuctl init --release-key FILE`) or by the
 * district's image. Several keys may be listed, one `BEGIN PUBLIC KEY` block each, so a key can be
 * rotated: hubs trust old and new while the fleet moves over, then the old one is removed.
 *
 * Not a config key on purpose: a path in the config could be changed by a set-config from the cloud,
 * and whoever chooses the key chooses the code the hub runs.
 */
export const RELEASE_KEYS_FILE = 'release-keys.pem';

export type ReleaseKeys = { ok: true; keys: KeyObject[] } | { ok: false; message: string };

export function parseReleaseKeys(text: string): ReleaseKeys {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) return { ok: false, message: 'no "BEGIN PUBLIC KEY" block in it' };
  const keys: KeyObject[] = [];
  for (const [i, pem] of blocks.entries()) {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (err) {
      return { ok: false, message: `key ${i + 1} does not parse: ${(err as Error).message}` };
    }
    if (key.asymmetricKeyType !== 'ed25519') return { ok: false, message: `key ${i + 1} is ${key.asymmetricKeyType ?? 'not an asymmetric key'}, expected an Ed25519 public key` };
    keys.push(key);
  }
  return { ok: true, keys };
}
