import type { Config } from '../config/schema.js';
import { breathingRateDetector } from '../detectors/breathing-rate.js';
import type { DetectorBinding } from './ingest.js';

/**
 * Which detectors run, with which settings: the one place where detectors meet the config.
 * Adding a detector: its settings schema in src/config/schema.ts (`detectors.<name>`) and one
 * binding here.
 */
export function detectorBindings(config: Readonly<Config>): DetectorBinding[] {
  const d = config.detectors;
  return [
    { detector: breathingRateDetector, settings: () => d.breathing_rate },
  ];
}
