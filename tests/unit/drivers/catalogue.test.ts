/**
 * The device catalogue (src/drivers/catalogue.ts): every shipped folder is in it and passes the deep
 * check; a local profile folder (device_profiles.local_dir) is held to exactly the same checks, and
 * its problems are config problems naming the file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { allDevices } from '../../../src/config/devices.js';
import { loadCatalogue, shippedDevicesDir } from '../../../src/drivers/catalogue.js';
import { modbusModelsOf } from '../../../src/drivers/modbus-registry.js';
import { checkProfile } from '../../../src/drivers/profile-check.js';

const devicesDir = join(import.meta.dirname, '../../../devices');
const shipped = loadCatalogue();
const profileOf = (model: string) => JSON.parse(readFileSync(join(devicesDir, model, 'profile.json'), 'utf8')) as Record<string, unknown>;

describe('device catalogue', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'anju-catalogue-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let n = 0;
  /** A fresh local folder holding the given model folders. */
  const localDir = (folders: Record<string, unknown>): string => {
    const dir = join(tmp, `local-${n++}`);
    for (const [model, profile] of Object.entries(folders)) {
      mkdirSync(join(dir, model), { recursive: true });
      writeFileSync(join(dir, model, 'profile.json'), typeof profile === 'string' ? profile : JSON.stringify(profile));
    }
    return dir;
  };
  const config = (dir: string, devices: string, extra = '') => parseConfig(`hub: { id: h }
uplink: { url: "mqtt://127.0.0.1:1883" }
device_profiles: { local_dir: "${dir}" }
${extra}devices:
${devices}
`);

  it('reads the build\'s devices/ folder: every model folder, no problem, each passing its transport\'s deep check', () => {
    expect(shippedDevicesDir.replace(/\/$/, '')).toBe(devicesDir);
    const folders = readdirSync(devicesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(shipped.problems).toEqual([]);
    expect(shipped.entries.map((e) => e.model).sort()).toEqual(folders);
    for (const e of shipped.entries) {
      expect(checkProfile(e), e.model).toEqual([]);
      expect(e.source).toBe('shipped');
    }
  });

  it('takes every supervision class from the profile (a radar, a band, a gas detector, a Zigbee contact)', () => {
    expect(shipped.get('seeed-mr60bha1')?.supervisionClass).toBe('radar');
    expect(shipped.get('ble-heart-rate')?.supervisionClass).toBe('wearable');
    expect(shipped.get('gas-detector-4000x')?.supervisionClass).toBe('modbus');
    expect(shipped.get('aqara-mccgq11lm')?.supervisionClass).toBe('contact');
    const r = parseConfig(`hub: { id: h }
uplink: { url: "mqtt://127.0.0.1:1883" }
zigbee2mqtt: { url: "mqtt://127.0.0.1:1883" }
devices:
  - { id: door, model: aqara-mccgq11lm, room: hall, z2m: { friendly_name: door } }
  - { id: band, model: ble-heart-rate, room: bedroom, ble: { address: "C8:4A:11:22:33:44" } }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(allDevices(r.config).map((d) => [d.id, d.transport, d.supervisionClass])).toEqual([['door', 'z2m', 'contact'], ['band', 'ble', 'wearable']]);
  });

  it('a missing local folder adds nothing and is no problem', () => {
    const c = loadCatalogue({ localDir: join(tmp, 'nowhere') });
    expect(c.problems).toEqual([]);
    expect(c.entries.length).toBe(shipped.entries.length);
  });

  it('modbus-generic\'s register map, copied to the local folder under a site name, is a model the config can use', () => {
    const map = { ...profileOf('modbus-generic'), model: 'site-boiler-gas', vendor: 'Site boiler room', mapKind: 'vendor', defaultUnitId: 7 };
    const dir = localDir({ 'site-boiler-gas': map });
    const r = config(dir, '  []', `modbus:
  - id: bus1
    rtu: { path: /dev/ttyUSB0 }
    devices:
      - { id: boiler-gas, model: site-boiler-gas, room: cellar }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(allDevices(r.config)).toMatchObject([{ id: 'boiler-gas', transport: 'modbus', supervisionClass: 'modbus', bus: 'bus1' }]);
    expect(modbusModelsOf(loadCatalogue({ localDir: dir }))['site-boiler-gas']?.profile.defaultUnitId).toBe(7);
  });

  it('a local profile with a broken register map is a config problem naming the file and the key, when a device uses it', () => {
    const map = { ...profileOf('modbus-generic'), model: 'site-broken', points: [] };
    const dir = localDir({ 'site-broken': map });
    const r = config(dir, '  []', `modbus:
  - id: bus1
    rtu: { path: /dev/ttyUSB0 }
    devices:
      - { id: boiler-gas, model: site-broken, room: cellar }
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Both: the model is unknown (its profile did not load) and why, naming the file and the key.
    expect(r.problems.map((p) => p.path)).toEqual(['modbus[0].devices[0].model', 'device_profiles.local_dir']);
    expect(r.problems[1]?.message).toMatch(/site-broken\/profile\.json: points: /);
  });

  it('a broken local profile no device uses is a warning, not a config error: the hub keeps running', () => {
    const dir = localDir({ 'site-broken': { ...profileOf('modbus-generic'), model: 'site-broken', points: [] }, 'site-typo': '{ "model": ' });
    const r = config(dir, '  - { id: r, model: seeed-mr60bha2, room: bedroom, serial: { path: /dev/ttyUSB0 } }');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect((r.warnings ?? []).map((w) => [w.path, w.message.replace(dir, 'DIR')])).toEqual([
      ['device_profiles.local_dir', expect.stringMatching(/^DIR\/site-typo\/profile\.json: not valid JSON/)],
      ['device_profiles.local_dir', expect.stringMatching(/^DIR\/site-broken\/profile\.json: points: /)],
    ]);
  });

  it('roles come from the profile (bed monitors and oximeters), and an unknown role is refused by name', () => {
    expect(shipped.entries.filter((e) => e.roles.includes('bed-monitor')).map((e) => e.model).sort()).toEqual(['seeed-mr60bha1', 'seeed-mr60bha2']);
    expect(shipped.get('ble-pulse-oximeter')?.roles).toEqual(['oximeter']);
    expect(shipped.get('hilink-ld2410')?.roles).toEqual([]);
    const c = loadCatalogue({ localDir: localDir({ 'site-bed': { ...profileOf('seeed-mr60bha2'), model: 'site-bed', roles: ['bed'] } }) });
    expect(c.problems.map((p) => p.message)).toEqual(['roles: expected a list of bed-monitor, oximeter, sos-button, siren, found ["bed"]']);
  });

  it('a local folder that fails the common checks is named, with what was expected', () => {
    const dir = localDir({
      'site-a': { ...profileOf('heiman-hs1sa'), model: 'site-b' },
      'site-c': '{ not json',
      'site-d': { ...profileOf('heiman-hs1sa'), model: 'site-d', transport: 'lora' },
      'site-e': { ...profileOf('seeed-mr60bha1'), model: 'site-e', driver: 'nope' },
      'site-f': { ...profileOf('seeed-mr60bha1'), model: 'site-f', supervisionClass: undefined },
      'heiman-hs1sa': profileOf('heiman-hs1sa'),
    });
    const c = loadCatalogue({ localDir: dir });
    expect(c.problems.map((p) => [p.model, p.message.split(':')[0]])).toEqual([
      ['site-a', 'model'], ['site-c', 'not valid JSON'], ['site-d', 'transport'], ['site-e', 'driver'], ['site-f', 'supervisionClass'], ['heiman-hs1sa', 'a shipped model has this name (' + join(devicesDir, 'heiman-hs1sa', 'profile.json') + ')'],
    ]);
    expect(c.get('site-a')).toBeUndefined();
    expect(c.get('heiman-hs1sa')?.source).toBe('shipped');
    // No device uses any of them: warnings, each naming its file; using one makes it an error.
    const r = config(dir, '  []');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.warnings?.filter((p) => p.path === 'device_profiles.local_dir')).toHaveLength(6);
    const used = config(dir, '  - { id: s, model: heiman-hs1sa, room: hall, z2m: { friendly_name: s } }', 'zigbee2mqtt: { url: "mqtt://127.0.0.1:1883" }\n');
    expect(used.ok).toBe(false);
    if (!used.ok) expect(used.problems.map((p) => p.message)).toEqual([expect.stringContaining('a shipped model has this name')]);
  });

  it('a local BLE variant is checked like a shipped one (a characteristic without a decoder is refused)', () => {
    const hr = profileOf('ble-heart-rate') as { ble: { services: Array<{ characteristics: Array<Record<string, unknown>> }> } };
    const bad = structuredClone(hr);
    bad.ble.services[0]!.characteristics[0]!.uuid = 'ffe1';
    const c = loadCatalogue({ localDir: localDir({ 'site-band': { ...hr, model: 'site-band' }, 'site-odd': { ...bad, model: 'site-odd' } }) });
    expect(checkProfile(c.get('site-band')!)).toEqual([]);
    expect(checkProfile(c.get('site-odd')!)).toEqual(['ble.services[0].characteristics[0].uuid: no decoder for characteristic ffe1 in this build (src/drivers/ble-gatt/)']);
  });

  it('device_profiles.local_dir: null means shipped models only', () => {
    const dir = localDir({ 'site-radar': { ...profileOf('seeed-mr60bha1'), model: 'site-radar' } });
    const device = '  - { id: r, model: site-radar, room: bedroom, serial: { path: /dev/ttyUSB0 } }';
    expect(config(dir, device).ok).toBe(true);
    const r = parseConfig(`hub: { id: h }
uplink: { url: "mqtt://127.0.0.1:1883" }
device_profiles: { local_dir: null }
devices:
${device}
`);
    expect(r.ok).toBe(false);
  });
});
