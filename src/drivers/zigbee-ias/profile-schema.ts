import { z } from 'zod';
import { parseZoneType } from './zone-types.js';

/**
 * The `zigbee` section of a devices/<model>/profile.json: what a model's messages mean. This is the
 * data that zigbee-herdsman-converters keeps in its device definitions (which alarm bit, which
 * cluster carries the state, how the battery is scaled), kept here as JSON so a new model is a new
 * folder, not new code.
 */

const metricName = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'a camelCase metric name (src/detectors/METRICS.md)');

const IasSchema = z.strictObject({
  /** Zone type the model reports (ZoneType attribute), "0x0028"; checked against what a joined device reports. */
  zoneType: z.string().refine((s) => parseZoneType(s) !== null, 'a zone type such as "0x0028"'),
  alarm: z.strictObject({
    /** Which bit means "alarm" on this model: the quirk of issue 5 (HS1CG alarm1, HS3CG alarm2). `either`: both. */
    bit: z.enum(['alarm1', 'alarm2', 'either']),
    metric: metricName,
    /** The metric's value while the bit is set (a contact switch: alarm1 set = open = contact false). */
    whenSet: z.boolean().default(true),
  }),
  /** Report the tamper bit (only models with a tamper switch; others leave it 0, which would be noise). */
  tamper: z.boolean().default(false),
  batteryLow: z.boolean().default(true),
  /** Report the test bit as `selfTest` (models with a test button). Never mapped to the alarm metric. */
  test: z.boolean().default(false),
});

const BinaryAttributeSchema = z.strictObject({
  metric: metricName,
  /** The metric's value when the attribute is 1 / true. */
  whenOn: z.boolean(),
});

export const ZigbeeProfileSchema = z.strictObject({
  /** genBasic modelId values this model is known to report (for a warning when a joined device differs). */
  modelIds: z.array(z.string().min(1)).min(1),
  manufacturerNames: z.array(z.string()).default([]),
  powerSource: z.enum(['battery', 'mains']),
  ias: IasSchema.nullable().default(null),
  /** genOnOff (0x0006) attribute onOff as a state (Aqara door contacts use it instead of IAS). */
  onOff: BinaryAttributeSchema.nullable().default(null),
  /** msOccupancySensing (0x0406) attribute occupancy, bit 0. */
  occupancy: BinaryAttributeSchema.nullable().default(null),
  battery: z.strictObject({
    /**
     * genPowerCfg batteryPercentageRemaining units per percent. ZCL says 0.5 % per unit (200 = 100 %);
     * some firmware sends whole percents (then 1).
     */
    percentPerUnit: z.number().positive().default(0.5),
    /** Also report batteryVoltage (100 mV units) as batteryVoltageMv. */
    voltage: z.boolean().default(false),
  }).nullable().default(null),
  /**
   * What to set up after the interview so the device checks in often enough to be supervised:
   * bind the clusters to the coordinator and configure attribute reporting (zigbee-herdsman-converters
   * does this in a definition's `configure`; herdsman alone does not). Devices that ignore reporting
   * configuration (Aqara) list nothing here and rely on their own heartbeat.
   */
  configure: z.strictObject({
    bind: z.array(z.string().min(1)).default([]),
    reporting: z.array(z.strictObject({
      // A closed list: what our models need, and what the herdsman adapter can type-check.
      cluster: z.literal('genPowerCfg'),
      attribute: z.enum(['batteryPercentageRemaining', 'batteryVoltage']),
      minIntervalS: z.number().int().min(0).max(0xfffe),
      maxIntervalS: z.number().int().min(1).max(0xfffe),
      reportableChange: z.number().int().min(0),
    })).default([]),
  }).prefault({}),
});

export type ZigbeeProfile = z.output<typeof ZigbeeProfileSchema>;

export const ZigbeeDeviceProfileSchema = z.object({
  model: z.string().min(1),
  transport: z.literal('zigbee'),
  /** The device-supervision class (src/detectors/device-supervision.ts `silence_timeout_s`). */
  supervisionClass: z.enum(['smoke', 'co', 'gas', 'water', 'contact', 'occupancy', 'default']),
  /** How often the device reports when nothing happens, seconds (README gives the source). */
  checkInIntervalS: z.number().int().positive(),
  zigbee: ZigbeeProfileSchema,
});

export type ZigbeeDeviceProfile = z.output<typeof ZigbeeDeviceProfileSchema>;

/** Validates a profile.json at import time: a broken device folder is a build/test failure, not a field surprise. */
export function loadZigbeeProfile(json: unknown): ZigbeeDeviceProfile {
  const r = ZigbeeDeviceProfileSchema.safeParse(json);
  if (!r.success) throw new Error(`invalid Zigbee device profile: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
