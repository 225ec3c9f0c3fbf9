/**
 * The home described to the cloud (issue 16, point 6), through the real daemon on a real Mosquitto:
 * the retained inventory (a subscriber that comes later gets it), a device's retained availability
 * once it is heard, get-config (redacted text and the hash in force), and the race the issue names:
 * the cloud reads the config, a technician adds a device on site (anjuctl devices add), the cloud's
 * set-config edited from the old text is refused as stale (the device is not lost) and the inventory
 * has the new device. Every message is checked against docs/schema.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCloud, type CloudCommands } from '../helpers/cloud-commands.js';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { mqttSub, type Message } from '../helpers/mqtt-subscriber.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { ctl } from '../helpers/scripted-cli.js';
import { presence } from './frames.js';
import { problems } from './uplink-contract.schemas.js';

describe('inventory, availability, get-config and a stale set-config', () => {
  let hub: Hub;
  let hall: PtyPair;
  let cloud: CloudCommands;
  const retainedOf = async (suffix: string, match: (m: Message) => boolean): Promise<Message> => {
    // A subscriber that arrives after the fact: only a retained message reaches it.
    const late = await mqttSub(hub.broker.url, `anju/v1/${hub.hubId}/${suffix}`);
    try {
      return await late.waitFor(`retained ${suffix}`, (m) => m.retain === true && match(m), 20_000);
    } finally {
      await late.close();
    }
  };
  const ids = (m: Message) => (m.body.devices as Array<{ id: string }>).map((d) => d.id);

  beforeAll(async () => {
    // A radar silent for 3 s is offline (the default is 120 s), so the test sees availability go both ways.
    hub = await startHub({ name: 'inventory', radars: ['bed-radar'], uplinkExtra: 'apply_verify_s: 10', extra: '  device_supervision: { silence_timeout_s: { radar: 3 } }\n' });
    hall = await createPtyPair(hub.dir, 'hall');
    cloud = await connectCloud(hub.broker.url, 'inventory/replies');
  });
  afterAll(async () => {
    await cloud?.close();
    await hall?.unplug();
    await hub?.stop();
  });

  it('publishes the inventory retained at start, and a device\'s availability: online once heard, offline when silent, online again', async () => {
    const inv = await retainedOf('inventory', () => true);
    expect(problems('inventory.v1.json', inv.body)).toEqual([]);
    const status = await hub.status();
    expect(inv.body).toMatchObject({ v: 1, hub: hub.hubId, config_hash: status.configHash, version: status.version });
    expect(ids(inv)).toEqual(['bed-radar']);
    const radar = (inv.body.devices as Array<Record<string, unknown>>)[0]!;
    expect(radar).toMatchObject({ model: 'seeed-mr60bha1', vendor: 'Seeed Studio', transport: 'serial', roles: ['bed-monitor'], supervision_class: 'radar', silence_timeout_s: 3 }); // the config's, not the default
    expect(radar.metrics).toContainEqual(expect.objectContaining({ name: 'heartRateBpm', type: 'number', unit: 'bpm' }));

    await feedUntil(hub.pty, () => presence(true), 'bed-radar availability', () => hub.on('devices/bed-radar/availability').length > 0);
    const avail = await retainedOf('devices/bed-radar/availability', () => true);
    expect(avail.body).toMatchObject({ v: 1, hub: hub.hubId, device: 'bed-radar', state: 'online' });
    expect(problems('availability.v1.json', avail.body)).toEqual([]);
    // Silent past its class's timeout: device.offline, and the retained availability follows.
    await hub.sub.waitFor('device.offline raised', (m) => m.topic.endsWith('/events') && m.body.type === 'device.offline' && m.body.state === 'raised', 20_000);
    const offline = await retainedOf('devices/bed-radar/availability', (m) => m.body.state === 'offline');
    expect(problems('availability.v1.json', offline.body)).toEqual([]);
    // Heard again: online.
    await feedUntil(hub.pty, () => presence(true), 'bed-radar online again', () => hub.on('devices/bed-radar/availability').some((m) => m.body.state === 'online' && Number(m.body.ts) > Number(offline.body.ts)));
  });

  it('get-config gives the config in force and its hash; a set-config from before an on-site change is refused as stale', async () => {
    const got = await cloud.send(hub.hubId, 'get-config', {}, 'get-1');
    expect(problems('command-response.v1.json', got)).toEqual([]);
    const data = got.data as { yaml: string; hash: string; redacted: string[] };
    expect(got.ok).toBe(true);
    expect(data.hash).toBe((await hub.status()).configHash);
    expect(data.yaml).toBe(readFileSync(hub.cfgPath, 'utf8')); // nothing secret in this one to redact
    expect(data.redacted).toEqual([]);

    // Meanwhile, on site: a second radar.
    const from = hub.sub.messages.length;
    const add = ctl(['devices', 'add', '--id', 'hall-radar', '--model', 'hilink-ld2410', '--room', 'hall', '--path', hall.devicePath, '--socket', hub.socket, '--config', hub.cfgPath], {}, 60_000);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    const updated = await hub.sub.waitFor('inventory with the hall radar', (m) => m.topic.endsWith('/inventory') && hub.sub.messages.indexOf(m) >= from && ids(m).includes('hall-radar'), 30_000);
    expect(problems('inventory.v1.json', updated.body)).toEqual([]);
    expect(ids(updated)).toEqual(['bed-radar', 'hall-radar']);
    expect((updated.body.devices as Array<Record<string, unknown>>)[1]).toMatchObject({ model: 'hilink-ld2410', room: 'hall', transport: 'serial', roles: [] });
    expect(updated.body.config_hash).not.toBe(data.hash);
    expect(ids(await retainedOf('inventory', (m) => ids(m).includes('hall-radar')))).toEqual(['bed-radar', 'hall-radar']);

    // The cloud's edit of what it read before: refused, and the hall radar stays.
    const edited = `${data.yaml}# edited in the cloud\n`;
    const stale = await cloud.send(hub.hubId, 'set-config', { yaml: edited, base_hash: data.hash }, 'set-stale');
    expect(problems('command-response.v1.json', stale)).toEqual([]);
    expect(stale).toMatchObject({ ok: false, code: 'ANJU_CMD_STALE_CONFIG' });
    expect(String(stale.message)).toContain(data.hash);
    expect(readFileSync(hub.cfgPath, 'utf8')).toContain('hall-radar');

    // Read again: the hash in force now, and that text has the device.
    const again = await cloud.send(hub.hubId, 'get-config', {}, 'get-2');
    expect((again.data as { hash: string }).hash).toBe(updated.body.config_hash);
    expect((again.data as { yaml: string }).yaml).toContain('hall-radar');
  });
});
