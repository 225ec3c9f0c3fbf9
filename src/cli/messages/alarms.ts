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
  // anjuctl escalation test (issue 15)
  escTestStarted: { en: 'escalation test walk {id}: {rungs} steps (the home, then each contact; each receives "测试 / test")', zh: '报警升级测试 {id}：共 {rungs} 步（家中声光，然后逐一联系人；每人收到"测试 / test"）' },
  escStepSound: { en: 'sound and prompt in the home', zh: '家中警报器与语音提示' },
  escStepSms: { en: 'SMS to {contact} ({phone})', zh: '短信给 {contact}（{phone}）' },
  escStepCall: { en: 'call {contact} ({phone})', zh: '呼叫 {contact}（{phone}）' },
  escResultOk: { en: 'ok', zh: '成功' },
  // The home step's parts (hub.escalation_sounded data.siren / data.prompt: ok, failed or none).
  escSoundLine: { en: '{step}: {result} (siren {siren}, prompt {prompt})', zh: '{step}：{result}（警报器：{siren}，语音提示：{prompt}）' },
  escPartOk: { en: 'ok', zh: '成功' },
  escPartFailed: { en: 'failed', zh: '失败' },
  escPartNone: { en: 'none', zh: '无' },
  escResultFailed: { en: 'FAILED: {code} {detail}', zh: '失败：{code} {detail}' },
  escDone: { en: 'escalation test walk finished: {ok} of {n} steps ok', zh: '报警升级测试完成：{n} 步中 {ok} 步成功' },
} as const satisfies Entries;
