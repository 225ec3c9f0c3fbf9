import type { Db } from '../store/database.js';
import type { Config } from '../config/schema.js';
import { allDevices, catalogueOf } from '../config/devices.js';
import type { StoredEvent } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import { silenceTimeoutS } from '../detectors/device-supervision.js';
import { topics } from '../uplink/contract.js';
import type { AvailabilityMessage, InventoryDevice, InventoryMessage } from '../uplink/contract-schemas.js';

/**
 * The home described to the cloud (issue 16, point 6): the retained inventory (hub, devices with
 * model, room, name, transport, metrics with units, supervision class, all from the config and the
 * device catalogue) and each device's retained availability. Both are published through the
 * uplink's retained messages (`Uplink.retain`): at start, again at every connection, and the
 * availability on every change. The config changes only through a restart of the daemon (set-config,
 * `anjuctl devices add/remove`, `config apply`), so "on change" is "at every start of a config".
 *
 * Availability: offline while a device.offline is open (supervision: silence past its class's timeout,
 * or Zigbee2MQTT's availability), online once the device is heard. At start the last device.offline
 * state in the store says which devices are offline; the others are announced at their first reading.
 * The device ids announced are kept in the store's meta table, so a device removed from the config
 * has its retained availability cleared at the next start rather than left "online" forever.
 */
export interface HomeDescription {
  /** Publishes the inventory and the known availabilities (call once the uplink exists). */
  start(): void;
  /** A committed event: device.offline raised/cleared moves the device's availability. */
  onEvent(e: StoredEvent): void;
  /** A reading (hot path: a Map lookup after the device's first one). */
  heard(r: Reading): void;
}

export interface HomeDescriptionDeps {
  config: Readonly<Config>;
  version: string;
  configHash: string;
  db: Db;
  now: () => number;
  retain: (topic: string, payload: string | null) => void;
  /** Runs a store write through the storage guard (a full disk must not stop the daemon). */
  write: (where: string, fn: () => void) => void;
}

const META_KEY = 'availability_devices';

export function inventoryOf(config: Readonly<Config>, version: string, configHash: string, now: number): InventoryMessage {
  const catalogue = catalogueOf(config);
  const supervision = config.detectors.device_supervision;
  const devices = allDevices(config).map((d): InventoryDevice => {
    const profile = catalogue.get(d.model)?.profile ?? {};
    const metrics = Object.entries((profile.metrics ?? {}) as Record<string, Record<string, unknown>>).map(([name, m]) => ({
      name, type: String(m.type ?? 'number'), unit: typeof m.unit === 'string' ? m.unit : null, meaning: typeof m.meaning === 'string' ? m.meaning : null,
    }));
    return {
      id: d.id, model: d.model, vendor: typeof profile.vendor === 'string' ? profile.vendor : null, model_name: typeof profile.name === 'string' ? profile.name : null,
      room: d.room, name: d.name ?? null, transport: d.transport, ...(d.bus !== undefined ? { bus: d.bus } : {}),
      roles: [...d.roles], supervision_class: d.supervisionClass,
      silence_timeout_s: supervision.enabled ? silenceTimeoutS({ ...supervision, device_class: d.supervisionClass, device_id: d.id }) : 0,
      metrics,
    };
  });
  return { v: 1, hub: config.hub.id, ts: now, version, config_hash: configHash, timezone: config.hub.timezone ?? null, devices };
}

export function createHomeDescription(deps: HomeDescriptionDeps): HomeDescription {
  const { config, db } = deps;
  const t = topics(config.hub.id);
  const ids = new Set(allDevices(config).map((d) => d.id));
  const state = new Map<string, AvailabilityMessage['state']>();

  const announce = (device: string, s: AvailabilityMessage['state']): void => {
    if (state.get(device) === s) return;
    state.set(device, s);
    const msg: AvailabilityMessage = { v: 1, hub: config.hub.id, device, state: s, ts: deps.now() };
    deps.retain(t.availability(device), JSON.stringify(msg));
  };

  return {
    start() {
      deps.retain(t.inventory, JSON.stringify(inventoryOf(config, deps.version, deps.configHash, deps.now())));
      // Devices the previous config had and this one has not: their retained availability goes.
      const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(META_KEY);
      const before = row ? (JSON.parse(row.value) as string[]) : [];
      for (const id of before) if (!ids.has(id)) deps.retain(t.availability(id), null);
      deps.write('availability_devices', () => {
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(META_KEY, JSON.stringify([...ids]));
      });
      const open = db.prepare<[], { device: string; state: string }>(
        "SELECT device, state FROM events WHERE seq IN (SELECT MAX(seq) FROM events WHERE type = 'device.offline' AND device IS NOT NULL GROUP BY device)",
      ).all();
      for (const r of open) if (r.state === 'raised' && ids.has(r.device)) announce(r.device, 'offline');
    },
    onEvent(e) {
      if (e.type !== 'device.offline' || e.device === null || !ids.has(e.device)) return;
      if (e.state === 'raised') announce(e.device, 'offline');
      else if (e.state === 'cleared') announce(e.device, 'online');
    },
    heard(r) {
      // Once online, a reading changes nothing; while offline, the cleared device.offline says so.
      // Zigbee2MQTT's `available: false` is a word that the device is gone, not a sign of life.
      if (!state.has(r.device) && ids.has(r.device) && !(r.metric === 'available' && r.value === false)) announce(r.device, 'online');
    },
  };
}
