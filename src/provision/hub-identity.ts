import { randomBytes } from 'node:crypto';

/**
 * The hub's identity at provisioning: its id (from the label on the box, or made here) and what the
 * installer's phone scans to pair that id with the hub's certificate request.
 */

/** Same rule as the config's hub.id (src/config/schema.ts): it is an MQTT topic level and the certificate's CN. */
export const HUB_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

// Crockford's base 32: no I, L, O or U, so an id read off a screen or typed from a sticker is not
// misread (1/I/L, 0/O).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `hub-` and 10 random Crockford base-32 characters (50 bits: no two hubs of a country share one). */
export function generateHubId(bytes: (n: number) => Buffer = randomBytes): string {
  const b = bytes(10);
  let id = 'hub-';
  for (let i = 0; i < 10; i++) id += ALPHABET[b[i]! & 31];
  return id;
}

/**
 * What the QR code carries: a URI the district's installer app opens, with the hub id and the SHA-256
 * of the CSR. The CSR itself is public and travels separately (file, upload); the fingerprint scanned
 * in the home is what ties it to this box. ~110 bytes: a version 7 code, 53 terminal columns.
 */
export const provisioningUri = (hubId: string, csrSha256: string): string =>
  `anju:provision?hub=${encodeURIComponent(hubId)}&csr_sha256=${csrSha256}`;
