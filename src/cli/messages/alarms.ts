import type { Entries } from './entry.js';

/** Messages of anjuctl alarms list|ack and of short ids (src/cli/short-id.ts). */
export const alarmsMessages = {
  colId: { en: 'ID', zh: 'ID' },
  colSeq: { en: 'SEQ', zh: '序号' },
  seq: { en: 'seq {seq}', zh: '序号 {seq}' },
  classReport: { en: 'report', zh: '报告' },
  listSep: { en: ', ', zh: '，' },
  queueAlarm: { en: 'alarm {n}', zh: '报警 {n}' },
  queueEvent: { en: 'event {n}', zh: '事件 {n}' },
  queueReport: { en: 'report {n}', zh: '报告 {n}' },
  idTooShort: { en: '{what} {typed}: give at least {min} characters of the id', zh: '{what} {typed}：请至少输入 ID 的前 {min} 个字符' },
  idNone: { en: '{what} {typed}: no such id; known: {known}', zh: '{what} {typed}：没有此 ID；现有：{known}' },
  idAmbiguous: { en: '{what} {typed} is ambiguous; candidates:\n{candidates}\ntype more characters of the id', zh: '{what} {typed} 有歧义；候选：\n{candidates}\n请多输入几个字符' },
  whatAlarm: { en: 'alarm', zh: '报警' },
  whatDevice: { en: 'device', zh: '设备' },
  ackNeedOne: { en: 'give the alarm id (a unique prefix of at least 4 characters) or --device ID', zh: '请给出报警 ID（至少 4 个字符的唯一前缀）或 --device 设备ID' },
  ackNoneForDevice: { en: 'device {device} has no open alarm', zh: '设备 {device} 没有未关闭的报警' },
} as const satisfies Entries;
