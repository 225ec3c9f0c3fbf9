/**
 * The daemon binary's own contract: --check-config names every bad key path and exits 78;
 * a bad config never starts a half-configured daemon; signals stop it cleanly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ANJUD, ROOT, spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { createPtyPair } from '../helpers/pty.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const check = (file: string) => spawnSync(process.execPath, [ANJUD, '--check-config', file], { encoding: 'utf8' });

const GOOD = `hub: { id: h1 }
state_dir: ${join(dir, 'never')}
uplink: { url: "mqtt://127.0.0.1:1" }
devices:
  - { id: a, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/ttyUSB0 } }
`;

describe('anjud --check-config', () => {
  it('exits 0 for the demo config', () => {
    const r = check(join(ROOT, 'config/demo.yaml'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('OK');
  });

  it('checks that the TLS and password files a config names exist (the example names a real hub\'s files)', () => {
    const r = check(join(ROOT, 'config/anju.example.yaml'));
    expect(r.status).toBe(78);
    const lines = r.stderr.trim().split('\n');
    // In the file's line order (issue 16: problems sorted by line): password_file comes before tls there.
    expect(lines.slice(0, -1).map((l) => l.split(': ')[1])).toEqual(['uplink.password_file', 'uplink.tls.ca', 'uplink.tls.cert', 'uplink.tls.key']);
    expect(r.stderr).toContain('file not readable (expected a readable PEM file, found /etc/anju/tls/ca.pem (ENOENT))');
  });

  it('anjuctl config validate gives the same verdict, also as JSON', () => {
    const anjuctl = join(ROOT, 'dist/src/cli/anjuctl.js');
    const ok = spawnSync(process.execPath, [anjuctl, 'config', 'validate', join(ROOT, 'config/demo.yaml')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [anjuctl, 'config', 'validate', '--json', write('bad-json.yaml', GOOD.replace('room: bedroom', 'room: 7'))], { encoding: 'utf8' });
    expect(bad.status).toBe(78);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, problems: [{ path: 'devices[0].room', message: 'wrong type', expected: 'string' }] });
  });

  it('anjuctl config validate shows warnings with their place (valid, exit 0), and --json lists them', () => {
    const anjuctl = join(ROOT, 'dist/src/cli/anjuctl.js');
    const f = write('siren-smoke.yaml', `${GOOD}  - { id: hall, model: heiman-hs1sa, room: hall, z2m: { friendly_name: "Hall" } }
zigbee2mqtt: { url: "mqtt://127.0.0.1:1" }
escalation: { siren: { device: hall } }
`);
    const r = spawnSync(process.execPath, [anjuctl, 'config', 'validate', f], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('OK (hub h1, 2 device(s))');
    expect(r.stderr).toContain(`${f}:8:24: escalation.siren.device: device "hall" is a heiman-hs1sa, whose profile has no role siren`);
    expect(r.stderr).toContain('1 warning(s): the hub runs with this config, but check them');
    const j = spawnSync(process.execPath, [anjuctl, 'config', 'validate', '--json', f], { encoding: 'utf8' });
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, warnings: [{ path: 'escalation.siren.device', code: 'ANJU_CFG_SIREN_ROLE' }] });
  });

  it.each([
    ['an unknown key', GOOD.replace('room: bedroom', 'room: bedroom, colour: red'), 'devices[0].colour: unknown key'],
    ['a missing serial path', GOOD.replace('path: /dev/ttyUSB0', 'baudRate: 115200'), 'devices[0].serial.path: required (expected string, found nothing)'],
    ['a wrong type', GOOD.replace('hub: { id: h1 }', 'hub: { id: h1 }\nstore: { readings_flush_ms: soon }'), 'store.readings_flush_ms: wrong type (expected number, found string "soon")'],
  ])('rejects %s with exit 78, naming file, line and key path', (_what, text, message) => {
    const f = write(`bad-${_what.replace(/\W+/g, '-')}.yaml`, text);
    const r = check(f);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
    expect(r.stderr).toContain(message);
  });

  it('a daemon given a bad config exits 78 before touching anything', () => {
    const f = write('bad-run.yaml', GOOD.replace('room: bedroom', 'room: bedroom, colour: red'));
    const r = spawnSync(process.execPath, [ANJUD, '--config', f], { encoding: 'utf8', timeout: 60_000 }); // a deadline for a hang: a loaded machine starts Node slowly
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('devices[0].colour: unknown key');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe('runtime', () => {
  it('the daemon runs on Node 24 and names its runtime in the start line', async () => {
    const broker = await startMosquitto();
    const pty = await createPtyPair(dir, 'runtime');
    try {
      const cfg = write('runtime.yaml', testConfig({ hubId: 'hub-runtime', stateDir: join(dir, 'state-runtime'), brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }] }));
      const d = spawnDaemon(['--config', cfg]);
      const started = await d.waitForLog('anjud started', (l) => l.msg === 'anjud started');
      expect(started.node).toBe(process.version);
      expect(String(started.node)).toMatch(/^v24\./);
      d.proc.kill('SIGTERM');
      expect(await d.exited).toEqual({ code: 0, signal: null });
    } finally {
      await pty.unplug();
      await broker.stop();
    }
  });
});

describe('signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s stops the daemon with exit 0', async (signal) => {
    const broker = await startMosquitto();
    const pty = await createPtyPair(dir, `sig-${signal}`);
    try {
      const cfg = write(`sig-${signal}.yaml`, testConfig({ hubId: 'hub-sig', stateDir: join(dir, `state-${signal}`), brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }] }));
      const d = spawnDaemon(['--config', cfg]);
      await d.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
      d.proc.kill(signal);
      // The requirement is "within 5 s": fail if it has not exited by then.
      const result = await Promise.race([d.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 5000))]);
      if (result === 'still running') d.proc.kill('SIGKILL');
      expect(result).toEqual({ code: 0, signal: null });
      expect(d.logs.some((l) => l.msg === 'anjud stopped')).toBe(true);
    } finally {
      await pty.unplug();
      await broker.stop();
    }
  });
});
