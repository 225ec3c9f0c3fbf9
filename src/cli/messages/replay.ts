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
} as const satisfies Entries;
