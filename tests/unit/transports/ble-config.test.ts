/** The BLE config fragments the lead composes into src/config/schema.ts. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BleDeviceFields, BleSettingsSchema, bleTimingFromSettings } from '../../../src/transports/ble/config.js';

const Device = z.strictObject({ id: z.string(), room: z.string(), ...BleDeviceFields });

describe('BLE config', () => {
  it('accepts a device by address, upper-cases it, defaults the adapter', () => {
    expect(Device.parse({ id: 'hr', room: 'bedroom', model: 'ble-heart-rate', ble: { address: 'c8:4a:11:22:33:44' } }))
      .toEqual({ id: 'hr', room: 'bedroom', model: 'ble-heart-rate', ble: { address: 'C8:4A:11:22:33:44', adapter: 'hci0' } });
  });
  it('names what is wrong', () => {
    const bad = Device.safeParse({ id: 'hr', room: 'r', model: 'ble-scale', ble: { address: 'C8:4A:11:22:33', adapter: 'bt0', extra: 1 } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['model', 'ble.address', 'ble.adapter', 'ble']));
  });
  it('has settings with defaults in seconds, turned into transport timing in ms', () => {
    const s = BleSettingsSchema.parse({});
    expect(s).toEqual({ connect_timeout_s: 30, discovery_timeout_s: 30, reconnect_min_s: 1, reconnect_max_s: 60, liveness_s: 10 });
    expect(bleTimingFromSettings(s)).toEqual({ connectTimeoutMs: 30_000, discoveryTimeoutMs: 30_000, reconnectMinMs: 1000, reconnectMaxMs: 60_000, livenessMs: 10_000 });
    expect(BleSettingsSchema.safeParse({ reconnect_min_s: 90 }).success).toBe(false);
    expect(BleSettingsSchema.safeParse({ bus_address: 'unix:abstract=/x' }).success).toBe(false);
  });
});
