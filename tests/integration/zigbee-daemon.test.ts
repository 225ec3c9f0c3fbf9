/**
 * A Zigbee smoke detector through the daemon (in process: the coordinator is the fake at our own
 * controller port, since no coordinator stick can run here) to a real Mosquitto: the IAS zone
 * status change with alarm1 set reaches anju/v1/<hub>/events as a critical alarm.smoke.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { openSystemPort } from '../../src/transports/serial/serial-transport.js';
import { createFakeCoordinator } from '../helpers/fake-zigbee-controller.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { waitFor } from '../helpers/wait.js';
import { ROOT } from '../helpers/daemon-process.js';

const SMOKE = '0x00158d0001a2b3c4';

describe('Zigbee smoke detector through the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-zb-d-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises a critical alarm.smoke at the cloud from an IAS zone status change', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-zb/events');
    cleanup.push(() => events.close());
    const r = parseConfig(`hub: { id: hub-zb }
state_dir: "${join(dir, 'state')}"
control: { socket: "${join(dir, 'state', 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee: { serial: { path: /dev/anju-zigbee, adapter: zstack } }
devices:
  - { id: kitchen-smoke, model: heiman-hs1sa, room: kitchen, zigbee: { ieee: "${SMOKE}" } }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const fake = createFakeCoordinator();
    const daemon = createDaemon({
      config: r.config, log: pino({ level: 'silent' }), clock: systemClock, version: 'test', openPort: openSystemPort,
      configHash: r.hash, zigbeeControllerFactory: fake.factory,
    });
    daemon.start();
    cleanup.push(() => daemon.stop());
    await waitFor('coordinator running', () => fake.running && daemon.status().uplink?.connected, 15_000);

    // alarm1 (bit 0) is "smoke" for the HS1SA (its profile); battery and tamper clear.
    fake.emit().message({ ieee: SMOKE, endpoint: 1, cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 0b1, extendedstatus: 0, zoneid: 23, delay: 0 }, linkquality: 90 });
    const alarm = await events.waitFor('alarm.smoke', (m) => m.body.type === 'alarm.smoke' && m.body.state === 'raised');
    expect(alarm.body).toMatchObject({ severity: 'critical', device: 'kitchen-smoke' });
    fake.emit().message({ ieee: SMOKE, endpoint: 1, cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 0, extendedstatus: 0, zoneid: 23, delay: 0 }, linkquality: 90 });
    await events.waitFor('alarm.smoke cleared', (m) => m.body.type === 'alarm.smoke' && m.body.state === 'cleared');

    // anjuctl pair opens the network for a bounded time through the control socket, and closes it.
    const socket = join(dir, 'state', 'anjud.sock');
    const ctl = (...args: string[]) => new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [join(ROOT, 'dist/src/cli/anjuctl.js'), ...args, '--socket', socket], { env: { ...process.env, LANG: 'en_US.UTF-8' } });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      p.once('exit', (code) => resolve({ code, out }));
    });
    const open = await ctl('pair', '--seconds', '30');
    expect(open).toEqual({ code: 0, out: 'Zigbee network open for joining for 30 s: reset or power up the sensor now (hold its button as its manual says)\n' });
    expect(daemon.status().zigbee).toMatchObject({ permitJoin: true });
    const closed = await ctl('pair', '--close');
    expect(closed).toEqual({ code: 0, out: 'Zigbee network closed for joining\n' });
    expect(daemon.status().zigbee).toMatchObject({ permitJoin: false });
  });
});
