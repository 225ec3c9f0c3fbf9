/**
 * Remote set-config: validated (a bad one changes nothing), applied atomically, and rolled back by
 * itself when the new config cannot reach the broker; the outcome arrives as a durable event.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { mqttSub, type Subscriber } from '../helpers/mqtt-subscriber.js';
import { freePort } from '../helpers/peers.js';
import { createPtyPair } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait.js';

const HUB = 'hub-setcfg';
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('set-config over MQTT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-setcfg-'));
  const cfgPath = join(dir, 'anju.yaml');
  const cleanup: Array<() => unknown> = [];
  let broker: Mosquitto;
  let daemon: DaemonProcess;
  let cloud: MqttClient;
  let events: Subscriber;
  let status: Subscriber;
  let original: string;
  const replies = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
    original = testConfig({ hubId: HUB, stateDir: join(dir, 'state'), brokerUrl: broker.url, devices: [{ id: 'r', path: pty.devicePath }], uplinkExtra: 'apply_verify_s: 3' });
    writeFileSync(cfgPath, original);
    events = await mqttSub(broker.url, `anju/v1/${HUB}/events`);
    status = await mqttSub(broker.url, `anju/v1/${HUB}/status`);
    cleanup.push(() => events.close(), () => status.close());
    cloud = connect(broker.url, { protocolVersion: 5 });
    cleanup.push(() => cloud.endAsync(true));
    await waitFor('cloud client', () => cloud.connected);
    await cloud.subscribeAsync('cloud/replies', { qos: 1 });
    cloud.on('message', (_t, payload, packet) => {
      replies.set(packet.properties?.correlationData?.toString() ?? '', JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    daemon = spawnDaemon(['--config', cfgPath]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('connected', (l) => l.msg === 'uplink connected');
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setConfig(id: string, payload: unknown): Promise<Record<string, unknown>> {
    cloud.publish(`anju/v1/${HUB}/cmd/set-config`, JSON.stringify(payload), { qos: 1, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from(id) } });
    return waitFor(`reply ${id}`, () => replies.get(id));
  }

  it('refuses an invalid config with the key path, and changes nothing', async () => {
    const r = await setConfig('bad', { yaml: original.replace('delivery: puback', 'delivery: sometimes') });
    expect(r).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG', cmd: 'set-config' });
    expect(String(r.message)).toContain('uplink.delivery: not an allowed value');
    const other = await setConfig('hub', { yaml: original.replace(`id: ${HUB}`, 'id: someone-else') });
    expect(other).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    const dirChange = await setConfig('dir', { yaml: original.replace(`state_dir: "${join(dir, 'state')}"`, `state_dir: "${join(dir, 'elsewhere')}"`) });
    expect(dirChange).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(dirChange.message)).toContain('state_dir cannot be changed remotely');
    const args = await setConfig('args', { config: 'x' });
    expect(args).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
    expect(readFileSync(cfgPath, 'utf8')).toBe(original);
    expect(daemon.proc.exitCode).toBeNull();
  });

  it('ignores a retained command, and one whose response topic is another hub\'s', async () => {
    const next = original.replace('sustain_s: 3', 'sustain_s: 4');
    cloud.publish(`anju/v1/${HUB}/cmd/set-config`, JSON.stringify({ yaml: next }), { qos: 1, retain: true, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from('retained') } });
    cloud.publish(`anju/v1/${HUB}/cmd/ping`, '{}', { qos: 1, properties: { responseTopic: 'anju/v1/other-hub/cmd/set-config', correlationData: Buffer.from('hijack') } });
    await daemon.waitForLog('retained command ignored', (l) => l.msg === 'ignoring a retained command; publish commands without the retain flag');
    await daemon.waitForLog('foreign response topic ignored', (l) => l.msg === "ignoring a command whose response topic is another hub's");
    expect(replies.has('retained')).toBe(false);
    expect(readFileSync(cfgPath, 'utf8')).toBe(original);
    cloud.publish(`anju/v1/${HUB}/cmd/set-config`, '', { qos: 1, retain: true }); // clear the retained message
  });

  it('applies a valid config atomically and says so with hub.config_applied', async () => {
    const next = original.replace('sustain_s: 3', 'sustain_s: 5');
    const r = await setConfig('good', { yaml: next });
    expect(r).toMatchObject({ ok: true, data: { accepted: true, hash: hashOf(next), previous_hash: hashOf(original) } });
    const applied = await events.waitFor('hub.config_applied', (m) => m.body.type === 'hub.config_applied');
    expect(applied.body.data).toEqual({ hash: hashOf(next), previous_hash: hashOf(original) });
    expect(readFileSync(cfgPath, 'utf8')).toBe(next);
    await status.waitFor('birth with the new hash', (m) => m.body.state === 'online' && m.body.config_hash === hashOf(next));
    original = next;
  });

  it('rolls back by itself when the new config cannot reach the broker', async () => {
    const dead = await freePort();
    const next = original.replace(broker.url, `mqtt://127.0.0.1:${dead}`);
    const r = await setConfig('dead', { yaml: next });
    expect(r).toMatchObject({ ok: true, data: { accepted: true, verify_s: 3 } });
    const back = await events.waitFor('hub.config_rolled_back', (m) => m.body.type === 'hub.config_rolled_back', 30_000);
    expect(back.body.data).toMatchObject({ attempted_hash: hashOf(next), hash: hashOf(original) });
    expect(String((back.body.data as { reason: string }).reason)).toContain('did not connect');
    expect(readFileSync(cfgPath, 'utf8')).toBe(original);
    expect(daemon.proc.exitCode).toBeNull();
  });
});
