/**
 * First boot (issue 13, point 4), through the real built daemon and the real anjuctl:
 *  - a fresh install (no config) starts a daemon that waits for provisioning: READY=1 and a clear
 *    STATUS= to systemd (a real systemd-notify to a NOTIFY_SOCKET this test reads), the watchdog fed,
 *    get-status answering `waiting_for_provisioning` on the control socket; no exit, no crash loop;
 *  - an invalid config written meanwhile is reported, and the daemon keeps waiting;
 *  - `anjuctl init` with flags writes a config, and the same daemon process starts with it and
 *    reaches the cloud (its birth message on a real Mosquitto).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnDaemon } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { requireBinary } from '../helpers/peers.js';
import { waitFor } from '../helpers/wait.js';
import { createNotifyListener } from '../helpers/watchdog-peers.js';

const ANJUCTL = join(ROOT, 'dist/src/cli/anjuctl.js');
const dir = mkdtempSync(join(tmpdir(), 'anju-prov-'));
const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('a fresh install waits for provisioning, then starts with what anjuctl init wrote', () => {
  it('waits (READY, STATUS, watchdog, get-status), reports an invalid config, starts on a valid one', async () => {
    requireBinary('systemd-notify', 'systemd');
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const notify = await createNotifyListener(join(dir, 'notify.sock'));
    cleanup.push(() => notify.close());
    const config = join(dir, 'etc', 'anju.yaml');
    const socket = join(dir, 'anjud.sock');
    const daemon = spawnDaemon(['--config', config], { env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '1000000', ANJU_SOCKET: socket } });
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    const ctl = (...args: string[]) => spawnSync(process.execPath, [ANJUCTL, '--socket', socket, '--config', config, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8' }, timeout: 20_000 });

    await notify.waitFor('READY=1 while waiting', (m) => m.vars.READY === '1');
    await notify.waitFor('STATUS= says what to do', (m) => m.vars.STATUS === `waiting for provisioning: run anjuctl init (no config at ${config})`);
    await daemon.waitForLog('control socket', (l) => l.msg === 'control socket listening');
    const status = ctl('status', '--json');
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'waiting_for_provisioning', config, problems: null });
    expect(ctl('status').stdout).toContain(`NOT provisioned: no config at ${config}. Run: sudo anjuctl init`);
    // Commands that need a hub's status say why they cannot run, rather than misreading it.
    const alarms = ctl('alarms', 'list');
    expect(alarms.status).toBe(1);
    expect(alarms.stderr).toContain('ANJU_CMD_NOT_READY: anjud is waiting for provisioning');
    // The watchdog is fed while waiting (systemd would kill a daemon that stops pinging).
    await notify.waitFor('a watchdog ping', (m) => m.vars.WATCHDOG === '1');
    await notify.waitFor('a second watchdog ping', (m) => m.vars.WATCHDOG === '1' && m !== notify.messages.find((x) => x.vars.WATCHDOG === '1'));

    // A broken config is reported, not fatal.
    mkdirSync(join(dir, 'etc'));
    writeFileSync(config, 'hub: { id: "bad id" }\n');
    await daemon.waitForLog('the invalid config reported', (l) => /still waiting for a valid one/.test(l.msg));
    const bad = JSON.parse(ctl('status', '--json').stdout) as { state: string; problems: Array<{ path: string }> };
    expect(bad.state).toBe('waiting_for_provisioning');
    expect(bad.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['hub.id', 'uplink']));
    expect(ctl('status').stdout).toContain('The config written there is not valid yet');
    await notify.waitFor('STATUS= names the invalid config', (m) => m.vars.STATUS?.includes(`${config} is not valid`) === true);
    expect(daemon.proc.exitCode, 'the daemon never exits while waiting').toBeNull();

    // The installer runs anjuctl init: the same process starts for real and reaches the cloud.
    const birth = await mqttSub(broker.url, 'anju/v1/hub-prov-1/status');
    cleanup.push(() => birth.close());
    const init = ctl('init', '--force', '--hub-id', 'hub-prov-1', '--broker', broker.url, '--timezone', 'Asia/Shanghai', '--state-dir', join(dir, 'state'), '--control-socket', socket, '--qr', 'none');
    expect(init.status, init.stderr).toBe(0);
    await daemon.waitForLog('started for real', (l) => l.msg === 'anjud started' && l.hub === 'hub-prov-1');
    await birth.waitFor('birth message', (m) => m.body.state === 'online');
    await waitFor('get-status of the provisioned hub', () => {
      const s = ctl('status', '--json');
      return s.status === 0 && (JSON.parse(s.stdout) as { hub?: string }).hub === 'hub-prov-1';
    });
    expect(daemon.proc.exitCode).toBeNull();
    daemon.proc.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
  });

  it('a placeholder config (comments only) at start waits too; SIGTERM while waiting: a clean exit 0', async () => {
    const socket = join(dir, 'second.sock');
    const placeholder = join(dir, 'placeholder.yaml');
    writeFileSync(placeholder, '# Not provisioned yet: run anjuctl init\n\n');
    const daemon = spawnDaemon(['--config', placeholder], { env: { ANJU_SOCKET: socket } });
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('waiting', (l) => /not provisioned/.test(l.msg));
    daemon.proc.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
  });
});
