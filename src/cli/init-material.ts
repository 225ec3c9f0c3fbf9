import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createCsr, csrDerFromPem, csrFingerprint, csrMatches, csrPem } from '../provision/csr.js';
import { writeFileAtomically } from '../provision/files.js';
import { parseReleaseKeys } from '../update/release-keys.js';
import { worded, type Worded } from './i18n.js';

/**
 * The hub's key material for `anjuctl init`, each kept when it is there and still fits: running init
 * again (to add the certificate, or after a mistake) must not change the key a certificate was issued
 * for, nor the CSR whose fingerprint the installer has scanned.
 */

export type Material<T> = { ok: true; value: T } | ({ ok: false } & Worded);

/** The hub's EC P-256 key: the one at `path`, or a new one written there (0640, root:anju). */
export function hubKey(path: string, o: { renew: boolean; gid: number | null }): Material<{ key: KeyObject; created: boolean }> {
  if (!o.renew && existsSync(path)) {
    let key: KeyObject;
    try {
      key = createPrivateKey(readFileSync(path));
    } catch (err) {
      return { ok: false, ...worded('imBadKey', { path, error: (err as Error).message }) };
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return { ok: false, ...worded('imNotP256', { path, type: `${key.asymmetricKeyType ?? '?'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim() }) };
    }
    return { ok: true, value: { key, created: false } };
  }
  // P-256: what every broker's TLS stack accepts for client certificates (Mosquitto, EMQX, AWS IoT).
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileAtomically(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o640, gid: o.gid });
  return { ok: true, value: { key: privateKey, created: true } };
}

/** The CSR at `path` if it asks for this key and hub id, else a new one written there (0644). */
export function hubCsr(path: string, key: KeyObject, hubId: string): { der: Buffer; sha256: string; created: boolean } {
  const pub = createPublicKey(key);
  if (existsSync(path)) {
    const der = csrDerFromPem(readFileSync(path, 'utf8'));
    if (der && csrMatches(der, pub, hubId)) return { der, sha256: csrFingerprint(der), created: false };
  }
  const der = createCsr(key, hubId);
  writeFileAtomically(path, csrPem(der), { mode: 0o644, gid: null });
  return { der, sha256: csrFingerprint(der), created: true };
}

/** A PEM certificate file that exists and parses. */
export function readCertificate(file: string): Material<X509Certificate> {
  try {
    return { ok: true, value: new X509Certificate(readFileSync(file)) };
  } catch (err) {
    return { ok: false, ...((err as NodeJS.ErrnoException).code ? { message: (err as Error).message } : worded('imNotPem', { error: (err as Error).message })) };
  }
}

/** Whether `cert` certifies `key` (the same public key). */
export const certifies = (cert: X509Certificate, key: KeyObject): boolean =>
  cert.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(key).export({ type: 'spki', format: 'der' }));

/** The certificate already installed at `path`, if it is for this key. */
export function installedCertificate(path: string, key: KeyObject): boolean {
  if (!existsSync(path)) return false;
  const c = readCertificate(path);
  return c.ok && certifies(c.value, key);
}

/** The release keys file given with --release-key, checked (Ed25519 public keys): its text, to install. */
export function readReleaseKeys(from: string): Material<string> {
  let text: string;
  try {
    text = readFileSync(from, 'utf8');
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const keys = parseReleaseKeys(text);
  return keys.ok ? { ok: true, value: text } : keys;
}
