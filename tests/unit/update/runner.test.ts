import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { debianArch, manifestText } from '../../../src/update/manifest.js';
import { runUpdate } from '../../../src/update/runner.js';

/**
 * The root side of an update trusts nothing anjud wrote: every request below was written by an
 * "anjud" that lies about something, and the installer (a script that records being run) must never
 * run for any of them. Then a good request, which it runs on a private copy.
 */
const dir = mkdtempSync(join(tmpdir(), 'anju-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const updates = join(dir, 'updates');
const staging = join(dir, 'staging');
const keys = join(dir, 'release-keys.pem');
const ran = join(dir, 'ran');
const installer = join(dir, 'installer.sh');
const release = generateKeyPairSync('ed25519');
writeFileSync(keys, release.publicKey.export({ type: 'spki', format: 'pem' }));
writeFileSync(installer, `#!/bin/sh\nsha256sum "$1" | cut -d' ' -f1 > ${ran}\nexit 0\n`);
chmodSync(installer, 0o755);

const body = randomBytes(64 * 1024);
/** What anjud's control socket says, right before the install. */
let alarmsOpen: number | null = 0;
const manifest = { version: '0.2.0', arch: debianArch(), size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
const signature = (m = manifest, key = release.privateKey) => sign(null, Buffer.from(manifestText(m)), key).toString('base64');

/** What the hostile anjud wrote (`over`), run through the runner (`opts`: the runner's own options). */
function request(over: Record<string, unknown> = {}, file = join(updates, 'anju.deb'), opts: { keys?: string; installer?: string[] } = {}): ReturnType<typeof runUpdate> {
  writeFileSync(join(updates, 'request.json'), JSON.stringify({ v: 1, id: 'u-1', ...manifest, signature: signature(), file, ...over }));
  return runUpdate({ request: join(updates, 'request.json'), keys: opts.keys ?? keys, staging, installer: opts.installer ?? [installer], runningVersion: '0.1.0', now: () => 1, log: () => undefined, openAlarms: async () => alarmsOpen });
}

beforeEach(() => {
  alarmsOpen = 0;
  rmSync(updates, { recursive: true, force: true });
  rmSync(ran, { force: true });
  mkdirSync(updates);
  writeFileSync(join(updates, 'anju.deb'), body);
});

describe('anju-update (the root side)', () => {
  it.each([
    ['a version anjud changed after the check', { version: '9.9.9' }, 'ANJU_CMD_UPDATE_BAD_SIGNATURE'],
    ['a signature by another key', { signature: signature(manifest, generateKeyPairSync('ed25519').privateKey) }, 'ANJU_CMD_UPDATE_BAD_SIGNATURE'],
    ['a validly signed older package', { version: '0.0.1', signature: signature({ ...manifest, version: '0.0.1' }) }, 'ANJU_CMD_UPDATE_NOT_NEWER'],
    ['a validly signed package for another architecture', { arch: 'riscv64', signature: signature({ ...manifest, arch: 'riscv64' }) }, 'ANJU_CMD_UPDATE_WRONG_ARCH'],
    ['a malformed request', { sha256: 'x' }, 'ANJU_CMD_UPDATE_INSTALL_FAILED'],
  ])('refuses %s', async (_what, over, code) => {
    const r = await request(over);
    expect(r).toMatchObject({ ok: false, code });
    expect(existsSync(ran), 'the installer never ran').toBe(false);
    expect(JSON.parse(readFileSync(join(updates, 'result.json'), 'utf8'))).toMatchObject({ v: 1, id: 'u-1', ok: false, code });
  });

  it('refuses a package swapped after anjud verified it', async () => {
    writeFileSync(join(updates, 'anju.deb'), randomBytes(body.length));
    expect(await request()).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_DIGEST_MISMATCH' });
    expect(existsSync(ran)).toBe(false);
  });

  it('refuses a package outside the updates directory, or a symlink to one', async () => {
    const outside = join(dir, 'elsewhere.deb');
    writeFileSync(outside, body);
    expect(await request({}, outside)).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_INSTALL_FAILED', message: expect.stringContaining('is not in') });
    symlinkSync(outside, join(updates, 'link.deb'));
    expect(await request({}, join(updates, 'link.deb'))).toMatchObject({ ok: false, message: expect.stringContaining('not a regular file') });
    expect(existsSync(ran)).toBe(false);
  });

  it('refuses when the release keys are missing', async () => {
    expect(await request({}, undefined, { keys: join(dir, 'none.pem') })).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_NO_RELEASE_KEY' });
  });

  it('does not install while anjud says an alarm is open; installs when anjud does not answer', async () => {
    alarmsOpen = 1;
    expect(await request()).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_ALARM_OPEN' });
    expect(existsSync(ran)).toBe(false);
    alarmsOpen = null;
    writeFileSync(join(updates, 'anju.deb'), body);
    expect(await request()).toMatchObject({ ok: true });
  });

  it('installs a good request from its own copy, once: a second trigger finds nothing to do', async () => {
    const r = await request();
    expect(r).toMatchObject({ ok: true, code: null, exitCode: 0 });
    expect(readFileSync(ran, 'utf8').trim()).toBe(manifest.sha256);
    expect(existsSync(join(updates, 'request.json'))).toBe(false);
    expect(existsSync(join(staging, `anju_0.2.0_${debianArch()}.deb`)), 'the private copy is removed').toBe(false);
    expect(await runUpdate({ request: join(updates, 'request.json'), keys, staging, installer: [installer], runningVersion: '0.1.0', now: () => 1, log: () => undefined, openAlarms: async () => alarmsOpen })).toBeNull();
  });

  it('an installer that fails, or cannot be run, is the result', async () => {
    expect(await request({}, undefined, { installer: ['false'] })).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_INSTALL_FAILED', exitCode: 1 });
    writeFileSync(join(updates, 'anju.deb'), body);
    expect(await request({}, undefined, { installer: [join(dir, 'no-such-installer')] })).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_INSTALL_FAILED', message: expect.stringContaining('cannot run') });
  });
});
