import { z } from 'zod';
import { vitalSignsLostDefaults, type VitalSignsLostSettings } from '../vital-signs-lost.js';

/**
 * The settings schema of the vital-signs-lost detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);
const d = vitalSignsLostDefaults;

export const VitalSignsLostSettingsSchema = z.strictObject({
  enabled: z.boolean().default(d.enabled),
  lost_after_s: seconds(d.lost_after_s, 'In bed with no breath and no heart reading this long raises the alarm'),
  severity: z.enum(['critical', 'warning', 'info']).default(d.severity),
  device_quiet_s: seconds(d.device_quiet_s, 'No reading at all from the radar this long suspends the detector'),
  max_body_movement: z.number().min(0).max(100).default(d.max_body_movement).describe('bodyMovement (0-100) above this is movement: a sign of life, restarts the timer'),
  motion_settle_s: z.number().min(0).default(d.motion_settle_s).describe('The timer restarts this long after movement ends, seconds'),
  max_distance_cm: z.number().positive().default(d.max_distance_cm).describe('Person further than this from the radar: suspended, cm'),
  assume_in_bed_without_bed_state: z.boolean().default(d.assume_in_bed_without_bed_state).describe('A radar without bed state (MR60BHA2) counts a present person as in bed'),
}) satisfies z.ZodType<VitalSignsLostSettings>;
