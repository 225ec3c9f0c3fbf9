import { z } from 'zod';
import { sleepReportDefaults as D } from '../sleep-report.js';
import { hhMmSchema, localTimeShape } from './local-time.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the sleep-report detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);

export const SleepReportSettingsSchema = z.strictObject({
  enabled: z.boolean().default(D.enabled),
  min_in_bed_s: seconds(D.min_in_bed_s, 'A night with less time in bed than this is not reported (a nap)'),
  end_after_out_s: seconds(D.end_after_out_s, 'Out of bed this long ends the night (at that exit) and sends the report'),
  min_out_of_bed_s: seconds(D.min_out_of_bed_s, 'Out of bed at least this long is an out-of-bed episode'),
  asleep_after_still_s: seconds(D.asleep_after_still_s, 'Without the radar\'s sleep stage: still in bed this long is sleep (from the start of the stillness)'),
  max_body_movement: z.number().min(0).max(100).default(D.max_body_movement).describe('bodyMovement (0-100) above this is movement, i.e. wake, for the fallback'),
  device_quiet_s: seconds(D.device_quiet_s, 'No reading from the radar this long: the time in bed after it is "no data"'),
  report_by: hhMmSchema(D.report_by!, 'A night still open at this time is reported then (bed-bound resident)').nullable(),
  ...localTimeShape,
}).refine((s) => s.end_after_out_s > s.min_out_of_bed_s, { ...rule('ANJU_CFG_SLEEP_END'), path: ['end_after_out_s'] });

export type SleepReportConfig = z.output<typeof SleepReportSettingsSchema>;
