import { z } from 'zod';
import { fireGasDefaults, type ConcentrationThresholds } from '../fire-gas.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the fire-gas detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const thresholds = (d: ConcentrationThresholds, unit: string) =>
  z.strictObject({
    raise_at: z.number().positive().default(d.raise_at).describe(`Raise at or above this concentration, ${unit}`),
    clear_at: z.number().min(0).default(d.clear_at).describe(`Clear at or below this concentration (below raise_at), ${unit}`),
  }).refine((t) => t.clear_at < t.raise_at, { ...rule('ANJU_CFG_FIRE_GAS_ORDER'), path: ['clear_at'] }).prefault({});

export const FireGasSettingsSchema = z.strictObject({
  enabled: z.boolean().default(fireGasDefaults.enabled),
  co_ppm: thresholds(fireGasDefaults.co_ppm, 'ppm CO (EN 50291-1: 50 must alarm, 30 must not)'),
  gas_lel_percent: thresholds(fireGasDefaults.gas_lel_percent, '% LEL (10 % LEL is the common first alarm level)'),
});

export type FireGasSettings = z.output<typeof FireGasSettingsSchema>;
