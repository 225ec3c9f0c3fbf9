/**
 * The technician's other field commands against a running daemon (real Mosquitto, an MR60BHA1 on a
 * socat pty): devices list|show, diagnose (daemon up and down, a missing serial port), support-bundle
 * (the files inside, and no secret anywhere in its bytes), config show|diff|apply (applied, and
 * rolled back when the new broker cannot be reached). English and Chinese where text matters.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonStatus } from '../helpers/control.js';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/peers.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { ctl as run, waitForPortOpen } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

const SECRET = 'Walnut-s3cret-4217';
const URL_SECRET = 'url-pass-9931';

describe('anjuctl field commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-field-'));
  const stateDir = join(dir, 'state');
  const socket = join(stateDir, 'anjud.sock');
  const cfg = join(dir, 'anju.yaml');
  const cleanup: Array<() => unknown> = [];
  let broker: Mosquitto;
  let pty: PtyPair;
  let daemon: DaemonProcess;
  let baseText: string;
  const ctl = (args: string[], env: Record<string, string> = {}) => run([...args, '--socket', socket], env);
  /** The daemon's warnings and errors, to explain a failed assertion. */
  const daemonProblems = () => `\n${daemon.logs.filter((l) => l.level >= 40 || /control|config|stopped|started/.test(l.msg)).slice(-10).map((l) => JSON.stringify(l)).join('\n')}`;

  beforeAll(async () => {
    broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    baseText = testConfig({ hubId: 'hub-field', stateDir, brokerUrl: broker.url, devices: [{ id: 'bed-radar', path: pty.devicePath }] });
    writeFileSync(cfg, baseText);
    daemon = spawnDaemon(['--config', cfg]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('control socket', (l) => l.msg === 'control socket listening');
    await daemon.waitForLog('uplink', (l) => l.msg === 'uplink connected');
    await waitForPortOpen(socket);
    pty.write(presence(true));
    pty.write(breath(15));
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('devices list and show: a table (en, zh), JSON, and a clear error for an unknown id', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const en = ctl(['devices', 'list']);
    expect(en.status, en.stderr).toBe(0);
    expect(en.stdout).toMatch(/DEVICE\s+MODEL\s+ROOM\s+TRANSPORT\s+LINK\s+LAST SEEN\s+READINGS/);
    expect(en.stdout).toMatch(/bed-radar\s+seeed-mr60bha1\s+bedroom\s+serial\s+open\s+\d+ s ago\s+[1-9]\d*\s+0/);
    expect(ctl(['devices', 'list'], { LANG: 'zh_CN.UTF-8' }).stdout).toMatch(/bed-radar\s+seeed-mr60bha1\s+bedroom\s+serial\s+已打开/);
    const json = JSON.parse(ctl(['devices', 'list', '--json']).stdout) as Array<{ id: string; transport: string; link: string }>;
    expect(json).toEqual([expect.objectContaining({ id: 'bed-radar', transport: 'serial', link: 'open' })]);
    const show = ctl(['devices', 'show', 'bed-radar']);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain(`serial.path`);
    expect(show.stdout).toContain(pty.devicePath);
    expect(show.stdout).toMatch(/ingest\.driver\.frames\s+[1-9]/);
    const none = ctl(['devices', 'show', 'nope']);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('unknown device nope; configured devices: bed-radar');
  });

  it('diagnose: all good with the daemon up (exit 0); a missing serial port is an error with a hint (exit 1); daemon down is said, the rest still checked', () => {
    const up = ctl(['diagnose', '--config', cfg]);
    expect(up.status, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/\[ OK {2}\] config .* is valid \(hub hub-field/);
    expect(up.stdout).toMatch(/\[ OK {2}\] bed-radar: serial port \S+radar\.dev present/);
    expect(up.stdout).toMatch(/\[ OK {2}\] anjud is running: hub hub-field/);
    expect(up.stdout).toMatch(/\[ OK {2}\] uplink connected/);
    expect(up.stdout).toMatch(new RegExp(`\\[ OK  \\] broker 127\\.0\\.0\\.1:${broker.port} reachable`));
    expect(up.stdout).toMatch(/\[ OK {2}\] disk for \S+: \d+ MB free/);
    expect(up.stdout).toMatch(/clock/);
    expect(up.stdout).toMatch(/No errors/);

    const missing = join(dir, 'missing.yaml');
    writeFileSync(missing, baseText.replace(pty.devicePath, join(dir, 'unplugged-radar')));
    const bad = ctl(['diagnose', '--config', missing]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/\[ERROR\] bed-radar: serial port \S+unplugged-radar does not exist\n\s+-> plug the adapter in \(check the cable\), or correct the path in the config/);
    const json = JSON.parse(ctl(['diagnose', '--config', missing, '--json']).stdout) as { ok: boolean; findings: Array<{ check: string; level: string; code: string; hint: string | null }> };
    expect(json.ok).toBe(false);
    expect(json.findings).toContainEqual(expect.objectContaining({ check: 'serial', level: 'error', code: 'dgSerialPathMissing', hint: expect.stringContaining('plug the adapter in') }));

    const down = run(['diagnose', '--config', cfg, '--socket', join(dir, 'no.sock')]);
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/\[ERROR\] anjud is not running .*checking what can be checked without it\n\s+-> start it: sudo systemctl start anjud/);
    expect(down.stdout).toMatch(/broker 127\.0\.0\.1:\d+ reachable/); // still checked
    const zh = run(['diagnose', '--config', cfg, '--socket', join(dir, 'no.sock')], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toContain('anjud 未运行');
    expect(zh.stdout).toContain('启动：sudo systemctl start anjud');
  });

  it('diagnose: an unreachable broker is an error with a hint (daemon down)', async () => {
    const port = await freePort();
    const f = join(dir, 'nobroker.yaml');
    writeFileSync(f, baseText.replace(broker.url, `mqtt://127.0.0.1:${port}`));
    const r = run(['diagnose', '--config', f, '--socket', join(dir, 'no.sock'), '--json']);
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ check: string; level: string; message: string; hint: string }> }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ check: 'broker', level: 'error', message: expect.stringContaining('ECONNREFUSED'), hint: expect.stringContaining('nothing listens there') }));
  });

  it('support-bundle: a tar.gz with the expected files, config redacted, no secret in its bytes', () => {
    const pw = join(dir, 'mqtt-password');
    writeFileSync(pw, `${SECRET}\n`);
    const secretCfg = join(dir, 'secret.yaml');
    writeFileSync(secretCfg, baseText.replace(`url: "${broker.url}"`, `url: "mqtt://tech:${URL_SECRET}@127.0.0.1:${broker.port}", username: tech, password_file: "${pw}"`));
    const out = join(dir, 'bundle.tar.gz');
    const r = ctl(['support-bundle', '--config', secretCfg, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`support bundle written: ${out}`);
    const list = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((p) => p.replace(/^[^/]+\//, ''));
    expect(list).toEqual(expect.arrayContaining(['README.txt', 'config.yaml', 'status.json', 'diagnose.json', 'diagnose.txt', 'journal.txt', 'versions.txt']));
    const gz = readFileSync(out);
    const tarBytes = gunzipSync(gz);
    for (const s of [SECRET, URL_SECRET]) {
      expect(gz.includes(s)).toBe(false);
      expect(tarBytes.includes(s)).toBe(false);
    }
    const x = spawnSync('tar', ['-xzOf', out, '--wildcards', '*/config.yaml'], { encoding: 'utf8' }).stdout;
    expect(x).toContain('[redacted]');
    expect(x).toContain(`password_file: "${pw}"`); // the path stays: support needs to know where it is
    const status = JSON.parse(spawnSync('tar', ['-xzOf', out, '--wildcards', '*/status.json'], { encoding: 'utf8' }).stdout) as { hub: string };
    expect(status.hub).toBe('hub-field');

    const show = ctl(['config', 'show', '--config', secretCfg]);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('[redacted]');
    expect(show.stdout).not.toContain(URL_SECRET);
    expect(show.stdout).not.toContain(SECRET);
  });

  it('config diff: key by key against the config in force, devices by id', () => {
    const next = join(dir, 'next.yaml');
    writeFileSync(next, baseText.replace('room: bedroom', 'room: guest-room').replace('level: debug', 'level: info'));
    const r = ctl(['config', 'diff', next, '--config', cfg]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('~ devices[bed-radar].room: bedroom -> guest-room');
    expect(r.stdout).toContain('~ log.level: debug -> info');
    expect(r.stdout).toContain('2 change(s)');
    expect(ctl(['config', 'diff', cfg, '--config', cfg]).stdout).toContain('changes nothing');
    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(invalid, baseText.replace('hub: { id: hub-field }', 'hub: { id: hub-field, colour: red }'));
    const bad = ctl(['config', 'diff', invalid, '--config', cfg]);
    expect(bad.status).toBe(78);
    expect(bad.stderr).toMatch(/hub\.colour: unknown key/);
  });

  it('config apply: a good file is applied (exit 0); one whose broker cannot be reached is rolled back (exit 1)', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, baseText.replace('level: debug', 'level: info'));
    const ok = ctl(['config', 'apply', good, '--config', cfg]);
    expect(ok.status, ok.stdout + ok.stderr + daemonProblems()).toBe(0);
    expect(ok.stderr).toContain('anjud accepted config');
    expect(ok.stdout).toMatch(/applied: config [0-9a-f]{16} is in force/);
    expect(readFileSync(cfg, 'utf8')).toContain('level: info');

    const again = ctl(['config', 'apply', good, '--config', cfg, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, outcome: 'unchanged' });

    const port = await freePort();
    const bad = join(dir, 'bad-broker.yaml');
    writeFileSync(bad, baseText.replace(broker.url, `mqtt://127.0.0.1:${port}`).replace('retry_s: 2', 'retry_s: 2, apply_verify_s: 2'));
    const rb = ctl(['config', 'apply', bad, '--config', cfg], { LANG: 'zh_CN.UTF-8' });
    expect(rb.status, rb.stdout + rb.stderr + daemonProblems()).toBe(1);
    expect(rb.stdout).toContain('已回滚');
    expect(readFileSync(cfg, 'utf8'), rb.stdout + rb.stderr + daemonProblems()).toContain(broker.url); // the previous file is back
    const st = ctl(['status', '--json']);
    expect(st.status).toBe(0);
    expect((JSON.parse(st.stdout) as { hub: string }).hub).toBe('hub-field');
  });

  it('config apply --if-hash: applied while the config in force has that hash; refused, nothing changed, once another came into force; a malformed hash is a usage error', () => {
    const hashOf = () => (JSON.parse(ctl(['config', 'show', '--config', cfg, '--json']).stdout) as { hash: string }).hash;
    const h0 = hashOf();
    const inForce = readFileSync(cfg, 'utf8');
    expect(inForce).toContain('level: info');
    const mine = join(dir, 'mine.yaml');
    writeFileSync(mine, inForce.replace('level: info', 'level: warn'));
    const ok = ctl(['config', 'apply', mine, '--config', cfg, '--if-hash', h0]);
    expect(ok.status, ok.stdout + ok.stderr + daemonProblems()).toBe(0);
    const h1 = hashOf();
    expect(h1).not.toBe(h0);

    // A second technician edited the same h0 file: applying it would undo level: warn.
    const theirs = join(dir, 'theirs.yaml');
    writeFileSync(theirs, inForce.replace('room: bedroom', 'room: guest-room'));
    const stale = ctl(['config', 'apply', theirs, '--config', cfg, '--if-hash', h0]);
    expect(stale.status, stale.stdout + stale.stderr).toBe(1);
    expect(stale.stderr).toContain('another config came into force while this edit was made');
    expect(hashOf()).toBe(h1);
    expect(readFileSync(cfg, 'utf8')).toContain('level: warn');
    expect(readFileSync(cfg, 'utf8')).toContain('room: bedroom');

    const bad = ctl(['config', 'apply', theirs, '--config', cfg, '--if-hash', 'latest']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--if-hash latest: expected the 16 hex digits of a config hash');
    expect(hashOf()).toBe(h1);
  });

  it('diagnose: an unplugged port shows the link\'s retry bookkeeping (problem, failures, next retry), read from the same block every transport fills', async () => {
    await pty.unplug();
    type J = { findings: Array<{ check: string; level: string; code: string; message: string }> };
    // Waited for through the control socket from here (no anjuctl start per look); then diagnose once.
    await waitFor('the link retrying', async () => ((await daemonStatus(socket)).devices.find((d) => d.id === 'bed-radar')?.serial?.retry.failures ?? 0) >= 1);
    const found = JSON.parse(ctl(['diagnose', '--config', cfg, '--json']).stdout) as J;
    expect(found.findings.find((f) => f.code === 'dgLinkRetry')?.message).toMatch(/[1-9]\d* failed attempt/);
    expect(found.findings).toContainEqual(expect.objectContaining({ check: 'device', level: 'error', code: 'dgPortClosed' }));
    expect(found.findings).toContainEqual(expect.objectContaining({
      check: 'serial', level: 'info', code: 'dgLinkRetry',
      message: expect.stringMatching(/^bed-radar: link problem \S+, [1-9]\d* failed attempt\(s\) since it was last up; next retry in (\d+|-) s \(last error: .+\)$/),
    }));
    const zh = ctl(['diagnose', '--config', cfg], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toMatch(/bed-radar：连接问题 \S+，自上次正常以来已失败 [1-9]\d* 次/);
  });
});
