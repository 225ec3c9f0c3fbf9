/**
 * Issue 12, finding 7: one Zigbee2MQTT message of 16.8 MB (a JSON object) on a device topic aborted
 * V8 under the unit's 128 MB heap cap (exit 134), and, retained, at every start. The daemon runs here
 * with the shipped unit's NODE_OPTIONS, a real Mosquitto is the hub's local broker (and the cloud's),
 * and the daemon must keep running and delivering alarms; a message over the payload limit is
 * counted and never parsed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { connect } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedEnvironment } from '../../bench/shipped-node-options.js';
import { request } from '../../src/cli/client.js';
import type { DaemonStatus } from '../../src/daemon/daemon.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/peers.js';
import { mqttSub, type Message } from '../helpers/mqtt-subscriber.js';
import { waitFor } from '../helpers/wait.js';

/** A JSON object of about `bytes` bytes: many small keys, the worst case for JSON.parse's heap. */
function hugeObject(bytes: number): string {
  const parts: string[] = ['{"smoke":false'];
  let n = parts[0]!.length;
  for (let i = 0; n < bytes - 1; i++) {
    const p = `,"k${i}":${i}`;
    parts.push(p);
    n += p.length;
  }
  parts.push('}');
  return parts.join('');
}

const alive = (d: DaemonProcess): void => {
  if (d.proc.exitCode !== null || d.proc.signalCode !== null) {
    throw new Error(`the daemon died: exit ${d.proc.exitCode} signal ${d.proc.signalCode}\n${d.stderr().slice(-2000)}`);
  }
};

describe('Zigbee2MQTT messages over the size limit (issue 12, finding 7)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-z2m-big-'));
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * `z2mBroker`: where Zigbee2MQTT publishes. Mosquitto (MQTT 5: the daemon announces its maximum
   * packet size, the broker drops the huge one for it) or aedes (MQTT 3.1.1 only: the daemon falls
   * back, receives the 16.8 MB and must drop it unread itself).
   */
  async function scenario(name: string, z2mBroker: 'mosquitto' | 'aedes'): Promise<DaemonStatus> {
    const env = shippedEnvironment();
    expect(env.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/); // the cap the finding was seen under
    const broker = await startMosquitto(); // the cloud's (and, in the first case, the hub's local one)
    cleanup.push(() => broker.stop());
    let z2mUrl = broker.url;
    if (z2mBroker === 'aedes') {
      const aedes = await Aedes.createBroker();
      const server = createServer(aedes.handle);
      const port = await freePort();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      cleanup.push(() => new Promise<void>((r) => { aedes.close(() => server.close(() => r())); }));
      z2mUrl = `mqtt://127.0.0.1:${port}`;
    }
    const hub = `hub-z2m-${name}`;
    const events = await mqttSub(broker.url, `anju/v1/${hub}/events`);
    cleanup.push(() => events.close());
    const z2m = connect(z2mUrl, { clientId: `test-z2m-${name}` });
    cleanup.push(() => z2m.endAsync(true));
    await waitFor('z2m publisher', () => z2m.connected);

    const huge = hugeObject(16_800_000);
    expect(huge.length).toBeGreaterThanOrEqual(16_800_000);
    JSON.parse(huge); // it is valid JSON: only its size is hostile
    // Retained before the daemon starts: delivered at every subscribe, so at every start.
    await z2m.publishAsync('zigbee2mqtt/Hall smoke', huge, { qos: 1, retain: true });

    const stateDir = join(dir, name);
    const socket = join(stateDir, 'anjud.sock');
    const cfg = join(dir, `${name}.yaml`);
    writeFileSync(cfg, `hub: { id: ${hub} }
state_dir: "${stateDir}"
control: { socket: "${socket}" }
uplink: { url: "${broker.url}", delivery: puback, reconnect_min_s: 0.2, reconnect_max_s: 1 }
zigbee2mqtt: { url: "${z2mUrl}", reconnect_s: 0.5 }
devices:
  - { id: kitchen-smoke, model: heiman-hs1sa, room: kitchen, z2m: { friendly_name: "Kitchen smoke" } }
  - { id: hall-smoke, model: heiman-hs1sa, room: hall, z2m: { friendly_name: "Hall smoke" } }
`);
    const start = async (): Promise<DaemonProcess> => {
      const d = spawnDaemon(['--config', cfg], { env });
      cleanup.push(() => d.proc.kill('SIGKILL'));
      await d.waitForLog('uplink connected', (l) => l.msg === 'uplink connected');
      return d;
    };
    /** Publishes a state until the event arrives (the daemon's subscription is not observable). */
    const publishUntil = async (d: DaemonProcess, body: object, match: (m: Message) => boolean, what: string): Promise<Message> => {
      for (let i = 0; i < 40; i++) {
        alive(d);
        await z2m.publishAsync('zigbee2mqtt/Kitchen smoke', JSON.stringify(body), { qos: 1 });
        const hit = events.messages.find(match);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 500));
      }
      alive(d);
      return events.waitFor(what, match, 5000);
    };
    const status = async (): Promise<DaemonStatus> => (await request(socket, 'get-status')).data as DaemonStatus;

    const isSmoke = (state: string) => (m: Message) => m.body.type === 'alarm.smoke' && m.body.state === state;
    const count = (state: string) => events.messages.filter(isSmoke(state)).length;

    const d1 = await start();
    // Raised: the daemon is subscribed (and it survived the retained one on the hall topic).
    await publishUntil(d1, { smoke: true, battery: 90 }, isSmoke('raised'), 'alarm.smoke raised');
    // The live one, then a clear behind it on the same topic: the daemon got past the huge one
    // (or the broker dropped it for the daemon, as the daemon asked).
    await z2m.publishAsync('zigbee2mqtt/Kitchen smoke', huge, { qos: 1 });
    await publishUntil(d1, { smoke: false, battery: 90 }, isSmoke('cleared'), 'alarm.smoke cleared');
    alive(d1);

    // Over the 64 KiB payload limit but small enough for the broker to pass: counted, not parsed
    // (parsed, its smoke: true would raise the alarm again).
    const before = (await status()).zigbee2mqtt!.oversized;
    await z2m.publishAsync('zigbee2mqtt/Kitchen smoke', hugeObject(70_000).replace('"smoke":false', '"smoke":true'), { qos: 1 });
    await waitFor('the 70 kB message counted as oversized', async () => (await status()).zigbee2mqtt!.oversized === before + 1, 15_000);
    const s = await status();
    const kitchen = s.zigbee2mqtt!.devices.find((x) => x.id === 'kitchen-smoke')!;
    expect(kitchen.oversized).toBe(z2mBroker === 'aedes' ? 2 : 1); // aedes passed the 16.8 MB one too
    expect(kitchen.malformed).toBe(0);
    expect(count('raised')).toBe(1);

    // A restart with the 16.8 MB message still retained: starts, and raises the next alarm.
    d1.proc.kill('SIGTERM');
    expect((await d1.exited).code).toBe(0);
    const d2 = await start();
    await publishUntil(d2, { smoke: true, battery: 90 }, (m) => isSmoke('raised')(m) && m !== events.messages.find(isSmoke('raised')), 'a second alarm.smoke raised');
    alive(d2);
    expect(count('raised')).toBe(2);
    const after = await status();
    d2.proc.kill('SIGTERM');
    expect((await d2.exited).code).toBe(0);
    return after;
  }

  it('a 16.8 MB object, live and retained, under the shipped heap cap: the daemon keeps running and delivering', async () => {
    const s = await scenario('mosq', 'mosquitto');
    expect(s.zigbee2mqtt!.protocolVersion).toBe(5);
  });

  it('the same through a broker without MQTT 5 (no maximum packet size): dropped unread by the daemon itself', async () => {
    const s = await scenario('aedes', 'aedes');
    expect(s.zigbee2mqtt!.protocolVersion).toBe(4);
    // The retained 16.8 MB one on the hall topic, received at this start and dropped unread.
    expect(s.zigbee2mqtt!.devices.find((x) => x.id === 'hall-smoke')!.oversized).toBe(1);
    expect(s.zigbee2mqtt!.malformed).toBe(0);
  });
});
