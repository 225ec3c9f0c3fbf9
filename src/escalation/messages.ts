/**
 * What the contacts read (SMS) and what the home hears (prompt files), in Mandarin and English.
 * Pure: the daemon passes the home's name and the local time. The texts are listed in
 * docs/escalation.md; keep both in step.
 */

const NAMES: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  'alarm.apnea': ['呼吸暂停', 'breathing stopped'],
  'alarm.breathing_rate': ['呼吸异常', 'abnormal breathing'],
  'alarm.heart_rate': ['心率异常', 'abnormal heart rate'],
  'alarm.spo2': ['血氧过低', 'low blood oxygen'],
  'alarm.vital_signs_lost': ['生命体征消失', 'vital signs lost'],
  'alarm.smoke': ['火警（烟雾）', 'fire (smoke)'],
  'alarm.gas': ['燃气泄漏', 'gas leak'],
  'alarm.co': ['一氧化碳', 'carbon monoxide'],
  'alarm.sos': ['紧急呼叫按钮', 'SOS button pressed'],
  'alarm.inactivity': ['长时间无活动', 'no activity'],
  'alarm.absence': ['长时间未归', 'not home'],
  'alarm.night_wandering': ['夜间离床', 'night wandering'],
};

export const alarmNames = (type: string): readonly [string, string] => NAMES[type] ?? [type, type];

/** The SMS for a real alarm: what, where, when, and how to take it (a reply of 1). */
export function alarmSms(type: string, home: string, localTime: string): string {
  const [zh, en] = alarmNames(type);
  return `【安居】紧急：${home} ${zh}（${localTime}）。回复1表示您来处理。Anju ALERT: ${en} at ${home}, ${localTime}. Reply 1 if you are handling it.`;
}

/** The SMS of `anjuctl escalation test`. */
export function testSms(home: string): string {
  return `【安居】测试，无需处理。Anju test from ${home}: no action needed.`;
}

/** Which prompt the home hears for an alarm (files prompts/<name>.<lang>.wav). */
export function promptOf(type: string, test: boolean): 'test' | 'fire' | 'gas' | 'sos' | 'are-you-ok' {
  if (test) return 'test';
  if (type === 'alarm.smoke') return 'fire'; // a smoke detector in alarm is the fire alarm
  if (type === 'alarm.gas' || type === 'alarm.co') return 'gas';
  if (type === 'alarm.sos') return 'sos';
  return 'are-you-ok';
}

/** The spoken texts, as generated into prompts/ (scripts/make-prompts.sh) and listed in docs/escalation.md. */
export const PROMPT_TEXTS: Readonly<Record<ReturnType<typeof promptOf>, { zh: string; en: string }>> = {
  'are-you-ok': { zh: '你还好吗？如果没事，请按按钮。', en: 'Are you all right? Press the button if you are.' },
  fire: { zh: '火警：请立即离开房间。', en: 'Fire: leave the flat now.' },
  gas: { zh: '燃气泄漏：请开窗，不要开关电器，立即离开。', en: 'Gas leak: open the windows, do not touch switches, leave now.' },
  sos: { zh: '已收到求助，正在通知您的家人。按两下按钮取消。', en: 'Help is on the way: your family is being told. Press the button twice to cancel.' },
  test: { zh: '这是测试。', en: 'This is a test.' },
};
