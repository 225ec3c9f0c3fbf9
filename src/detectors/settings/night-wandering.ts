import { z } from 'zod';
import { nightWanderingDefaults as D } from '../night-wandering.js';
import { hhMmSchema, localTimeShape } from './local-time.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the night-wandering detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

export const NightWanderingSettingsSchema = z.strictObject({
  enabled: z.boolean().default(D.enabled),
  night_start: hhMmSchema(D.night_start, 'Start of the night window'),
  night_end: hhMmSchema(D.night_end, 'End of the night window'),
  max_out_of_bed_s: z.number().positive().default(D.max_out_of_bed_s).describe('Out of bed at night longer than this raises alarm.night_wandering, seconds'),
  severity: z.enum(['critical', 'warning', 'info']).default(D.severity),
  absent_is_out_of_bed: z.boolean().default(D.absent_is_out_of_bed).describe('The bed radar saying presence: false means out of bed'),
  ...localTimeShape,
}).refine((s) => s.night_start !== s.night_end, { ...rule('ANJU_CFG_NIGHT_EMPTY'), path: ['night_end'] });

export type NightWanderingSettings = z.output<typeof NightWanderingSettingsSchema>;
