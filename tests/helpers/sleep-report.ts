/**
 * A night's report.sleep data as the detector makes it (captured from tests/integration/report-class.test.ts's
 * first night), for tests that commit reports without living through a night.
 */
export const SLEEP_DATA = {
  startTs: 1795974884243, endTs: 1795974891253, timeInBedS: 7, sleepOnsetTs: null, sleepOnsetLatencyS: null, totalSleepS: 0, wakeAfterSleepOnsetS: null,
  sleepEfficiencyPct: 0, deepSleepS: 0, lightSleepS: 0, outOfBed: { count: 0, totalS: 0 }, avgHeartRateAsleepBpm: null, avgBreathRateAsleepPerMin: null,
  scoredBy: { sleepStateS: 0, movementS: 0, unscoredS: 7, noDataS: 0 }, endedBy: 'out_of_bed',
  apnea: { events: 0, monitoredS: 7, perHour: 0, band: 'normal', longestEventS: 0 },
  hrApneaScreening: { cls: null, apneaMinutes: 0, minutesAnalysed: 0, minutesRejected: 0, startMinuteTs: 1795974840000, minutes: '' }, module: null,
};
