import { z } from 'zod';
import { zigbeeModelNames } from '../../drivers/zigbee-registry.js';
import { Zigbee2MqttDeviceSchema } from '../zigbee2mqtt/config.js';
import { rule } from '../../core/config-rules.js';

/**
 * Config fragments for Zigbee, for src/config/schema.ts to compose (strict objects).
 *
 *   zigbee:                                     # ZigbeeSettingsSchema (top-level, optional)
 *     serial: { path: /dev/serial/by-id/usb-Texas_Instruments_..., adapter: zstack }
 *     channel: 15
 *   devices:
 *     - { id: smoke-hall, model: heiman-hs1sa, room: hall, zigbee: { ieee: "0x00158d0001a2b3c4" } }
 *     - { id: door, model: aqara-mccgq11lm, room: hall, z2m: { friendly_name: front door } }
 *
 * A device entry:  z.strictObject({ ...deviceCommon, ...ZigbeeDeviceFields }).superRefine(checkZigbeeDeviceSource)
 * (a Zigbee model is reached through our coordinator, `zigbee:`, or through Zigbee2MQTT, `z2m:`:
 * exactly one). Its supervision class: its profile's, through the catalogue (src/drivers/catalogue.ts).
 */

const IEEE = /^0x[0-9a-fA-F]{16}$/;

export const ZigbeeAddressSchema = z.strictObject({
  ieee: z.string().regex(IEEE, rule('ANJU_CFG_IEEE')).transform((s) => s.toLowerCase())
    .describe("The device's IEEE (EUI-64) address, 0x + 16 hex digits: on its label, or in `anjuctl status` after it joined"),
});

/** The fields a Zigbee device entry adds to the common id / room / name, for the catalogue's Zigbee models. */
export const zigbeeDeviceFields = (models: readonly [string, ...string[]]) => ({
  model: z.enum(models).describe('Zigbee device model: a folder under devices/ (heiman-hs1sa, heiman-hs1cg, ...) or the local profile folder with transport zigbee'),
  zigbee: ZigbeeAddressSchema.optional().describe('Reached through our own coordinator (the zigbee: section)'),
  z2m: Zigbee2MqttDeviceSchema.optional().describe('Reached through an existing Zigbee2MQTT (the zigbee2mqtt: section)'),
});

/** The fields for the shipped models. */
export const ZigbeeDeviceFields = zigbeeDeviceFields(zigbeeModelNames);

/** superRefine for a device entry built from ZigbeeDeviceFields: exactly one of zigbee / z2m. */
export function checkZigbeeDeviceSource(d: { zigbee?: unknown; z2m?: unknown }, ctx: z.RefinementCtx): void {
  if ((d.zigbee === undefined) === (d.z2m === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['zigbee'], ...rule('ANJU_CFG_ZIGBEE_SOURCE') });
  }
}

export const ZigbeeDeviceConfigSchema = z.strictObject(ZigbeeDeviceFields).superRefine(checkZigbeeDeviceSource);
export type ZigbeeDeviceConfig = z.output<typeof ZigbeeDeviceConfigSchema>;

const hexBytes = (n: number, example: string) =>
  z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${n * 2}}$`), rule('ANJU_CFG_HEX', { digits: n * 2, example }));

export const ZigbeeSettingsSchema = z.strictObject({
  serial: z.strictObject({
    path: z.string().min(1).describe('Serial port of the coordinator stick; use /dev/serial/by-id/... so it survives re-plugging'),
    adapter: z.enum(['zstack', 'ember', 'deconz', 'zigate']).describe('Coordinator firmware: zstack (TI CC2652/CC1352: Sonoff ZBDongle-P, SLZB-06), ember (Silicon Labs EFR32 with EmberZNet 7.4+: Sonoff ZBDongle-E, SkyConnect). deconz and zigate are passed to zigbee-herdsman untested'),
    baud_rate: z.number().int().positive().default(115_200).describe('Line speed (default 115200, what both zstack and ember sticks use out of the box)'),
    rtscts: z.boolean().default(false).describe('Hardware flow control; only for sticks wired for it'),
  }),
  channel: z.number().int().min(11).max(26).default(15)
    .describe('Zigbee channel, used when the network is first formed (default 15: between Wi-Fi channels 1 and 6). Changing it later has no effect (see network.json) and is reported as a conflict'),
  pan_id: z.number().int().min(1).max(0xfffe).optional().describe('PAN id when the network is first formed; default random'),
  extended_pan_id: hexBytes(8, '0xdddddddddddddddd').optional().describe('Extended PAN id when the network is first formed; default random'),
  // No network_key option on purpose: see network-settings.ts. The key is generated on first start
  // and kept in <state_dir>/zigbee/network.json (0600), never in the config.
  start_timeout_s: z.number().positive().default(60).describe('Give up one coordinator start after this, seconds (default 60; forming a new network can take ~20 s)'),
  retry_min_s: z.number().positive().default(5).describe('First retry after the stick failed to start or was lost, seconds; doubles per failure'),
  retry_max_s: z.number().positive().default(300).describe('Retry delay ceiling, seconds (default 300)'),
  permit_join_max_s: z.number().int().min(1).max(254).default(254).describe('Longest permit-join the CLI may open, seconds (254 is the Zigbee maximum for one request)'),
});

export type ZigbeeSettings = z.output<typeof ZigbeeSettingsSchema>;

/** The network options that come from the settings (everything but devices, callbacks, state dir and log). */
export function zigbeeNetworkSettings(s: ZigbeeSettings) {
  return {
    serialPort: { path: s.serial.path, adapter: s.serial.adapter, baudRate: s.serial.baud_rate, rtscts: s.serial.rtscts },
    channel: s.channel,
    panId: s.pan_id,
    extendedPanId: s.extended_pan_id ? [...Buffer.from(s.extended_pan_id.slice(2), 'hex')] : undefined,
    timing: { startTimeoutMs: s.start_timeout_s * 1000, retryMinMs: s.retry_min_s * 1000, retryMaxMs: s.retry_max_s * 1000, permitJoinMaxS: s.permit_join_max_s },
  };
}
