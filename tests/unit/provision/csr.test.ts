import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsr, csrDerFromPem, csrFingerprint, csrMatches, csrPem, groupedFingerprint } from '../../../src/provision/csr.js';
import { requireBinary } from '../../helpers/peers.js';

/** Our DER CSR, checked by the real openssl: the signature verifies, and it says what we meant. */
const openssl = requireBinary('openssl', 'openssl');
const dir = mkdtempSync(join(tmpdir(), 'anju-csr-'));
/** openssl 3.0's `req -verify` exits 0 either way: what it says is the verdict (on stderr). */
const verdict = (file: string): string => spawnSync(openssl, ['req', '-in', file, '-noout', '-verify'], { encoding: 'utf8' }).stderr.trim();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSR (PKCS#10, EC P-256, ECDSA-SHA256)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  it('openssl req -verify accepts it: subject CN = hub id, the key\'s public half', () => {
    const csr = createCsr(privateKey, 'hub-7K3M9QX2AB');
    const file = join(dir, 'hub.csr');
    writeFileSync(file, csrPem(csr));
    expect(verdict(file)).toBe('Certificate request self-signature verify OK');
    const text = execFileSync(openssl, ['req', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/Subject: CN\s?=\s?hub-7K3M9QX2AB/);
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    const pub = execFileSync(openssl, ['req', '-in', file, '-noout', '-pubkey'], { encoding: 'utf8' });
    expect(pub).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
    // openssl's DER of the same request is ours byte for byte, so its fingerprint is too.
    const opensslDer = execFileSync(openssl, ['req', '-in', file, '-outform', 'DER']);
    expect(csrFingerprint(opensslDer)).toBe(csrFingerprint(csr));
  });

  it('a long hub id (64 characters) and a CSR altered by one bit: openssl refuses the altered one', () => {
    const id = 'h'.repeat(64);
    const csr = createCsr(privateKey, id);
    const file = join(dir, 'long.csr');
    writeFileSync(file, csrPem(csr));
    expect(execFileSync(openssl, ['req', '-in', file, '-noout', '-subject'], { encoding: 'utf8' })).toContain(id);
    expect(verdict(file)).toBe('Certificate request self-signature verify OK');
    const bad = Buffer.from(csr);
    bad[40]! ^= 1; // inside the subject
    writeFileSync(file, csrPem(bad));
    expect(verdict(file)).toBe('Certificate request self-signature verify failure');
  });

  it('recognises its own request for the same key and id, not for another key or id', () => {
    const csr = createCsr(privateKey, 'hub-a');
    const back = csrDerFromPem(`garbage before\n${csrPem(csr)}`);
    expect(back?.equals(csr)).toBe(true);
    expect(csrMatches(csr, publicKey, 'hub-a')).toBe(true);
    expect(csrMatches(csr, publicKey, 'hub-b')).toBe(false);
    expect(csrMatches(csr, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey, 'hub-a')).toBe(false);
    expect(csrDerFromPem('no pem here')).toBeNull();
    expect(groupedFingerprint('0123456789abcdef')).toBe('0123 4567 89ab cdef');
  });
});
