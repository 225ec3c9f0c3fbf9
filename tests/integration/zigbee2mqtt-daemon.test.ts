/**
 * A home that already runs Zigbee2MQTT: the real daemon reads its smoke detector's state from the
 * local broker; smoke: true raises alarm.smoke at the cloud, smoke: false clears it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mqttSub } from '../helpers/mqtt-subscriber.js';
import { ctl } from '../helpers/scripted-cli.js';
import { waitFor } from '../helpers/wait.js';

describe('Zigbee2MQTT smoke detector through the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-z2m-d-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises and clears alarm.smoke from zigbee2mqtt/<name> payloads', async () => {
    const broker = await startMosquitto(); // the hub's local broker, and the cloud's in this test
    cleanup.push(() => broker.stop());
    const events = await mqttSub(broker.url, 'anju/v1/hub-z2m/events');
    cleanup.push(() => events.close());
    const cfg = join(dir, 'anju.yaml');
    writeFileSync(cfg, `hub: { id: hub-z2m }
state_dir: "${join(dir, 'state')}"
control: { socket: "${join(dir, 'state', 'anjud.sock')}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee2mqtt: { url: "${broker.url}" }
devices:
  - { id: kitchen-smoke, model: heiman-hs1sa, room: kitchen, z2m: { friendly_name: "Kitchen smoke" } }
`);
    const d = spawnDaemon(['--config', cfg]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
    const z2m = connect(broker.url, { protocolVersion: 5 });
    cleanup.push(() => z2m.endAsync(true));
    await waitFor('z2m publisher', () => z2m.connected);
    await waitFor('the daemon subscribed', () => d.logs.some((l) => String(l.msg).toLowerCase().includes('zigbee2mqtt') || l.mod === 'zigbee2mqtt'), 10_000).catch(() => undefined);

    const publishUntil = async (body: object, match: (m: { body: Record<string, unknown> }) => boolean, what: string) => {
      for (let i = 0; i < 20; i++) {
        z2m.publish('zigbee2mqtt/Kitchen smoke', JSON.stringify(body), { qos: 1 });
        const hit = events.messages.find(match);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 300));
      }
      return events.waitFor(what, match, 3000);
    };
    const raised = await publishUntil({ smoke: true, battery: 90, tamper: false }, (m) => m.body.type === 'alarm.smoke' && m.body.state === 'raised', 'alarm.smoke raised');
    expect(raised.body).toMatchObject({ severity: 'critical', device: 'kitchen-smoke' });
    await publishUntil({ smoke: false, battery: 90, tamper: false }, (m) => m.body.type === 'alarm.smoke' && m.body.state === 'cleared', 'alarm.smoke cleared');
    expect(events.messages.filter((m) => m.body.type === 'alarm.smoke' && m.body.state === 'raised')).toHaveLength(1);
    // The technician's list says how the daemon reaches it (from the catalogue, not guessed from stats).
    const list = ctl(['devices', 'list', '--json', '--socket', join(dir, 'state', 'anjud.sock')]);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: 'kitchen-smoke', transport: 'z2m' })]);
  });
});
