/**
 * The modem in the running daemon: a `modem:` section opens it (a fake modem on a socat pty,
 * tests/helpers/fake-modem.ts), get-status and `anjuctl status` show its state, and a state change
 * reaches the cloud as `hub.modem_status` (docs/uplink.md §5), valid against docs/schema. A SIM pulled
 * out is a status and an event, never a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeModem, type FakeModem } from '../helpers/fake-modem.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { spawnCli } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';
import { problems } from './uplink-contract.schemas.js';

describe('modem in the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-modemd-'));
  let fake: FakeModem;
  let hub: Hub;

  beforeAll(async () => {
    fake = await createFakeModem(dir);
    hub = await startHub({
      name: 'modem',
      delivery: 'puback',
      extra: `modem:\n  port: ${fake.pty.devicePath}\n  model: simcom-sim7600\n  pin: "8642"\n  check_s: 0.5\n  status_settle_s: 0\n`,
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const modemEvent = (state: string) => hub.sub.waitFor(`hub.modem_status ${state}`, (m) => m.topic.endsWith('/events') && m.body.type === 'hub.modem_status' && (m.body.data as { state?: string }).state === state);

  it('opens the modem and reports it ready: get-status, anjuctl status and hub.modem_status', async () => {
    const st = await waitFor('modem ready in get-status', async () => ((await hub.status()).modem?.status.state === 'ready' ? (await hub.status()).modem : false));
    expect(st).toMatchObject({ model: 'simcom-sim7600', path: fake.pty.devicePath, open: true, status: { operator: 'CHINA MOBILE', rssiDbm: -73 } });
    const ev = await modemEvent('ready');
    expect(ev.body).toMatchObject({ severity: 'info', device: null, state: 'info', data: { state: 'ready', model: 'simcom-sim7600', operator: 'CHINA MOBILE', rssi_dbm: -73 } });
    expect(problems('event.v1.json', ev.body)).toEqual([]);
    // Not spawnSync: the fake modem lives in this process and must keep answering meanwhile.
    const cli = spawnCli(['status', '--socket', hub.socket]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/Modem ready {2}simcom-sim7600 /);
    expect(JSON.stringify(hub.daemon.logs)).not.toContain('8642'); // the PIN is a secret
  });

  it('a SIM pulled out (the module restarts without it): sim_missing in status and to the cloud, daemon alive', async () => {
    fake.set({ sim: 'missing' });
    fake.reboot();
    const ev = await modemEvent('sim_missing');
    expect(ev.body).toMatchObject({ severity: 'warning', data: { state: 'sim_missing', model: 'simcom-sim7600' } });
    expect(problems('event.v1.json', ev.body)).toEqual([]);
    expect((await hub.status()).modem?.status.state).toBe('sim_missing');
    expect(hub.daemon.proc.exitCode).toBeNull();
  });
});
