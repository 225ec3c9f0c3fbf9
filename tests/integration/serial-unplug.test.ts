/** The radar's USB adapter is pulled and plugged back: the daemon reopens the port and keeps going. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';
import { sleep } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

describe('serial unplug and replug', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-unplug-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives the port vanishing, reopens it, and still raises alarms', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, testConfig({ hubId: 'hub-unplug', stateDir: join(dir, 'state'), brokerUrl: broker.url, devices: [{ id: 'radar', path: pty.devicePath }], sustainS: 2 }));
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('serial port open', (l) => l.msg === 'serial port open');

    await pty.unplug();
    await d.waitForLog('port lost', (l) => l.msg === 'serial port lost; reopening');
    await sleep(1500); // it keeps retrying while the port is gone, without crashing
    expect(d.proc.exitCode).toBeNull();

    await pty.plug();
    const reopened = await d.waitForLog('port reopened', (l) => l.msg === 'serial port open' && l.reconnects === 1, 5000);
    expect(reopened.path).toBe(pty.devicePath);

    const sub = await mqttSub(broker.url, 'anju/v1/hub-unplug/events');
    cleanup.push(() => sub.close());
    pty.write(presence(true));
    for (let i = 0; i < 6; i++) { pty.write(breath(30)); await sleep(600); }
    await sub.waitFor('alarm after replug', (m) => m.body.state === 'raised');
  });
});
