import type { Entries } from './entry.js';

/** Messages of anjuctl report night (issue 18): one entry per message, English and Chinese side by side. */
export const reportMessages = {
  rnNoReports: { en: 'no sleep report stored yet{device}: the first comes about an hour after the resident gets up', zh: '尚无睡眠报告{device}：第一份报告在住户起床约一小时后生成' },
  rnNoNight: { en: 'no sleep report for the night of {date}{device}; nights stored: {dates}', zh: '没有 {date} 晚的睡眠报告{device}；已存的夜晚：{dates}' },
  rnBadDate: { en: '--date: expected YYYY-MM-DD, found {value}', zh: '--date：应为 YYYY-MM-DD，实际为 {value}' },
  rnTitle: { en: 'Night of {date} · {device} (report #{seq})', zh: '{date} 晚 · {device}（报告 #{seq}）' },
  rnInBed: { en: 'in bed {start} - {end}: {tib}, asleep {tst} ({eff})', zh: '在床 {start} - {end}：{tib}，睡眠 {tst}（{eff}）' },
  rnApneaIndex: { en: 'breathing pauses (radar): {events} in {hours} h monitored, {perHour}/h ({band})', zh: '呼吸暂停（雷达）：监测 {hours} 小时内 {events} 次，每小时 {perHour} 次（{band}）' },
  rnApneaIndexNone: { en: 'breathing pauses (radar): not monitored', zh: '呼吸暂停（雷达）：未监测' },
  rnScreening: { en: 'heart-rate screening: {apnea} of {analysed} analysed minutes look like apnea, class {cls}', zh: '心率筛查：已分析 {analysed} 分钟中 {apnea} 分钟疑似呼吸暂停，类别 {cls}' },
  rnScreeningNone: { en: 'heart-rate screening: too little heart-rate signal ({analysed} minutes analysed)', zh: '心率筛查：心率信号不足（仅分析 {analysed} 分钟）' },
  rnRisk: { en: 'SLEEP-APNEA RISK: {risk} (confidence {confidence}; from {used})', zh: '睡眠呼吸暂停风险：{risk}（可信度 {confidence}；依据 {used}）' },
  rnRiskUnknown: { en: 'SLEEP-APNEA RISK: unknown (no channel had enough signal this night)', zh: '睡眠呼吸暂停风险：未知（本晚没有足够信号的通道）' },
  rnRiskNone: { en: 'SLEEP-APNEA RISK: not in this report (made before the upgrade)', zh: '睡眠呼吸暂停风险：本报告中没有（升级前生成）' },
  rnRiskAdvice: { en: 'A screening aid, not a diagnosis: "likely" means the resident should have a sleep study.', zh: '仅为筛查辅助，不是诊断：“很可能”表示住户应做睡眠检查。' },
  rnTrend: { en: 'Last {n} night(s), oldest first (L low, P possible, K likely, ? unknown, - not in report): {line}', zh: '最近 {n} 晚，由早到晚（L 低，P 可能，K 很可能，? 未知，- 报告中无）：{line}' },
  rnTrendCounts: { en: 'low {low}, possible {possible}, likely {likely}, unknown {unknown}; at risk on {share} of the nights with a known risk', zh: '低 {low}，可能 {possible}，很可能 {likely}，未知 {unknown}；在风险已知的夜晚中有 {share} 存在风险' },
  rnLow: { en: 'low', zh: '低' },
  rnPossible: { en: 'possible', zh: '可能' },
  rnLikely: { en: 'LIKELY', zh: '很可能' },
  rnConfHigh: { en: 'high', zh: '高' },
  rnConfModerate: { en: 'moderate', zh: '中' },
  rnConfLow: { en: 'low', zh: '低' },
  rnChApneaIndex: { en: 'radar apnea index', zh: '雷达呼吸暂停指数' },
  rnChOdi: { en: 'oximeter ODI', zh: '血氧仪氧减指数' },
  rnChHr: { en: 'heart-rate screening', zh: '心率筛查' },
} as const satisfies Entries;
