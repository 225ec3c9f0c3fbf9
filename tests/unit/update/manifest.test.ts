import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareVersions, debianArch, manifestText, signatureValid } from '../../../src/update/manifest.js';
import { parseReleaseKeys } from '../../../src/update/release-keys.js';
import { requireBinary } from '../../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const m = { version: '0.2.0', arch: 'arm64', size: 48213504, sha256: 'ab'.repeat(32) };

describe('update manifest', () => {
  it('is the documented five lines; a signature made by openssl as documented verifies, by any of several keys', () => {
    expect(manifestText(m)).toBe(`anju-update-v1\nversion=0.2.0\narch=arm64\nsize=48213504\nsha256=${'ab'.repeat(32)}\n`);
    const openssl = requireBinary('openssl', 'openssl');
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'b.key'), b.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'm.txt'), manifestText(m));
    const sig = execFileSync(openssl, ['pkeyutl', '-sign', '-inkey', join(dir, 'b.key'), '-rawin', '-in', join(dir, 'm.txt')]).toString('base64');
    const pems = `${a.publicKey.export({ type: 'spki', format: 'pem' })}${b.publicKey.export({ type: 'spki', format: 'pem' })}`;
    const keys = parseReleaseKeys(pems);
    expect(keys.ok && keys.keys.length).toBe(2);
    if (!keys.ok) return;
    expect(signatureValid(keys.keys, m, sig)).toBe(true);
    expect(signatureValid([keys.keys[0]!], m, sig)).toBe(false); // only b signed it
    for (const altered of [{ ...m, version: '0.2.1' }, { ...m, arch: 'amd64' }, { ...m, size: m.size + 1 }, { ...m, sha256: 'cd'.repeat(32) }]) {
      expect(signatureValid(keys.keys, altered, sig), JSON.stringify(altered)).toBe(false);
    }
    // A signature of other bytes, or not base64 of 64 bytes, never passes.
    expect(signatureValid(keys.keys, m, sign(null, Buffer.from('anju-update-v1\n'), b.privateKey).toString('base64'))).toBe(false);
    expect(signatureValid(keys.keys, m, sig.slice(0, -4))).toBe(false);
    expect(signatureValid(keys.keys, m, `${sig.slice(0, -2)}=x`)).toBe(false);
  });

  it('release keys: Ed25519 public keys only', () => {
    expect(parseReleaseKeys('nothing')).toMatchObject({ ok: false, message: 'no "BEGIN PUBLIC KEY" block in it' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(parseReleaseKeys(ec)).toMatchObject({ ok: false, message: 'key 1 is ec, expected an Ed25519 public key' });
    expect(parseReleaseKeys('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toMatchObject({ ok: false });
  });

  it('versions compare by semver precedence; anything else is not a version', () => {
    const order = ['0.0.9', '0.1.0-alpha', '0.1.0-alpha.1', '0.1.0-alpha.beta', '0.1.0-beta', '0.1.0-beta.2', '0.1.0-beta.11', '0.1.0-rc.1', '0.1.0', '0.1.1', '0.10.0', '1.0.0', '10.0.0'];
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        const c = compareVersions(order[i]!, order[j]!)!;
        expect(Math.sign(c), `${order[i]} vs ${order[j]}`).toBe(Math.sign(i - j));
      }
    }
    for (const bad of ['1.0', 'v1.0.0', '01.0.0', '1.0.0+build', '1.0.0-', '', '1.0.0-a..b']) expect(compareVersions(bad, '1.0.0'), bad).toBeNull();
  });

  it('architectures in Debian\'s names', () => {
    expect(debianArch('x64')).toBe('amd64');
    expect(debianArch('arm64')).toBe('arm64');
  });
});
