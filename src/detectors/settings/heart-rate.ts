import { z } from 'zod';
import { heartRateDefaults, type HeartRateSettings } from '../heart-rate.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the heart-rate detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);
const bpm = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, bpm`);
const d = heartRateDefaults;

export const HeartRateSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(d.enabled),
    critical_low_bpm: bpm(d.critical_low_bpm, 'At or below: critical (NEWS2: 40)'),
    warning_low_bpm: bpm(d.warning_low_bpm, 'At or below: warning (NEWS2: 50); equal to critical_low_bpm for none'),
    warning_high_bpm: bpm(d.warning_high_bpm, 'At or above: warning (NEWS2: 111); equal to critical_high_bpm for none'),
    critical_high_bpm: bpm(d.critical_high_bpm, 'At or above: critical (NEWS2: 131)'),
    sustain_s: seconds(d.sustain_s, 'Out of band this long raises the alarm (and escalates it to critical)'),
    clear_after_s: z.number().min(0).default(d.clear_after_s).describe('Back in the normal band this long clears the alarm, seconds'),
    max_gap_s: seconds(d.max_gap_s, 'Accepted readings further apart than this restart the sustain and clear timers'),
    plausible_min_bpm: bpm(d.plausible_min_bpm, 'Readings below this are artefacts'),
    plausible_max_bpm: bpm(d.plausible_max_bpm, 'Readings above this are artefacts'),
    max_body_movement: z.number().min(0).max(100).default(d.max_body_movement).describe('Radar bodyMovement (0-100) above this is movement: heart rates are ignored'),
    motion_settle_s: z.number().min(0).default(d.motion_settle_s).describe('Heart rates stay ignored this long after movement ends, seconds'),
  })
  .refine((s) => s.critical_low_bpm <= s.warning_low_bpm && s.warning_low_bpm < s.warning_high_bpm && s.warning_high_bpm <= s.critical_high_bpm, {
    ...rule('ANJU_CFG_HR_BANDS'),
    path: ['warning_low_bpm'],
  })
  .refine((s) => s.plausible_min_bpm < s.plausible_max_bpm, { ...rule('ANJU_CFG_HR_PLAUSIBLE'), path: ['plausible_min_bpm'] }) satisfies z.ZodType<HeartRateSettings>;
