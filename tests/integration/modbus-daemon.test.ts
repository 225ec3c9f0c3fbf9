/**
 * End to end over RS-485: the real daemon polls a simulated Modbus RTU gas detector on a socat pty;
 * 12.5 %LEL raises alarm.gas at the cloud, and a unit that stops answering is a device.link_fault.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { RtuSlaveSim } from '../helpers/modbus-rtu-slave.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { createPtyPair } from '../helpers/pty.js';

describe('Modbus gas detector through the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-mb-d-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises alarm.gas from a polled concentration and reports a silent unit', async () => {
    const pty = await createPtyPair(dir, 'rs485');
    cleanup.push(() => pty.unplug());
    const sim = new RtuSlaveSim(pty.simPath);
    sim.setUnit(1, { holding: { 0: 0, 1: 0x0200 } }); // clean air
    await sim.start();
    cleanup.push(() => sim.stop());
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const sub = await mqttSub(broker.url, 'anju/v1/hub-mb/events');
    cleanup.push(() => sub.close());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: hub-mb }
state_dir: "${join(dir, 'state')}"
control: { socket: "${join(dir, 'state', 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
modbus:
  - id: rs485-kitchen
    rtu: { path: "${pty.devicePath}" }
    devices:
      - { id: gas-kitchen, model: gas-detector-4000x, room: kitchen, unitId: 1, pollIntervalMs: 300, timeoutMs: 200, retries: 0 }
`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');

    sim.setRegisters(1, 3, 0, [125, 0x0200]); // 12.5 %LEL: above the 10 %LEL alarm level
    const gas = await sub.waitFor('alarm.gas', (m) => m.body.type === 'alarm.gas' && m.body.state === 'raised');
    expect(gas.body).toMatchObject({ severity: 'critical', device: 'gas-kitchen' });

    sim.setBehaviour(1, { kind: 'dead' });
    const fault = await sub.waitFor('device.link_fault', (m) => m.body.type === 'device.link_fault' && m.body.state === 'raised');
    expect(fault.body.data).toMatchObject({ code: 'ANJU_ERR_MODBUS_TIMEOUT', bus: 'rs485-kitchen' });
    sim.setBehaviour(1, { kind: 'ok' });
    await sub.waitFor('link fault cleared', (m) => m.body.type === 'device.link_fault' && m.body.state === 'cleared');
  });
});
