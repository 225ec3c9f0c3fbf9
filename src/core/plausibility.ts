import type { MeasurementValue } from './reading.js';

/**
 * What a number of each metric can physically or physiologically be, applied once, where every
 * source's measurements enter the pipeline (src/daemon/ingest.ts), so no driver, transport or
 * detector has to remember it (issue 12, finding 11: an MR60BHA2 breathing rate of 3e38 /min raised
 * a critical alarm). A reading outside its range is dropped before the store and the detectors, and
 * counted per device (`implausible`). The table with its reasons is in src/detectors/METRICS.md
 * ("Plausibility bounds"); tests/unit/core/plausibility.test.ts keeps the two equal, and checks
 * every device fixture against it.
 *
 * The bounds are wide on purpose: they separate "a measurement" from "a broken line, sensor or
 * decoder", not healthy from ill (that is the detectors' work, with their own artefact gates such
 * as heart_rate.plausible_max_bpm). For hazards (CO, combustible gas) the bound is the physical one:
 * a reading above a sensor's measuring range may be a real leak beyond it, and must still alarm.
 * A metric not in the table must be a finite number; booleans and strings are not checked here.
 */
export interface PlausibleRange {
  readonly min: number;
  /** Infinity: no upper bound (a count), but still finite. */
  readonly max: number;
  readonly unit: string;
}

const range = (metrics: readonly string[], min: number, max: number, unit: string): Array<[string, PlausibleRange]> =>
  metrics.map((m) => [m, Object.freeze({ min, max, unit })]);

export const PLAUSIBLE_RANGES: ReadonlyMap<string, PlausibleRange> = new Map([
  // Vital signs.
  ...range(['breathRatePerMin', 'composite10mAvgBreathPerMin', 'nightAvgBreathPerMin'], 0, 100, '1/min'),
  ...range(['heartRateBpm', 'pulseRateBpm', 'pulseRateFastBpm', 'pulseRateSlowBpm', 'composite10mAvgHeartBpm', 'nightAvgHeartBpm'], 0, 300, 'bpm'),
  ...range(['rrIntervalMs'], 0, 10_000, 'ms'),
  ...range(['spo2Percent', 'spo2FastPercent', 'spo2SlowPercent', 'pulseAmplitudeIndexPercent'], 0, 100, '%'),
  ...range(['energyExpendedKj'], 0, 65_535, 'kJ'),
  // Hazards: the physical limit, 100 % by volume.
  ...range(['coPpm'], 0, 1_000_000, 'ppm'),
  ...range(['gasLelPercent'], 0, 7_143, '%LEL'),
  // Scales and shares.
  ...range(['batteryPercent', 'bodyMovement', 'sleepScore', 'nightSleepScore', 'movingEnergy', 'stillEnergy'], 0, 100, '0-100'),
  ...range(['composite10mLargeMovementPct', 'composite10mSmallMovementPct', 'nightAwakePct', 'nightLightPct', 'nightDeepPct'], 0, 100, '%'),
  ...range(['linkQuality'], 0, 255, 'LQI'),
  // Radar geometry and sleep statistics.
  ...range(['distanceCm', 'movingDistanceCm', 'stillDistanceCm', 'detectionDistanceCm'], 0, 2_000, 'cm'),
  ...range(['sleepAwakeMin', 'sleepLightMin', 'sleepDeepMin', 'nightTotalSleepMin', 'nightOutOfBedMin'], 0, 1_440, 'min'),
  ...range(['composite10mTurnovers', 'composite10mApneaCount', 'nightOutOfBedCount', 'nightTurnovers', 'nightApneaCount'], 0, Infinity, 'count'),
]);

/** The bound of a metric without an entry: any finite number. */
export const FINITE: PlausibleRange = Object.freeze({ min: -Infinity, max: Infinity, unit: '' });

/** null when `value` is plausible for `metric`; otherwise the range it is outside of. */
export function implausible(metric: string, value: MeasurementValue): PlausibleRange | null {
  if (typeof value !== 'number') return null;
  const r = PLAUSIBLE_RANGES.get(metric) ?? FINITE;
  return Number.isFinite(value) && value >= r.min && value <= r.max ? null : r;
}
