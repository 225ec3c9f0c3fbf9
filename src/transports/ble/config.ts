import { z } from 'zod';
import { bleModelNames } from '../../drivers/ble-registry.js';
import type { BleTiming } from './types.js';
import { rule } from '../../core/config-rules.js';

/**
 * Config fragments for BLE devices, for src/config/schema.ts to compose (strict objects, like the
 * rest of the config: an unknown key is an error).
 *
 * A device entry:
 *   - { id: hr-band, model: ble-heart-rate, room: bedroom, ble: { address: "C8:4A:11:22:33:44" } }
 * composed as  z.strictObject({ id, room, name, ...BleDeviceFields })  next to the serial ones.
 *
 * Transport-wide settings (a top-level `ble:` section):  BleSettingsSchema.prefault({}).
 */

/** A public or static-random BD_ADDR as BlueZ prints it. */
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

export const BleSchema = z.strictObject({
  address: z.string().regex(MAC, rule('ANJU_CFG_BLE_ADDRESS'))
    .transform((s) => s.toUpperCase())
    .describe('The device\'s Bluetooth address (bluetoothctl "scan le" shows it). A device with a changing private address must be paired once so BlueZ knows its identity address'),
  adapter: z.string().regex(/^hci\d{1,2}$/, rule('ANJU_CFG_BLE_ADAPTER')).default('hci0')
    .describe('Local Bluetooth adapter (hciconfig / bluetoothctl list)'),
});

/** The fields a BLE device entry adds to the common id / room / name, for the catalogue's BLE models. */
export const bleDeviceFields = (models: readonly [string, ...string[]]) => ({
  model: z.enum(models).describe('Device model: a folder under devices/ (ble-heart-rate, ble-pulse-oximeter) or the local profile folder with transport ble'),
  ble: BleSchema,
});

/** The fields for the shipped models. */
export const BleDeviceFields = bleDeviceFields(bleModelNames);

export const BleDeviceConfigSchema = z.strictObject(BleDeviceFields);
export type BleDeviceConfig = z.output<typeof BleDeviceConfigSchema>;

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);

export const BleSettingsSchema = z.strictObject({
  bus_address: z.string().regex(/^unix:path=/, rule('ANJU_CFG_DBUS_ADDRESS')).optional()
    .describe('D-Bus system bus address; default $DBUS_SYSTEM_BUS_ADDRESS or unix:path=/var/run/dbus/system_bus_socket. Only unix:path= addresses'),
  connect_timeout_s: seconds(30, 'Give up one connection attempt (connect, resolve services, subscribe) after'),
  discovery_timeout_s: z.number().min(0).default(30).describe('When BlueZ does not know a device, scan for it this long before giving up the attempt (0: never scan; pair the device instead), seconds'),
  reconnect_min_s: seconds(1, 'First retry after a failed attempt or a lost link; doubles per failure'),
  reconnect_max_s: seconds(60, 'Retry delay ceiling'),
  liveness_s: seconds(10, 'Check that a connected device is still connected this often (catches a lost signal or a restarted bluetoothd)'),
}).refine((s) => s.reconnect_min_s <= s.reconnect_max_s, { ...rule('ANJU_CFG_RECONNECT_ORDER'), path: ['reconnect_min_s'] });

export type BleSettings = z.output<typeof BleSettingsSchema>;

export function bleTimingFromSettings(s: BleSettings): Partial<BleTiming> {
  return {
    connectTimeoutMs: s.connect_timeout_s * 1000,
    discoveryTimeoutMs: s.discovery_timeout_s * 1000,
    reconnectMinMs: s.reconnect_min_s * 1000,
    reconnectMaxMs: s.reconnect_max_s * 1000,
    livenessMs: s.liveness_s * 1000,
  };
}
