/**
 * Over-the-air update (issue 13, point 5), end to end through the real built daemon: the cloud's
 * `update` command over a real Mosquitto, a local HTTPS package host (test CA), packages signed the way
 * docs/operations.md tells the district to (`openssl pkeyutl -sign -rawin`, Ed25519), the download,
 * the checks, the hand-off to the runner (a detached child: no systemd here) and the installer, which
 * in this file is a test double at the documented interface (`<installer> <package.deb>`, exit code):
 * it records what it was given. Every outcome is read where the cloud reads it, as events.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCloud, type CloudCommands } from '../helpers/cloud-commands.js';
import { ROOT, spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { startPackageServer, type PackageServer } from '../helpers/package-server.js';
import { requireBinary } from '../helpers/peers.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

const HUB = 'hub-ota';
const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
const OTHER_ARCH = ARCH === 'arm64' ? 'amd64' : 'arm64';
const openssl = requireBinary('openssl', 'openssl');
const dir = mkdtempSync(join(tmpdir(), 'anju-ota-'));
const etc = join(dir, 'etc');
const state = join(dir, 'state');
const updates = join(state, 'updates');
const record = join(dir, 'installer.log');
const cleanup: Array<() => unknown> = [];

let pki: TestPki;
let broker: Mosquitto;
let host: PackageServer;
let cloud: CloudCommands;
let events: Subscriber;
let pty: PtyPair;
let daemon: DaemonProcess;
let n = 0;

/** What the district signs: the five lines of docs/operations.md, signed with openssl, as the fleet tooling would. */
function sign(m: { version: string; arch: string; size: number; sha256: string }, key = join(dir, 'release.key')): string {
  const manifest = join(dir, `manifest-${n++}.txt`);
  writeFileSync(manifest, `anju-update-v1\nversion=${m.version}\narch=${m.arch}\nsize=${m.size}\nsha256=${m.sha256}\n`);
  return execFileSync(openssl, ['pkeyutl', '-sign', '-inkey', key, '-rawin', '-in', manifest]).toString('base64');
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A signed `update` command for `body` served as `name`, with `over` changing what is sent after signing. */
function update(name: string, body: Buffer, version = '0.2.0', over: Record<string, unknown> = {}): Record<string, unknown> {
  const m = { version, arch: ARCH, size: body.length, sha256: sha256(body) };
  return { url: host.url(name), ...m, signature: sign(m), ...over };
}
const send = (args: Record<string, unknown>) => cloud.send(HUB, 'update', args, `req-${n++}`, 20_000);
const ofUpdate = (id: string, type: string) => (m: { body: Record<string, unknown> }) =>
  m.body.type === type && (m.body.data as { id?: string }).id === id;
const installerCalls = (): string[] => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n').filter((l) => l !== '') : []);

beforeAll(async () => {
  mkdirSync(etc);
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'), HUB);
  // The district's release key (Ed25519): private half for the test's signing, public half on the hub.
  const release = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'release.key'), release.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(etc, 'release-keys.pem'), release.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'other.key'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  // The installer test double: records its arguments and the digest of the file it was given.
  const installer = join(dir, 'fake-installer.sh');
  writeFileSync(installer, `#!/bin/sh\nf="$1"\necho "$(basename "$f") $(sha256sum "$f" | cut -d' ' -f1)" >> ${record}\necho "installer ran on $f"\nexit "$(cat ${join(dir, 'install-exit')} 2>/dev/null || echo 0)"\n`);
  chmodSync(installer, 0o755);

  broker = await startMosquitto();
  cleanup.push(() => broker.stop());
  host = await startPackageServer({ cert: pki.serverCert, key: pki.serverKey });
  cleanup.push(() => host.close());
  pty = await createPtyPair(dir);
  cleanup.push(() => pty.unplug());
  const config = join(etc, 'anju.yaml');
  writeFileSync(config, `${testConfig({ hubId: HUB, stateDir: state, brokerUrl: broker.url, devices: [{ id: 'bed', path: pty.devicePath }], sustainS: 2, clearAfterS: 1 })}update: { max_mb: 4 }\n`);
  events = await mqttSub(broker.url, `anju/v1/${HUB}/events`);
  cleanup.push(() => events.close());
  cloud = await connectCloud(broker.url);
  cleanup.push(() => cloud.close());
  daemon = spawnDaemon(['--config', config], {
    env: { NODE_EXTRA_CA_CERTS: pki.ca, ANJU_UPDATE_INSTALLER: installer, ANJU_UPDATE_HANDOFF: 'spawn' },
  });
  cleanup.push(() => daemon.proc.kill('SIGKILL'));
  await daemon.waitForLog('uplink', (l) => l.msg === 'uplink connected');
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('update: refused with a stable code, nothing downloaded', () => {
  const body = randomBytes(256 * 1024);
  beforeAll(() => host.put('small.deb', { body }));

  it.each([
    ['unsigned', () => update('small.deb', body, '0.2.0', { signature: undefined }), 'ANJU_CMD_UPDATE_UNSIGNED'],
    ['signed by another key', () => { const m = { version: '0.2.0', arch: ARCH, size: body.length, sha256: sha256(body) }; return { url: host.url('small.deb'), ...m, signature: sign(m, join(dir, 'other.key')) }; }, 'ANJU_CMD_UPDATE_BAD_SIGNATURE'],
    ['altered after signing (version)', () => update('small.deb', body, '0.2.0', { version: '9.0.0' }), 'ANJU_CMD_UPDATE_BAD_SIGNATURE'],
    ['altered after signing (sha256)', () => update('small.deb', body, '0.2.0', { sha256: sha256(Buffer.from('x')) }), 'ANJU_CMD_UPDATE_BAD_SIGNATURE'],
    ['older than the running 0.1.0', () => update('small.deb', body, '0.0.9'), 'ANJU_CMD_UPDATE_NOT_NEWER'],
    ['the same version', () => update('small.deb', body, '0.1.0'), 'ANJU_CMD_UPDATE_NOT_NEWER'],
    ['a pre-release of the running version', () => update('small.deb', body, '0.1.0-rc.1'), 'ANJU_CMD_UPDATE_NOT_NEWER'],
    ['for another architecture', () => { const m = { version: '0.2.0', arch: OTHER_ARCH, size: body.length, sha256: sha256(body) }; return { url: host.url('small.deb'), ...m, signature: sign(m) }; }, 'ANJU_CMD_UPDATE_WRONG_ARCH'],
    ['over update.max_mb', () => { const m = { version: '0.2.0', arch: ARCH, size: 5 * 1024 * 1024, sha256: sha256(body) }; return { url: host.url('small.deb'), ...m, signature: sign(m) }; }, 'ANJU_CMD_UPDATE_TOO_LARGE'],
    ['plain http', () => update('small.deb', body, '0.2.0', { url: host.url('small.deb').replace('https:', 'http:') }), 'ANJU_CMD_UPDATE_URL'],
    ['user info in the URL', () => update('small.deb', body, '0.2.0', { url: host.url('small.deb').replace('https://', 'https://u:p@') }), 'ANJU_CMD_UPDATE_URL'],
  ])('%s', async (_what, args, code) => {
    const before = host.requests.length;
    const res = await send(args());
    expect(res).toMatchObject({ ok: false, code });
    expect(host.requests.length, 'nothing was downloaded').toBe(before);
  });

  it('a malformed signature or version is invalid arguments', async () => {
    expect(await send(update('small.deb', body, '0.2.0', { signature: 'abc' }))).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
    expect(await send(update('small.deb', body, '0.2.0', { version: 'v2' }))).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
  });

  it('while an alarm is open', async () => {
    pty.write(presence(true));
    for (let i = 0; i < 4 && !events.messages.some((m) => m.body.type === 'alarm.breathing_rate'); i++) { pty.write(breath(30)); await sleep(1000); }
    await events.waitFor('the alarm raised', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised');
    const res = await send(update('small.deb', body));
    expect(res).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_ALARM_OPEN' });
    for (let i = 0; i < 4 && !events.messages.some((m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'cleared'); i++) { pty.write(breath(16)); await sleep(1000); }
    await events.waitFor('the alarm cleared', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'cleared');
  });
});

describe('update: downloaded, verified, handed to the installer', () => {
  it('a signed package: accepted, progress, verified, installing; the installer gets exactly the signed bytes', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    host.put('anju_0.2.0.deb', { body });
    const res = await send(update('anju_0.2.0.deb', body));
    expect(res).toMatchObject({ ok: true, data: { accepted: true, version: '0.2.0', size: body.length, resume_from: 0 } });
    const id = (res.data as { id: string }).id;
    for (const type of ['hub.update_accepted', 'hub.update_progress', 'hub.update_verified', 'hub.update_installing', 'hub.update_installed']) await events.waitFor(type, ofUpdate(id, type));
    const percents = events.messages.filter(ofUpdate(id, 'hub.update_progress')).map((m) => (m.body.data as { percent: number }).percent);
    expect(percents).toEqual([25, 50, 75, 100]);
    expect(installerCalls()).toEqual([`anju_0.2.0_${ARCH}.deb ${sha256(body)}`]);
    expect(events.messages.find(ofUpdate(id, 'hub.update_installed'))?.body.data).toMatchObject({ version: '0.2.0', running_version: '0.1.0', message: expect.stringContaining('installer ran on') });
    await waitFor('the hand-off cleaned up', () => readdirSync(updates).filter((f) => f !== 'runner.log' && f !== 'staging').length === 0 && readdirSync(join(updates, 'staging')).length === 0);
    expect(events.messages.some(ofUpdate(id, 'hub.update_failed'))).toBe(false);
  });

  it('a download cut in half resumes with an HTTP Range request from where it stopped', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const half = body.length / 2;
    host.put('cut.deb', { body, cutAt: half });
    const res = await send(update('cut.deb', body, '0.2.1'));
    expect(res).toMatchObject({ ok: true, data: { accepted: true } });
    const id = (res.data as { id: string }).id;
    const verified = await events.waitFor('verified', ofUpdate(id, 'hub.update_verified'));
    await events.waitFor('installed', ofUpdate(id, 'hub.update_installed'));
    // Resumed where the file ended: the half the server sent, or less when the connection's reset
    // lost the last bytes in flight (TCP drops what the receiver had not read yet).
    const [from] = (verified.body.data as { resumed_from: number[] }).resumed_from;
    expect((verified.body.data as { resumed_from: number[] }).resumed_from).toHaveLength(1);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(half);
    const requests = host.requests.filter((r) => r.path === '/pkg/cut.deb');
    expect(requests.map((r) => [r.range, r.status]), JSON.stringify(requests)).toEqual([[null, 200], [`bytes=${from}-`, 206]]);
    expect(installerCalls()[1]).toBe(`anju_0.2.1_${ARCH}.deb ${sha256(body)}`);
  });

  it('a tampered package (same size, other bytes) is refused after the download and never installed', async () => {
    const body = randomBytes(1024 * 1024);
    const tampered = Buffer.from(body);
    tampered[12345]! ^= 0xff;
    host.put('tampered.deb', { body: tampered });
    const res = await send(update('tampered.deb', body, '0.2.2'));
    expect(res).toMatchObject({ ok: true, data: { accepted: true } });
    const id = (res.data as { id: string }).id;
    const failed = await events.waitFor('failed', ofUpdate(id, 'hub.update_failed'));
    expect(failed.body).toMatchObject({ severity: 'warning', data: { id, version: '0.2.2', stage: 'verify', code: 'ANJU_CMD_UPDATE_DIGEST_MISMATCH' } });
    expect(events.messages.some(ofUpdate(id, 'hub.update_installing'))).toBe(false);
    expect(installerCalls()).toHaveLength(2);
    expect(readdirSync(updates).filter((f) => f.endsWith('.part') || f.endsWith('.deb'))).toEqual([]);
  });

  it('a server that sends more than the signed size is cut off', async () => {
    const body = randomBytes(512 * 1024);
    host.put('long.deb', { body: Buffer.concat([body, randomBytes(1000)]) });
    const res = await send(update('long.deb', body, '0.2.3'));
    const id = (res.data as { id: string }).id;
    const failed = await events.waitFor('failed', ofUpdate(id, 'hub.update_failed'));
    expect(failed.body.data).toMatchObject({ stage: 'download', code: 'ANJU_CMD_UPDATE_SIZE_MISMATCH' });
  });

  it('an installer that refuses (exit 1: a failed preflight) is reported with its output', async () => {
    writeFileSync(join(dir, 'install-exit'), '1');
    const body = randomBytes(256 * 1024);
    host.put('refused.deb', { body });
    const res = await send(update('refused.deb', body, '0.2.4'));
    const id = (res.data as { id: string }).id;
    const failed = await events.waitFor('failed', ofUpdate(id, 'hub.update_failed'), 30_000);
    expect(failed.body.data).toMatchObject({ stage: 'install', code: 'ANJU_CMD_UPDATE_INSTALL_FAILED', message: expect.stringContaining('installer ran on') });
    rmSync(join(dir, 'install-exit'));
  });

  /** Served in two parts: 1000 bytes and then nothing, until anjud is killed and the command sent again. */
  const heldBody = randomBytes(512 * 1024);
  it('a second update while one runs is busy', async () => {
    host.put('held.deb', { body: heldBody, holdAt: 1000 });
    const res = await send(update('held.deb', heldBody, '0.2.5'));
    expect(res).toMatchObject({ ok: true });
    expect(await send(update('small.deb', Buffer.alloc(1), '0.2.6'))).toMatchObject({ ok: false, code: 'ANJU_CMD_BUSY' });
    // get-status and anjuctl status show it.
    await waitFor('the first bytes on disk', async () => {
      const st = await cloud.send(HUB, 'get-status', {}, `st-${n++}`);
      return (st.data as { update?: { receivedBytes: number } }).update?.receivedBytes === 1000;
    });
    const st = await cloud.send(HUB, 'get-status', {}, `st-${n++}`);
    expect((st.data as { update: unknown }).update).toMatchObject({ id: (res.data as { id: string }).id, version: '0.2.5', stage: 'downloading', receivedBytes: 1000, size: heldBody.length });
    const ctl = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/anjuctl.js'), '--socket', join(state, 'anjud.sock'), 'status'], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8' } });
    expect(ctl.stdout).toContain('Update 0.2.5: downloading, 0 % of 0.5 MB');
  });

  it('anjud killed during a download: reported as interrupted at the next start; sent again, it resumes', async () => {
    // The held download of the previous test is still running.
    const held = host.requests.filter((r) => r.path === '/pkg/held.deb');
    expect(held).toHaveLength(1);
    await waitFor('part of the package on disk', () => readdirSync(updates).some((f) => f.endsWith('.part')));
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
    daemon = spawnDaemon(['--config', join(etc, 'anju.yaml')], { env: { NODE_EXTRA_CA_CERTS: pki.ca, ANJU_UPDATE_INSTALLER: join(dir, 'fake-installer.sh'), ANJU_UPDATE_HANDOFF: 'spawn' } });
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    const interrupted = await events.waitFor('interrupted', (m) => m.body.type === 'hub.update_failed' && (m.body.data as { version?: string }).version === '0.2.5');
    expect(interrupted.body.data).toMatchObject({ stage: 'download', code: 'ANJU_CMD_UPDATE_INTERRUPTED' });
    const body = heldBody;
    host.put('held.deb', { body });
    const res = await send(update('held.deb', body, '0.2.5'));
    expect(res).toMatchObject({ ok: true, data: { accepted: true, resume_from: 1000 } });
    const id = (res.data as { id: string }).id;
    await events.waitFor('installed', ofUpdate(id, 'hub.update_installed'));
    expect(host.requests.filter((r) => r.path === '/pkg/held.deb').at(-1)).toMatchObject({ range: 'bytes=1000-', status: 206 });
    expect(installerCalls().at(-1)).toBe(`anju_0.2.5_${ARCH}.deb ${sha256(body)}`);
  });

  it('an alarm during the download stops it (the part kept); sent again once it cleared, it resumes', async () => {
    const body = randomBytes(512 * 1024);
    host.put('alarm.deb', { body, holdAt: 4096 });
    const res = await send(update('alarm.deb', body, '0.2.7'));
    const id = (res.data as { id: string }).id;
    await waitFor('part of the package on disk', () => readdirSync(updates).some((f) => f.endsWith('.part')));
    const raisedBefore = events.messages.filter((m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised').length;
    for (let i = 0; i < 4 && events.messages.filter((m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised').length === raisedBefore; i++) { pty.write(breath(30)); await sleep(1000); }
    const failed = await events.waitFor('stopped by the alarm', ofUpdate(id, 'hub.update_failed'));
    expect(failed.body.data).toMatchObject({ stage: 'download', code: 'ANJU_CMD_UPDATE_ALARM_OPEN' });
    expect(readdirSync(updates).filter((f) => f.endsWith('.part'))).toEqual([`${sha256(body)}.part`]);
    const clearedBefore = events.messages.filter((m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'cleared').length;
    for (let i = 0; i < 4 && events.messages.filter((m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'cleared').length === clearedBefore; i++) { pty.write(breath(16)); await sleep(1000); }
    await waitFor('the alarm cleared', () => events.messages.filter((m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'cleared').length > clearedBefore);
    host.put('alarm.deb', { body });
    const again = await send(update('alarm.deb', body, '0.2.7'));
    expect(again).toMatchObject({ ok: true, data: { resume_from: 4096 } });
    await events.waitFor('installed', ofUpdate((again.data as { id: string }).id, 'hub.update_installed'));
  });
});

describe('update: the outbox keeps its room (a small file system)', () => {
  it('refuses a package the disk cannot hold next to the store\'s quota; stops and deletes a download when the disk fills', async () => {
    const fs = mountTmpfs(48);
    cleanup.push(() => fs.unmount());
    const small = join(dir, 'small-etc');
    mkdirSync(small);
    writeFileSync(join(small, 'release-keys.pem'), readFileSync(join(etc, 'release-keys.pem')));
    const config = join(small, 'anju.yaml');
    writeFileSync(config, `hub: { id: hub-ota-small }\nstate_dir: "${fs.dir}"\ncontrol: { socket: "${join(dir, 'small.sock')}" }\nuplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }\nstore: { quota_mb: 8, reserve_mb: 1 }\nupdate: { max_mb: 40 }\n`);
    const smallEvents = await mqttSub(broker.url, 'anju/v1/hub-ota-small/events');
    cleanup.push(() => smallEvents.close());
    const d = spawnDaemon(['--config', config], { env: { NODE_EXTRA_CA_CERTS: pki.ca, ANJU_UPDATE_INSTALLER: join(dir, 'fake-installer.sh'), ANJU_UPDATE_HANDOFF: 'spawn' } });
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('uplink', (l) => l.msg === 'uplink connected');
    const sendSmall = (args: Record<string, unknown>) => cloud.send('hub-ota-small', 'update', args, `small-${n++}`, 20_000);
    // 12 MB + 3 x 12 MB for the installer + the store's room up to 8 MB: more than the 48 MB there are.
    const big = randomBytes(12 * 1024 * 1024);
    host.put('big.deb', { body: big });
    const before = host.requests.length;
    expect(await sendSmall(update('big.deb', big, '0.3.0'))).toMatchObject({ ok: false, code: 'ANJU_CMD_UPDATE_NO_SPACE' });
    expect(host.requests.length).toBe(before);
    // A package that fits, held half way; then the disk fills up (something else writes).
    const fits = randomBytes(2 * 1024 * 1024);
    host.put('fits.deb', { body: fits, holdAt: 1024 * 1024 });
    const res = await sendSmall(update('fits.deb', fits, '0.3.1'));
    expect(res).toMatchObject({ ok: true });
    const id = (res.data as { id: string }).id;
    await waitFor('the first half on disk', () => readdirSync(join(fs.dir, 'updates')).some((f) => f.endsWith('.part')));
    fs.fill();
    const failed = await smallEvents.waitFor('stopped for the disk', ofUpdate(id, 'hub.update_failed'));
    expect(failed.body.data).toMatchObject({ stage: 'download', code: 'ANJU_CMD_UPDATE_NO_SPACE' });
    expect(readdirSync(join(fs.dir, 'updates')).filter((f) => f.endsWith('.part')), 'the part is deleted: the room is the outbox\'s').toEqual([]);
    fs.free();
    expect(d.proc.exitCode).toBeNull();
  });
});

