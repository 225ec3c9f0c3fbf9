/**
 * First boot and an over-the-air update under a real systemd (PID 1 of a booted Debian container),
 * with the shipped units unchanged: anjud.service (User=anju, NoNewPrivileges=, ProtectSystem=strict,
 * no capabilities), anju-update.path and anju-update.service.
 *  - No config: anjud waits for provisioning (active, STATUS= says what to do, no restart);
 *  - `anjuctl init` inside: the same process starts with the config and reaches the host's Mosquitto;
 *  - `update` from the cloud: the unprivileged anjud downloads and verifies, writes the request; the path
 *    unit starts the root service, which checks again and runs the real `dpkg -i` on a real (tiny) .deb;
 *    anjud reports hub.update_installed. What the release manager then does is packaging's (its tests).
 * Peers: systemd-nspawn (systemd-container), debootstrap (first run only), dpkg-deb, openssl, mosquitto.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCloud, type CloudCommands } from '../helpers/cloud-commands.js';
import { ROOT } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { startPackageServer, type PackageServer } from '../helpers/package-server.js';
import { requireBinary } from '../helpers/peers.js';
import { bootContainer, REPO_INSIDE, type Container } from '../helpers/systemd-container.js';
import { makeTestPki } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

const HUB = 'hub-systemd';
const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
const openssl = requireBinary('openssl', 'openssl');
const dpkgDeb = requireBinary('dpkg-deb', 'dpkg');
const dir = mkdtempSync(join(tmpdir(), 'anju-ota-sd-'));
const cleanup: Array<() => unknown> = [];
let box: Container;
let broker: Mosquitto;
let host: PackageServer;
let cloud: CloudCommands;
let events: Subscriber;

/** A real Debian package, as small as one gets: a version and one file. */
function tinyDeb(version: string): Buffer {
  const pkg = join(dir, `probe-${version}`);
  mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
  mkdirSync(join(pkg, 'usr/share/anju-ota-probe'), { recursive: true });
  writeFileSync(join(pkg, 'usr/share/anju-ota-probe/version'), `${version}\n`);
  writeFileSync(join(pkg, 'DEBIAN/control'), `Package: anju-ota-probe\nVersion: ${version}\nArchitecture: ${ARCH}\nMaintainer: Anju tests <tests@anju.example>\nDescription: probe package for the OTA test\n`);
  const out = join(dir, `anju-ota-probe_${version}_${ARCH}.deb`);
  execFileSync(dpkgDeb, ['--build', '--root-owner-group', pkg, out], { stdio: 'pipe' });
  return readFileSync(out);
}

beforeAll(async () => {
  const pki = makeTestPki(dir, HUB);
  const release = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'release.key'), release.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'release.pub'), release.publicKey.export({ type: 'spki', format: 'pem' }));
  broker = await startMosquitto();
  cleanup.push(() => broker.stop());
  host = await startPackageServer({ cert: pki.serverCert, key: pki.serverKey });
  cleanup.push(() => host.close());
  events = await mqttSub(broker.url, `anju/v1/${HUB}/events`);
  cleanup.push(() => events.close());
  cloud = await connectCloud(broker.url);
  cleanup.push(() => cloud.close());
  box = await bootContainer({
    repo: ROOT,
    prepare(root) {
      // What the package sets up (packaging/README.md): user and groups, /etc/anju 0770 root:anju, the
      // release tree behind /usr/lib/anju/current (here: this build, bound in read-only), the units.
      execFileSync('chroot', [root, 'sh', '-c', 'groupadd --system anju && useradd --system -g anju -d /var/lib/anju -s /usr/sbin/nologin anju && (getent group bluetooth >/dev/null || groupadd --system bluetooth) && mkdir -p /etc/anju && chgrp anju /etc/anju && chmod 0770 /etc/anju']);
      const rel = join(root, 'usr/lib/anju/releases/dev');
      mkdirSync(join(rel, 'bin'), { recursive: true });
      symlinkSync(join(REPO_INSIDE, 'node_modules/.bin/node'), join(rel, 'bin/node'));
      symlinkSync(join(REPO_INSIDE, 'dist'), join(rel, 'dist'));
      symlinkSync('releases/dev', join(root, 'usr/lib/anju/current'));
      // The release's bin/anjud and bin/anjuctl (the unit's ExecStart is the release's), and the
      // /usr/bin wrappers through current, as the package has them (packaging/build/).
      for (const [name, entry] of [['anjud', 'daemon/anjud.js'], ['anjuctl', 'cli/anjuctl.js']] as const) {
        writeFileSync(join(rel, 'bin', name), `#!/bin/sh\nexec /usr/lib/anju/current/bin/node /usr/lib/anju/current/dist/src/${entry} "$@"\n`);
        writeFileSync(join(root, 'usr/bin', name), `#!/bin/sh\nexec /usr/lib/anju/current/bin/${name} "$@"\n`);
        chmodSync(join(rel, 'bin', name), 0o755);
        chmodSync(join(root, 'usr/bin', name), 0o755);
      }
      const units = join(root, 'etc/systemd/system');
      for (const u of ['anjud.service', 'anju-update.path', 'anju-update.service']) copyFileSync(join(ROOT, 'systemd', u), join(units, u));
      symlinkSync('/etc/systemd/system/anjud.service', join(units, 'multi-user.target.wants/anjud.service'));
      symlinkSync('/etc/systemd/system/anju-update.path', join(units, 'multi-user.target.wants/anju-update.path'));
      // The district's package host has its own CA: the drop-in docs/operations.md describes.
      mkdirSync(join(units, 'anjud.service.d'));
      writeFileSync(join(units, 'anjud.service.d/packages-ca.conf'), '[Service]\nEnvironment=NODE_EXTRA_CA_CERTS=/etc/anju/packages-ca.pem\n');
      copyFileSync(pki.ca, join(root, 'etc/anju/packages-ca.pem'));
      copyFileSync(join(dir, 'release.pub'), join(root, 'root/release.pub'));
    },
  });
  cleanup.push(() => box.stop());
}, 20 * 60_000);
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('under systemd: first boot, provisioning, and an update through anju-update.path', () => {
  it('a fresh install waits for provisioning: active, a clear status, no restart', async () => {
    await waitFor('anjud waiting', () => box.property('anjud.service', 'StatusText').startsWith('waiting for provisioning'), 30_000, () => box.exec(['journalctl', '-u', 'anjud', '--no-pager']).stdout);
    expect(box.property('anjud.service', 'StatusText')).toBe('waiting for provisioning: run anjuctl init (no config at /etc/anju/anju.yaml)');
    expect(box.property('anjud.service', 'ActiveState')).toBe('active');
    expect(box.property('anjud.service', 'NRestarts')).toBe('0');
    const status = box.exec(['anjuctl', 'status']);
    expect(status.stdout).toContain('NOT provisioned');
  });

  it('anjuctl init inside: the same anjud process starts with the config and reaches the broker', async () => {
    const pid = box.property('anjud.service', 'MainPID');
    const birth = await mqttSub(broker.url, `anju/v1/${HUB}/status`);
    cleanup.push(() => birth.close());
    const init = box.exec(['anjuctl', 'init', '--hub-id', HUB, '--broker', broker.url, '--timezone', 'Asia/Shanghai', '--release-key', '/root/release.pub', '--qr', 'none']);
    expect(init.status, `${init.stdout}${init.stderr}`).toBe(0);
    expect(box.exec(['stat', '-c', '%a %U:%G', '/etc/anju/hub.key', '/etc/anju/anju.yaml']).stdout.trim().split('\n')).toEqual(['640 root:anju', '640 root:anju']);
    await birth.waitFor('birth message', (m) => m.body.state === 'online', 30_000);
    expect(box.property('anjud.service', 'MainPID')).toBe(pid);
    expect(box.property('anjud.service', 'NRestarts')).toBe('0');
    await waitFor('status line of a running hub', () => box.property('anjud.service', 'StatusText').includes('uplink connected'));
  });

  it('update: downloaded by the unprivileged anjud, installed by root with the real dpkg -i, reported', async () => {
    const body = tinyDeb('0.2.0');
    host.put('probe.deb', { body });
    const m = { version: '0.2.0', arch: ARCH, size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    writeFileSync(join(dir, 'manifest.txt'), `anju-update-v1\nversion=${m.version}\narch=${m.arch}\nsize=${m.size}\nsha256=${m.sha256}\n`);
    const signature = execFileSync(openssl, ['pkeyutl', '-sign', '-inkey', join(dir, 'release.key'), '-rawin', '-in', join(dir, 'manifest.txt')]).toString('base64');
    const res = await cloud.send(HUB, 'update', { url: host.url('probe.deb'), ...m, signature }, 'sd-1', 20_000);
    expect(res).toMatchObject({ ok: true, data: { accepted: true } });
    const id = (res.data as { id: string }).id;
    const journal = () => `${box.exec(['journalctl', '-u', 'anjud', '-u', 'anju-update', '--no-pager', '-n', '80']).stdout}`;
    const installing = await events.waitFor('installing', (x) => x.body.type === 'hub.update_installing' && (x.body.data as { id: string }).id === id, 30_000).catch((err: Error) => { throw new Error(`${err.message}\n${journal()}`); });
    expect((installing.body.data as { via: string }).via).toBe('anju-update.path');
    const done = await events.waitFor('installed', (x) => ['hub.update_installed', 'hub.update_failed'].includes(String(x.body.type)) && (x.body.data as { id: string }).id === id, 60_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${journal()}`); });
    expect(done.body, journal()).toMatchObject({ type: 'hub.update_installed', data: { version: '0.2.0', running_version: '0.1.0' } });
    // Installed by dpkg, as root, in anju-update.service (not in anjud's cgroup).
    expect(box.exec(['dpkg-query', '-W', '-f', '${Version} ${Status}', 'anju-ota-probe']).stdout).toBe('0.2.0 install ok installed');
    expect(box.exec(['cat', '/usr/share/anju-ota-probe/version']).stdout).toBe('0.2.0\n');
    expect(box.property('anju-update.service', 'Result')).toBe('success');
    expect(box.exec(['journalctl', '-u', 'anju-update', '--no-pager']).stdout).toContain('anju-update: installed');
    expect(box.property('anjud.service', 'NRestarts')).toBe('0');
  });
});
