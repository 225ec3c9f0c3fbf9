import { z } from 'zod';
import { absenceDefaults as D } from '../absence.js';
import { hhMmSchema, localTimeShape } from './local-time.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the absence detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const sec = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);

export const AbsenceSettingsSchema = z.strictObject({
  enabled: z.boolean().default(D.enabled),
  door_device: z.string().min(1).nullable().default(D.door_device).describe('Device id of the entrance door contact (contact: true = closed); null = absence detection off'),
  presence_devices: z.array(z.string().min(1)).max(64).default([]).describe('Devices whose presence/occupancy/motion mean someone is home; empty = every device'),
  mode_device: z.string().min(1).default(D.mode_device).describe('Virtual device whose homeMode reading (away/home) suspends or resumes absence alarms'),
  confirm_s: sec(D.confirm_s, 'No new presence for this long after the door closed means she left'),
  exit_grace_s: z.number().min(0).default(D.exit_grace_s).describe('Sensor hold time after the door closed: continued (not new) presence within it does not cancel leaving, seconds'),
  max_away_s: sec(D.max_away_s, 'Away longer than this raises alarm.absence'),
  curfew: hhMmSchema(D.curfew!, 'Away at or after this time raises alarm.absence').nullable(),
  curfew_end: hhMmSchema(D.curfew_end, 'End of the curfew window'),
  door_open_warn_s: sec(D.door_open_warn_s, 'Door open longer than this raises alarm.door_open'),
  ...localTimeShape,
}).refine((s) => s.exit_grace_s < s.confirm_s, { ...rule('ANJU_CFG_ABSENCE_GRACE'), path: ['exit_grace_s'] })
  .refine((s) => s.curfew === null || s.curfew !== s.curfew_end, { ...rule('ANJU_CFG_CURFEW_EMPTY'), path: ['curfew_end'] });

export type AbsenceSettings = z.output<typeof AbsenceSettingsSchema>;
