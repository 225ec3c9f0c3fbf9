import type { Entries } from './entry.js';

/**
 * Metric names (src/detectors/METRICS.md) as the walk test shows its evidence to a person: `{v}` is
 * the value. JSON keeps the metric=value form (src/cli/walktest-kinds.ts `evidence`).
 */
export const metricNames = {
  presence: { en: 'presence {v}', zh: '有人 {v}' },
  occupancy: { en: 'motion {v}', zh: '人体移动 {v}' },
  breathRatePerMin: { en: 'breathing {v}/min', zh: '呼吸 {v} 次/分' },
  heartRateBpm: { en: 'heart rate {v} bpm', zh: '心率 {v} 次/分' },
  skinContact: { en: 'skin contact {v}', zh: '贴肤 {v}' },
  spo2Percent: { en: 'SpO2 {v} %', zh: '血氧 {v} %' },
  smoke: { en: 'smoke {v}', zh: '烟雾 {v}' },
  gas: { en: 'gas {v}', zh: '燃气 {v}' },
  co: { en: 'CO {v}', zh: '一氧化碳 {v}' },
  gasLelPercent: { en: 'gas {v} %LEL', zh: '燃气 {v} %LEL' },
  coPpm: { en: 'CO {v} ppm', zh: '一氧化碳 {v} ppm' },
  contact: { en: 'contact {v}', zh: '门磁 {v}' },
} as const satisfies Entries;

/** Boolean values, as a person reads them. */
export const truthNames = {
  true: { en: 'yes', zh: '是' },
  false: { en: 'no', zh: '否' },
} as const satisfies Entries;
