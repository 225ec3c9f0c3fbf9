import type { Entries } from './entry.js';

/** Messages of anjuctl replay and screen-apnea (the offline tools). */
export const replayMessages = {
  rpCannotRead: { en: '{file}: cannot read: {error}', zh: '{file}：无法读取：{error}' },
  rpSkipped: { en: '{file}:{line}: skipped: {why}', zh: '{file}:{line}：已跳过：{why}' },
  rpCannotReadFurther: { en: '{file}:{line}: cannot read further: {error}', zh: '{file}:{line}：无法继续读取：{error}' },
  rpMalformed: { en: '{file}: {n} malformed line(s) skipped: {lines}', zh: '{file}：跳过 {n} 行格式错误：{lines}' },
  rpLinesOne: { en: 'line {list}', zh: '第 {list} 行' },
  rpLinesMany: { en: 'lines {list}', zh: '第 {list} 行' },
  rpMore: { en: '... ({n} more)', zh: '……（另有 {n} 行）' },
  rpSummary: { en: '{file}: replayed {readings} reading(s), {span}: {events} event(s)', zh: '{file}：已回放 {readings} 个读数，{span}：{events} 个事件' },
  rpSpan: { en: '{from} to {to}', zh: '{from} 至 {to}' },
  rpNothing: { en: 'nothing', zh: '无数据' },
  rpFailed: { en: '{file}: replay failed: {error}', zh: '{file}：回放失败：{error}' },
  rpSpeedBoth: { en: 'anjuctl replay: give --speed or --as-fast-as-possible, not both', zh: 'anjuctl replay：--speed 和 --as-fast-as-possible 只能给一个' },
  rpSpeedBad: { en: 'anjuctl replay: --speed must be a positive number, got {value}', zh: 'anjuctl replay：--speed 应为正数，实际为 {value}' },
  rpBuiltIn: { en: 'built-in config', zh: '内置配置' },
  rpBeforePrevious: { en: '"ts" {ts} is before the previous line\'s ({previous})', zh: '"ts" {ts} 早于上一行（{previous}）' },
  saNotGzip: { en: '{file}: not a valid gzip file: {error}', zh: '{file}：不是有效的 gzip 文件：{error}' },
  saSkippedRows: { en: '{file}: skipped {n} malformed row(s) (expected "t_s,hr_bpm"): {lines}', zh: '{file}：跳过 {n} 行格式错误（应为 "t_s,hr_bpm"）：{lines}' },
  saNoBeat: { en: '{file}: no beat at or after t_s = 0; nothing to screen', zh: '{file}：没有 t_s >= 0 的心搏，无法筛查' },
  saIgnored: { en: '{file}: ignored {n} beat(s) before t_s = 0 or after 24 h', zh: '{file}：忽略 {n} 个 t_s = 0 之前或 24 小时之后的心搏' },
  saVerbose: { en: '{file}: {minutes} minutes ({analysed} analysed, {rejected} rejected), {beats} beats ({beatsRejected} rejected as artefact), {apnea} apnea minutes, class {cls}', zh: '{file}：{minutes} 分钟（已分析 {analysed}，剔除 {rejected}），{beats} 次心搏（{beatsRejected} 次作为伪迹剔除），{apnea} 分钟疑似呼吸暂停，类别 {cls}' },
  saFailed: { en: '{file}: screening failed: {error}', zh: '{file}：筛查失败：{error}' },
  saUnusable: { en: '{where}: {message}', zh: '{where}：{message}' },
} as const satisfies Entries;
