import { generateKeyPairSync, randomBytes, createHash, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { globalAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../src/core/event.js';
import { manifestText } from '../../../src/update/manifest.js';
import { createUpdateManager } from '../../../src/update/update-manager.js';
import { startPackageServer } from '../../helpers/package-server.js';
import { makeTestPki, type TestPki } from '../../helpers/tls.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The update manager with its deadlines shortened (the daemon's are minutes and hours): what ends an
 * update that never ends by itself. The rest is tested through the real daemon (ota-update.test.ts).
 */
const dir = mkdtempSync(join(tmpdir(), 'anju-upd-'));
const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

let pki: TestPki;
beforeAll(() => {
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'), 'h');
  // The package host's test CA. The daemon takes it from NODE_EXTRA_CA_CERTS, which Node reads at
  // start-up only: in this process it goes to the https agent the download uses.
  globalAgent.options.ca = [readFileSync(pki.ca)];
});

async function setup(timing: Record<string, number>) {
  const host = await startPackageServer({ cert: pki.serverCert, key: pki.serverKey });
  cleanup.push(() => host.close());
  const release = generateKeyPairSync('ed25519');
  const keysFile = join(dir, `keys-${Math.random()}.pem`);
  writeFileSync(keysFile, release.publicKey.export({ type: 'spki', format: 'pem' }));
  const events: EventDraft[] = [];
  const updates = join(dir, `updates-${Math.random()}`);
  const m = createUpdateManager({
    dir: updates, keysFile, runningVersion: '0.1.0', arch: 'amd64', maxBytes: () => 1e9, openAlarms: () => 0,
    freeBytes: () => null, storeHeadroomBytes: () => 0, raise: (e) => events.push(e), log: pino({ level: 'silent' }),
    clock: { now: () => Date.now() }, handoff: { mode: 'path', runner: '/nonexistent', staging: join(dir, 'staging'), socket: () => '/nonexistent' },
    timing: { pollMs: 50, ...timing },
  });
  const signed = (body: Buffer, name: string) => {
    const man = { version: '0.2.0', arch: 'amd64', size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    return { url: host.url(name), ...man, signature: sign(null, Buffer.from(manifestText(man)), release.privateKey).toString('base64') };
  };
  return { m, host, events, signed, updates };
}

describe('update manager: what ends an update that does not end by itself', () => {
  it('a server that sends a little and then nothing, past the download deadline: hub.update_failed DOWNLOAD', async () => {
    const { m, host, events, signed } = await setup({ downloadDeadlineMs: 1500, guardMs: 100, stallMs: 60_000 });
    const body = randomBytes(64 * 1024);
    host.put('drip.deb', { body, holdAt: 100 });
    m.command(signed(body, 'drip.deb'));
    await waitFor('failed', () => events.find((e) => e.type === 'hub.update_failed'), 10_000);
    expect(events.find((e) => e.type === 'hub.update_failed')?.data).toMatchObject({ stage: 'download', code: 'ANJU_CMD_UPDATE_DOWNLOAD', message: expect.stringContaining('took longer than') });
    await m.stop();
  });

  it('a request nothing picks up (no anju-update.path): hub.update_failed INSTALL_TIMEOUT, the files removed', async () => {
    const { m, host, events, signed, updates } = await setup({ pickupTimeoutMs: 300, guardMs: 100 });
    const body = randomBytes(1024);
    host.put('ok.deb', { body });
    m.command(signed(body, 'ok.deb'));
    await waitFor('failed', () => events.find((e) => e.type === 'hub.update_failed'), 10_000);
    expect(events.map((e) => e.type)).toEqual(['hub.update_accepted', 'hub.update_progress', 'hub.update_progress', 'hub.update_progress', 'hub.update_progress', 'hub.update_verified', 'hub.update_installing', 'hub.update_failed']);
    expect(events.at(-1)?.data).toMatchObject({ stage: 'install', code: 'ANJU_CMD_UPDATE_INSTALL_TIMEOUT', message: expect.stringContaining('anju-update.path') });
    expect(m.status()).toBeNull();
    expect(readdirSync(updates)).toEqual([]);
    await m.stop();
  });
});
