import type { Config, DeviceConfig } from './schema.js';
import { deviceCatalogue, type Catalogue, type CatalogueEntry, type DeviceRole } from '../drivers/catalogue.js';

/**
 * How a configured device is reached: its model's transport, from the device catalogue
 * (src/drivers/catalogue.ts). A `zigbee` model is reached through our coordinator (`zigbee:`) or
 * through Zigbee2MQTT (`z2m:`); the config schema requires exactly one of them.
 */
export type DeviceLink = 'serial' | 'ble' | 'modbus' | 'zigbee' | 'z2m';

/** Every configured device, whatever its transport: what status, detectors and duplicate checks see. */
export interface AnyDevice {
  id: string;
  model: string;
  room: string;
  name?: string | undefined;
  transport: DeviceLink;
  /** The device-supervision class, from the model's profile. */
  supervisionClass: string;
  /** What the model is for, from its profile (src/drivers/catalogue.ts DEVICE_ROLES). */
  roles: readonly DeviceRole[];
  /** The Modbus bus id, for Modbus devices. */
  bus?: string;
}

/** The catalogue a validated config was checked against (its local profile folder included). */
export const catalogueOf = (config: Readonly<Config>): Catalogue => deviceCatalogue(config.device_profiles.local_dir);

/** A validated config only names models of its catalogue; this says so, loudly, if that ever breaks. */
export function entryOf(catalogue: Catalogue, model: string): CatalogueEntry {
  const e = catalogue.get(model);
  if (!e) throw new Error(`model ${model} is not in the device catalogue (the config was validated against another one)`);
  return e;
}

export type SerialDeviceConfig = Extract<DeviceConfig, { serial: { path: string } }>;
export type BleDeviceConfig = Extract<DeviceConfig, { ble: { address: string } }>;
export type ZigbeeDeviceConfig = Exclude<DeviceConfig, SerialDeviceConfig | BleDeviceConfig>;

/** The link of a device entry (not a Modbus one: those are under their bus). */
export function linkOf(catalogue: Catalogue, d: DeviceConfig): DeviceLink {
  const t = entryOf(catalogue, d.model).transport;
  if (t === 'modem') throw new Error(`model ${d.model} is a modem, not a device (the config schema only offers device models here)`);
  if (t !== 'zigbee') return t;
  return (d as ZigbeeDeviceConfig).zigbee ? 'zigbee' : 'z2m';
}

/** A device entry with its link, typed with its transport block: what a switch over transports takes. */
export type LinkedDevice =
  | { link: 'serial'; device: SerialDeviceConfig }
  | { link: 'ble'; device: BleDeviceConfig }
  | { link: 'zigbee' | 'z2m'; device: ZigbeeDeviceConfig };

export function linked(catalogue: Catalogue, d: DeviceConfig): LinkedDevice {
  // The schema built from the same catalogue gave this entry exactly its model's transport block.
  return { link: linkOf(catalogue, d), device: d } as LinkedDevice;
}

/** The devices of one link, typed with their transport block. */
export function devicesOn(config: Readonly<Config>, link: 'serial'): SerialDeviceConfig[];
export function devicesOn(config: Readonly<Config>, link: 'ble'): BleDeviceConfig[];
export function devicesOn(config: Readonly<Config>, link: 'zigbee' | 'z2m'): ZigbeeDeviceConfig[];
export function devicesOn(config: Readonly<Config>, link: Exclude<DeviceLink, 'modbus'>): DeviceConfig[] {
  const c = catalogueOf(config);
  return config.devices.filter((d) => linkOf(c, d) === link);
}

export function allDevices(config: Readonly<Config>): AnyDevice[] {
  const c = catalogueOf(config);
  return [
    ...config.devices.map((d): AnyDevice => ({
      id: d.id, model: d.model, room: d.room, name: d.name, transport: linkOf(c, d), supervisionClass: entryOf(c, d.model).supervisionClass, roles: entryOf(c, d.model).roles,
    })),
    ...config.modbus.flatMap((b) => b.devices.map((d): AnyDevice => ({
      id: d.id, model: d.model, room: d.room, name: d.name, transport: 'modbus', supervisionClass: entryOf(c, d.model).supervisionClass, roles: entryOf(c, d.model).roles, bus: b.id,
    }))),
  ];
}
