/**
 * Remote set-config: validated (a bad one changes nothing), applied atomically, and rolled back by
 * itself when the new config cannot reach the broker; the outcome arrives as a durable event.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCloud, startListener, type CloudCommands } from '../helpers/cloud-commands.js';
import { startHub, type Hub } from '../helpers/hub.js';

const HUB = 'hub-setcfg';
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('set-config over MQTT', () => {
  let hub: Hub;
  let cloud: CloudCommands;
  let original: string;

  beforeAll(async () => {
    hub = await startHub({ name: 'setcfg', hubId: HUB, radars: ['r'], uplinkExtra: 'apply_verify_s: 3', start: false });
    original = readFileSync(hub.cfgPath, 'utf8');
    cloud = await connectCloud(hub.broker.url);
    await hub.start();
  });
  afterAll(async () => {
    await cloud?.close();
    await hub?.stop();
  });

  const setConfig = (id: string, payload: unknown): Promise<Record<string, unknown>> => cloud.send(HUB, 'set-config', payload, id);
  const event = (type: string, timeoutMs?: number) => hub.sub.waitFor(type, (m) => m.topic.endsWith('/events') && m.body.type === type, timeoutMs);

  it('refuses an invalid config with the key path, and changes nothing', async () => {
    const r = await setConfig('bad', { yaml: original.replace('delivery: puback', 'delivery: sometimes') });
    expect(r).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG', cmd: 'set-config' });
    expect(String(r.message)).toContain('uplink.delivery: not an allowed value');
    const other = await setConfig('hub', { yaml: original.replace(`id: ${HUB}`, 'id: someone-else') });
    expect(other).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    const dirChange = await setConfig('dir', { yaml: original.replace(`state_dir: "${hub.stateDir}"`, `state_dir: "${join(hub.dir, 'elsewhere')}"`) });
    expect(dirChange).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_CONFIG' });
    expect(String(dirChange.message)).toContain('state_dir cannot be changed remotely');
    const args = await setConfig('args', { config: 'x' });
    expect(args).toMatchObject({ ok: false, code: 'ANJU_CMD_INVALID_ARGS' });
    expect(readFileSync(hub.cfgPath, 'utf8')).toBe(original);
    expect(hub.daemon.proc.exitCode).toBeNull();
  });

  it('ignores a retained command, and one whose response topic is another hub\'s', async () => {
    const next = original.replace('sustain_s: 3', 'sustain_s: 4');
    const daemon = hub.daemon;
    cloud.client.publish(`anju/v1/${HUB}/cmd/set-config`, JSON.stringify({ yaml: next }), { qos: 1, retain: true, properties: { responseTopic: 'cloud/replies', correlationData: Buffer.from('retained') } });
    cloud.client.publish(`anju/v1/${HUB}/cmd/ping`, '{}', { qos: 1, properties: { responseTopic: 'anju/v1/other-hub/cmd/set-config', correlationData: Buffer.from('hijack') } });
    await daemon.waitForLog('retained command ignored', (l) => l.msg === 'ignoring a retained command; publish commands without the retain flag');
    await daemon.waitForLog('foreign response topic ignored', (l) => l.msg === "ignoring a command whose response topic is another hub's");
    expect(cloud.reply('retained')).toBeUndefined();
    expect(readFileSync(hub.cfgPath, 'utf8')).toBe(original);
    cloud.client.publish(`anju/v1/${HUB}/cmd/set-config`, '', { qos: 1, retain: true }); // clear the retained message
  });

  it('applies a valid config atomically and says so with hub.config_applied', async () => {
    const next = original.replace('sustain_s: 3', 'sustain_s: 5');
    const r = await setConfig('good', { yaml: next });
    expect(r).toMatchObject({ ok: true, data: { accepted: true, hash: hashOf(next), previous_hash: hashOf(original) } });
    const applied = await event('hub.config_applied');
    expect(applied.body.data).toEqual({ hash: hashOf(next), previous_hash: hashOf(original) });
    expect(readFileSync(hub.cfgPath, 'utf8')).toBe(next);
    await hub.sub.waitFor('birth with the new hash', (m) => m.topic.endsWith('/status') && m.body.state === 'online' && m.body.config_hash === hashOf(next));
    original = next;
  });

  it('rolls back by itself when the new config cannot reach the broker', async () => {
    // A listener that never answers MQTT holds the port: a free port could meanwhile become another test's broker.
    const dead = await startListener();
    try {
      const next = original.replace(hub.broker.url, `mqtt://127.0.0.1:${dead.port}`);
      const r = await setConfig('dead', { yaml: next });
      expect(r).toMatchObject({ ok: true, data: { accepted: true, verify_s: 3 } });
      const back = await event('hub.config_rolled_back', 30_000);
      expect(back.body.data).toMatchObject({ attempted_hash: hashOf(next), hash: hashOf(original) });
      expect(String((back.body.data as { reason: string }).reason)).toContain('did not connect');
      expect(readFileSync(hub.cfgPath, 'utf8')).toBe(original);
      expect(hub.daemon.proc.exitCode).toBeNull();
    } finally {
      await dead.close();
    }
  });
});
