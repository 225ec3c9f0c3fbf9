/** Heart-rate-based apnea screening (cyclic variation of heart rate). See README.md. */
export { hrApneaDefaults, type HrApneaSettings } from './settings.js';
export { FEATURE_NAMES, type MinuteFeatures } from './minute-features.js';
export type { MinuteResult } from './minute-classifier.js';
export {
  classifyNight,
  createHrApneaState,
  finishNight,
  HR_APNEA_STATE_VERSION,
  isCurrentHrApneaState,
  pushBeat,
  pushHeartRateReading,
  rebaseHrApneaState,
  resolveHrApneaSettings,
  screenSeries,
  summarise,
  type Beat,
  type HrApneaState,
  type NightClass,
  type NightSummary,
  type SeriesResult,
} from './screener.js';
export { NIGHT_PERCENTILES, nightClassOf, nightTerms, secondStageInputs, secondStageScores, SPREAD_FLOOR, storedScore, type NightTerms } from './night-stage.js';
export { judgeParse, parseHrCsv, type ParsedSeries, type ParseProblem } from './parse-hr-csv.js';
