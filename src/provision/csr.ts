import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';

/**
 * A PKCS#10 certificate signing request (RFC 2986) for the hub's TLS client key, built here with a
 * few lines of DER rather than by running `openssl req`: node:crypto makes and signs with the key
 * but cannot write a CSR, and spawning openssl would hand the key's path (or the key) to another
 * program and parse its output, for ~40 lines of encoding. The result is checked by the real
 * `openssl req -verify` in tests/unit/provision/csr.test.ts.
 *
 * Subject: CN=<hub id> only, which is what brokers map to the client's identity (Mosquitto's
 * use_identity_as_username, EMQX's peer_cert_as_username = cn). No attributes, no extensions: the
 * district's CA decides what the certificate says.
 */

const der = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  if (n > 0xffff) throw new RangeError('DER value too long');
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
};

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** The part of the request that is signed: deterministic for a given key and hub id. */
export function requestInfo(publicKey: KeyObject, commonName: string): Buffer {
  const name = seq(set(seq(oid(OID_COMMON_NAME), der(0x0c, Buffer.from(commonName, 'utf8')))));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return seq(der(0x02, Buffer.from([0])), name, spki, Buffer.from([0xa0, 0x00]));
}

/** A CSR (DER) for an EC P-256 private key, signed with ECDSA-SHA256. */
export function createCsr(privateKey: KeyObject, commonName: string): Buffer {
  const info = requestInfo(createPublicKey(privateKey), commonName);
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  return seq(info, seq(oid(OID_ECDSA_WITH_SHA256)), der(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

export const csrPem = (csr: Buffer): string =>
  `-----BEGIN CERTIFICATE REQUEST-----\n${csr.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE REQUEST-----\n`;

/** The DER inside a PEM CSR, or null when `pem` is not one. */
export function csrDerFromPem(pem: string): Buffer | null {
  const m = /-----BEGIN CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE REQUEST-----/.exec(pem);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
}

/**
 * Whether `csr` (DER) requests a certificate for this key and hub id: its signed part is exactly the
 * one we would make. Lets `anjuctl init` keep a CSR (and so its fingerprint, which the installer may
 * have scanned already) when it runs again.
 */
export function csrMatches(csr: Buffer, publicKey: KeyObject, commonName: string): boolean {
  const info = requestInfo(publicKey, commonName);
  // Outer SEQUENCE header: 0x30, then a short or long (0x81/0x82) length.
  const headerLength = csr[1] === 0x81 ? 3 : csr[1] === 0x82 ? 4 : 2;
  return csr[0] === 0x30 && csr.subarray(headerLength, headerLength + info.length).equals(info);
}

/** SHA-256 of the CSR's DER, lower-case hex: what the installer's phone and the district's CA compare. */
export const csrFingerprint = (csr: Buffer): string => createHash('sha256').update(csr).digest('hex');

/** `9f86 d081 884c ...`: the fingerprint in groups of four, easier to read aloud and compare. */
export const groupedFingerprint = (hex: string): string => hex.replace(/(.{4})(?!$)/g, '$1 ');
