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
  sos: { en: 'SOS pressed {v}', zh: '紧急按钮 {v}' },
  buttonAction: { en: 'button {v}', zh: '按键 {v}' },
} as const satisfies Entries;

/**
 * A link's state or problem as the daemon reports it (src/transports/*: BleLinkState, BleProblem,
 * BleAdapterState, a Modbus device's state, ZigbeeNetworkState and its problem, Zigbee2MqttState, the
 * link supervisor's problems), shown by walktest hints, `devices` and `diagnose`; JSON keeps the
 * code. An unknown code is shown as it came.
 */
export const linkStateNames = {
  'bus-unavailable': { en: 'bus-unavailable', zh: '无 D-Bus 系统总线' },
  'bluez-unavailable': { en: 'bluez-unavailable', zh: 'bluetoothd 未运行' },
  'adapter-missing': { en: 'adapter-missing', zh: '找不到蓝牙适配器' },
  'adapter-powered-off': { en: 'adapter-powered-off', zh: '蓝牙适配器已关闭' },
  'device-not-found': { en: 'device-not-found', zh: '找不到设备' },
  'connect-failed': { en: 'connect-failed', zh: '连接失败' },
  'gatt-failed': { en: 'gatt-failed', zh: 'GATT 服务读取失败' },
  timeout: { en: 'timeout', zh: '超时' },
  lost: { en: 'lost', zh: '连接中断' },
  idle: { en: 'idle', zh: '空闲' },
  connecting: { en: 'connecting', zh: '连接中' },
  connected: { en: 'connected', zh: '已连接' },
  retrying: { en: 'retrying', zh: '重试中' },
  stopped: { en: 'stopped', zh: '已停止' },
  ok: { en: 'ok', zh: '正常' },
  fault: { en: 'fault', zh: '故障' },
  unknown: { en: 'unknown', zh: '未知' },
  missing: { en: 'missing', zh: '不存在' },
  'powered-off': { en: 'powered-off', zh: '已关闭' },
  starting: { en: 'starting', zh: '启动中' },
  running: { en: 'running', zh: '运行中' },
  disconnected: { en: 'disconnected', zh: '已断开' },
  'adapter-unavailable': { en: 'adapter-unavailable', zh: '协调器不可用' },
  'adapter-lost': { en: 'adapter-lost', zh: '协调器丢失' },
  'state-unavailable': { en: 'state-unavailable', zh: '网络状态不可用' },
  'broker-unreachable': { en: 'broker-unreachable', zh: '无法连接代理服务器' },
  'open-failed': { en: 'open-failed', zh: '打开失败' },
  'password-file': { en: 'password-file', zh: '密码文件不可读' },
} as const satisfies Entries;

/** Boolean values, as a person reads them. */
export const truthNames = {
  true: { en: 'yes', zh: '是' },
  false: { en: 'no', zh: '否' },
} as const satisfies Entries;
