import { z } from 'zod';
import { HH_MM, isValidTimeZone } from '../local-time.js';
import { rule } from '../../core/config-rules.js';

/**
 * Zod building blocks shared by the detectors' settings schemas (local times, time zone). Kept out
 * of src/detectors/local-time.ts so that the daemon, which receives its config already validated
 * (see src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

export const hhMmSchema = (def: string, what: string) =>
  z.string().regex(HH_MM, rule('ANJU_CFG_LOCAL_TIME')).default(def).describe(`${what}, local time HH:MM`);

/** Keys for `LocalTimeSettings`. Warning: with neither set, local time is UTC (offset 0). */
export const localTimeShape = {
  timezone: z.string().refine(isValidTimeZone, rule('ANJU_CFG_TIME_ZONE')).nullable().default(null)
    .describe('IANA time zone for curfews, windows and night (wins over timezone_offset_min; follows daylight-saving time)'),
  timezone_offset_min: z.number().int().min(-720).max(840).default(0)
    .describe('Local time offset east of UTC, minutes (e.g. 480 for China), used when timezone is null; default 0 = UTC'),
};
