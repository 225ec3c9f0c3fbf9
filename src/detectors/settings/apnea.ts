import { z } from 'zod';
import { apneaDefaults, type ApneaSettings } from '../apnea.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the apnea detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);
const d = apneaDefaults;

export const ApneaSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(d.enabled),
    min_pause_s: seconds(d.min_pause_s, 'A breathing cessation at least this long is an apnea (AASM: 10)'),
    alarm_after_s: seconds(d.alarm_after_s, 'A cessation this long raises alarm.apnea'),
    severity: z.enum(['critical', 'warning', 'info']).default(d.severity),
    silence_max_interval_s: seconds(d.silence_max_interval_s, 'Missing breathing readings count as cessation only for a radar that reports them, and heart rates during the silence, at least this often'),
    device_quiet_s: seconds(d.device_quiet_s, 'No reading at all from the radar this long suspends the detector'),
    max_body_movement: z.number().min(0).max(100).default(d.max_body_movement).describe('bodyMovement (0-100) above this is movement and suspends the detector'),
    motion_settle_s: z.number().min(0).default(d.motion_settle_s).describe('Movement keeps the detector suspended this long after it ends, seconds'),
    max_distance_cm: z.number().positive().default(d.max_distance_cm).describe('Person further than this from the radar: suspended, cm'),
    assume_in_bed_without_bed_state: z.boolean().default(d.assume_in_bed_without_bed_state).describe('A radar without bed state (MR60BHA2) counts a present person as in bed'),
    new_night_after_s: seconds(d.new_night_after_s, 'In bed again after this long out of it starts a new night for the apnea index'),
  })
  .refine((s) => s.alarm_after_s >= s.min_pause_s, { ...rule('ANJU_CFG_APNEA_ORDER'), path: ['alarm_after_s'] }) satisfies z.ZodType<ApneaSettings>;
