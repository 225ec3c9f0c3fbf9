import { z } from 'zod';
import { spo2Defaults, type Spo2Settings } from '../spo2.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the spo2 detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds`);
const d = spo2Defaults;

export const Spo2SettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(d.enabled),
    critical_at_or_below_percent: z.number().min(50).max(100).default(d.critical_at_or_below_percent).describe('SpO2 at or below this, sustained, raises alarm.spo2 (NEWS2 scale 1: 91; scale 2: 83), percent'),
    severity: z.enum(['critical', 'warning', 'info']).default(d.severity),
    sustain_s: seconds(d.sustain_s, 'At or below the limit this long raises the alarm'),
    clear_after_s: z.number().min(0).default(d.clear_after_s).describe('Above the limit this long clears the alarm, seconds'),
    max_gap_s: seconds(d.max_gap_s, 'Valid readings further apart than this restart the timers and discard a desaturation in progress'),
    desaturation_drop_percent: z.number().positive().max(20).default(d.desaturation_drop_percent).describe('A drop this far below the baseline is a desaturation (AASM: 3), percentage points'),
    desaturation_min_s: seconds(d.desaturation_min_s, 'A desaturation must last this long (AASM: 10)'),
    baseline_window_s: z.number().min(30).max(600).default(d.baseline_window_s).describe('The baseline is the highest 10 s mean of this window, seconds'),
    plausible_min_percent: z.number().min(0).max(100).default(d.plausible_min_percent).describe('Readings below this are artefacts, percent'),
    new_night_after_s: seconds(d.new_night_after_s, 'Valid oximetry again after this long without starts a new night for the ODI'),
  })
  .refine((s) => s.plausible_min_percent < s.critical_at_or_below_percent, { ...rule('ANJU_CFG_SPO2_ORDER'), path: ['plausible_min_percent'] }) satisfies z.ZodType<Spo2Settings>;
