import { z } from 'zod';
import { deviceSupervisionDefaults as D } from '../device-supervision.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the device-supervision detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

export const DeviceSupervisionSettingsSchema = z.strictObject({
  enabled: z.boolean().default(D.enabled),
  device_class: z.string().min(1).default(D.device_class).describe('Class of this device (bound per device from its model): selects the silence timeout'),
  device_id: z.string().min(1).nullable().default(D.device_id).describe('Id of this device (bound per device), used when it never reported'),
  silence_timeout_s: z.object({
    smoke: z.number().min(0).default(D.silence_timeout_s.smoke!),
    co: z.number().min(0).default(D.silence_timeout_s.co!),
    gas: z.number().min(0).default(D.silence_timeout_s.gas!),
    water: z.number().min(0).default(D.silence_timeout_s.water!),
    contact: z.number().min(0).default(D.silence_timeout_s.contact!),
    occupancy: z.number().min(0).default(D.silence_timeout_s.occupancy!),
    radar: z.number().min(0).default(D.silence_timeout_s.radar!),
    modbus: z.number().min(0).default(D.silence_timeout_s.modbus!),
    wearable: z.number().min(0).default(D.silence_timeout_s.wearable!),
    default: z.number().min(0).default(D.silence_timeout_s.default!),
  }).catchall(z.number().min(0)).prefault({})
    .describe('Seconds of silence before device.offline, per device class (0 = not supervised); more classes may be added'),
  battery_low_percent: z.number().min(0).max(100).default(D.battery_low_percent).describe('batteryPercent at or below this raises device.battery_low, %'),
  battery_ok_percent: z.number().min(0).max(100).default(D.battery_ok_percent).describe('batteryPercent at or above this clears it (above battery_low_percent), %'),
  hub_gap_s: z.number().positive().default(D.hub_gap_s).describe('Ticks further apart than this mean the hub was down: silence is counted afresh, seconds'),
}).refine((s) => s.battery_ok_percent > s.battery_low_percent, { ...rule('ANJU_CFG_BATTERY_ORDER'), path: ['battery_ok_percent'] });

export type DeviceSupervisionSettings = z.output<typeof DeviceSupervisionSettingsSchema>;
