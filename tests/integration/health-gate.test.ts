/**
 * `anjuctl release gate` and `release probe` against the real daemon (issue 13, point 3), without systemd (as on this
 * machine: the control socket answering stands for READY=1; under systemd the package test runs it).
 * It passes once the expected version answers, has committed and is connected, for the settle time;
 * it fails, with the reason, when the uplink never connects although it is required, when another
 * version answers, or when nothing answers. `release probe` gives the manager its baseline.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const ANJUCTL = join(ROOT, 'dist/src/cli/anjuctl.js');

/** Runs anjuctl to its end (async: the daemon under test lives in this process's event loop too). */
function anjuctl(args: string[]): Promise<{ code: number | null; vars: Record<string, string>; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [ANJUCTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => resolve({
      code, stderr: err,
      vars: Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
    }));
  });
}

/** Until the daemon answers and has committed (so a failing gate fails for the reason under test). */
async function up(socket: string): Promise<void> {
  await waitFor('anjud answering, having committed', async () => {
    const r = await anjuctl(['--socket', socket, 'release', 'gate', '--expect-version', VERSION, '--timeout-s', '1', '--settle-s', '0', '--uplink', 'optional']);
    return r.code === 0;
  }, 30_000);
}

describe('anjuctl release gate and probe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-gate-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });
  const daemon = (hub: string, brokerUrl: string) => {
    const stateDir = join(dir, hub);
    const cfg = join(dir, `${hub}.yaml`);
    writeFileSync(cfg, testConfig({ hubId: hub, stateDir, brokerUrl, devices: [] }).replace('devices:\n', 'devices: []\n'));
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => { if (d.proc.exitCode === null) d.proc.kill('SIGKILL'); });
    return { d, socket: join(stateDir, 'anjud.sock') };
  };

  it('passes for the running version once it committed and connected, and held for the settle time; release probe gives the baseline', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const { d, socket } = daemon('hub-gate-ok', broker.url);
    const r = await anjuctl(['--socket', socket, 'release', 'gate', '--expect-version', VERSION, '--timeout-s', '60', '--settle-s', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.vars).toMatchObject({ gate: 'passed', reason: '' });
    const probe = await anjuctl(['--socket', socket, 'release', 'probe']);
    expect(probe.code, probe.stderr).toBe(0);
    expect(probe.vars).toEqual({ version: VERSION, pid: String(d.proc.pid), uplink: 'connected' });
  });

  it('fails with the reason when the uplink is required and never connects; passes when it is not required', async () => {
    const { socket } = daemon('hub-gate-nobroker', `mqtt://127.0.0.1:${await freePort()}`);
    await up(socket);
    const failed = await anjuctl(['--socket', socket, 'release', 'gate', '--expect-version', VERSION, '--timeout-s', '4', '--settle-s', '1']);
    expect(failed.code).toBe(1);
    expect(failed.vars.gate).toBe('failed');
    expect(failed.vars.reason).toBe('not healthy within 4 s: the uplink is not connected to the broker (and was before the upgrade)');
    const optional = await anjuctl(['--socket', socket, 'release', 'gate', '--expect-version', VERSION, '--timeout-s', '60', '--settle-s', '1', '--uplink', 'optional']);
    expect(optional.code, optional.stderr).toBe(0);
    const probe = await anjuctl(['--socket', socket, 'release', 'probe']);
    expect(probe.vars.uplink).toBe('disconnected');
  });

  it('fails when another version answers, or nothing answers', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const { socket } = daemon('hub-gate-version', broker.url);
    await up(socket);
    const other = await anjuctl(['--socket', socket, 'release', 'gate', '--expect-version', '99.0.0', '--timeout-s', '3', '--settle-s', '1']);
    expect(other.code).toBe(1);
    expect(other.vars.reason).toBe(`not healthy within 3 s: the daemon answering runs version ${VERSION}, not 99.0.0`);
    const none = await anjuctl(['--socket', join(dir, 'nobody.sock'), 'release', 'gate', '--expect-version', VERSION, '--timeout-s', '2', '--settle-s', '1']);
    expect(none.code).toBe(1);
    expect(none.vars.reason).toMatch(/the control socket does not answer: not-running/);
    expect((await anjuctl(['--socket', join(dir, 'nobody.sock'), 'release', 'probe'])).code).toBe(3);
  });
});
