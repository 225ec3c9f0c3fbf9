import type { Entries } from './entry.js';

/**
 * What a person reads for an event type (docs/uplink.md §5): `alarm.breathing_rate` is 呼吸频率异常
 * on a Chinese screen. Keyed by the type itself; JSON output keeps the type. A type missing here is
 * shown raw, and tests/unit/cli/catalogue.test.ts fails for every type in docs/uplink.md §5 without
 * a name.
 */
export const eventTypeNames = {
  'alarm.breathing_rate': { en: 'Abnormal breathing rate', zh: '呼吸频率异常' },
  'alarm.apnea': { en: 'Breathing pause', zh: '呼吸暂停' },
  'alarm.heart_rate': { en: 'Abnormal heart rate', zh: '心率异常' },
  'alarm.vital_signs_lost': { en: 'Vital signs lost', zh: '生命体征消失' },
  'alarm.spo2': { en: 'Low blood oxygen', zh: '血氧过低' },
  'alarm.smoke': { en: 'Smoke', zh: '烟雾报警' },
  'alarm.co': { en: 'Carbon monoxide', zh: '一氧化碳报警' },
  'alarm.gas': { en: 'Combustible gas', zh: '燃气泄漏报警' },
  'alarm.absence': { en: 'Away too long', zh: '外出未归' },
  'alarm.door_open': { en: 'Door left open', zh: '门未关' },
  'alarm.inactivity': { en: 'No activity', zh: '长时间无活动' },
  'alarm.inactivity_window': { en: 'No activity in the expected window', zh: '规定时段内无活动' },
  'alarm.night_wandering': { en: 'Out of bed at night', zh: '夜间离床' },
  'report.sleep': { en: 'Sleep report', zh: '睡眠报告' },
  'device.offline': { en: 'Device offline', zh: '设备离线' },
  'device.link_fault': { en: 'Device link fault', zh: '设备链路故障' },
  'device.battery_low': { en: 'Battery low', zh: '电量低' },
  'device.tamper': { en: 'Device tampered with', zh: '设备被拆动' },
  'device.fault': { en: 'Device fault', zh: '设备故障' },
  'hub.alarm_reminder': { en: 'Alarm reminder', zh: '报警提醒' },
  'hub.alarm_acknowledged': { en: 'Alarm acknowledged', zh: '报警已确认' },
  'hub.storage_full': { en: 'Storage quota full', zh: '存储配额已满' },
  'hub.disk_full': { en: 'Disk full', zh: '磁盘已满' },
  'hub.storage_reset': { en: 'Storage reset', zh: '存储已重建' },
  'hub.config_applied': { en: 'Config applied', zh: '配置已生效' },
  'hub.config_rolled_back': { en: 'Config rolled back', zh: '配置已回滚' },
  'hub.upgraded': { en: 'Upgraded', zh: '已升级' },
  'hub.upgrade_rolled_back': { en: 'Upgrade rolled back', zh: '升级已回滚' },
  'hub.test': { en: 'Uplink test', zh: '上行测试' },
  'hub.modem_status': { en: 'Modem status', zh: '蜂窝模块状态' },
  'alarm.sos': { en: 'SOS button', zh: '紧急呼叫按钮' },
  'hub.escalation_started': { en: 'Escalation started', zh: '报警升级开始' },
  'hub.escalation_step': { en: 'Escalation step', zh: '报警升级步骤' },
  'hub.escalation_sounded': { en: 'Siren and prompt in the home', zh: '家中声光与语音提示' },
  'hub.escalation_sms_sent': { en: 'SMS sent', zh: '短信已发送' },
  'hub.escalation_sms_failed': { en: 'SMS failed', zh: '短信发送失败' },
  'hub.escalation_call_made': { en: 'Call made', zh: '已拨打电话' },
  'hub.escalation_call_failed': { en: 'Call failed', zh: '电话拨打失败' },
  'hub.escalation_stopped': { en: 'Escalation stopped', zh: '报警升级结束' },
  'hub.update_accepted': { en: 'Update accepted', zh: '升级已受理' },
  'hub.update_progress': { en: 'Update downloading', zh: '升级下载中' },
  'hub.update_verified': { en: 'Update verified', zh: '升级包已校验' },
  'hub.update_installing': { en: 'Update installing', zh: '升级安装中' },
  'hub.update_installed': { en: 'Update installed', zh: '升级已安装' },
  'hub.update_failed': { en: 'Update failed', zh: '升级失败' },
} as const satisfies Entries;

/** Event severities as a person reads them. */
export const severityNames = {
  critical: { en: 'critical', zh: '危急' },
  warning: { en: 'warning', zh: '警告' },
  info: { en: 'info', zh: '提示' },
} as const satisfies Entries;

/** Event states (raised, cleared, info) as a person reads them. */
export const eventStateNames = {
  raised: { en: 'raised', zh: '触发' },
  cleared: { en: 'cleared', zh: '解除' },
  info: { en: 'info', zh: '信息' },
} as const satisfies Entries;
