import type { RuleCode } from '../../core/config-rules.js';
import { CONFIG_RULES } from '../../core/config-rules.js';
import type { Entry, Lang } from './entry.js';

/**
 * The config schema's rules (src/core/config-rules.ts) in every language, by stable code: a rule
 * added there without its translation here does not compile. English is the rule's own text, so
 * `anjuctl` in English prints exactly what anjud logs. Config keys, values and units stay as written.
 */
const zh = {
  ANJU_CFG_HUB_ID: '网关 ID：1-64 个字符，只能用 A-Z a-z 0-9 _ -（它用在 MQTT 主题中）',
  ANJU_CFG_DEVICE_ID: '设备 ID：1-64 个字符，只能用 A-Z a-z 0-9 _ -（它用在 MQTT 主题中）',
  ANJU_CFG_BUS_ID: '总线 ID：1-64 个字符，只能用 A-Z a-z 0-9 _ -（它用在日志和状态中）',
  ANJU_CFG_PASSWORD_TWICE: 'password 和 password_file 只能填一个',
  ANJU_CFG_RECONNECT_ORDER: 'reconnect_min_s 不能大于 reconnect_max_s',
  ANJU_CFG_PLAIN_BROKER: '到 {host} 的 {protocol}:// 是明文连接，没有加密：请改用 mqtts://（或 wss://），或设置 uplink.insecure: true',
  ANJU_CFG_BROKER_URL: 'MQTT 地址，例如 {example}，要求：{problem}',
  ANJU_CFG_URL_SPACES: '不能有空格、控制字符或反斜杠',
  ANJU_CFG_URL_SCHEME_HOST: '协议和主机（scheme://host）',
  ANJU_CFG_URL_SCHEME: '协议为 mqtt、mqtts、ws 或 wss（实际为 {scheme}）',
  ANJU_CFG_URL_QUERY: '不能带查询参数（?...）：MQTT 客户端会从中读取选项',
  ANJU_CFG_URL_FRAGMENT: '不能带片段（#...）',
  ANJU_CFG_URL_USERINFO: '不能带用户信息（user:password@）：凭据请写在 username 和 password_file 中',
  ANJU_CFG_URL_HOST_PORT: '有效的主机和 1 到 65535 之间的端口',
  ANJU_CFG_URL_HOST: '主机名或 IP 地址（字母、数字、. - _，或 [IPv6]）',
  ANJU_CFG_URL_PORT: '1 到 65535 之间的端口',
  ANJU_CFG_URL_PATH: '主机后面不能有路径（{protocol}:// 没有路径）',
  ANJU_CFG_BREATHING_BAND: 'low_per_min 必须小于 high_per_min',
  ANJU_CFG_SIREN_DEVICE: 'devices: 中没有 ID 为 "{id}" 的设备（警报器必须是其中之一）',
  ANJU_CFG_ZIGBEE_SECTION: 'zigbee: 设备需要顶层的 zigbee: 配置段（协调器棒）',
  ANJU_CFG_Z2M_SECTION: 'z2m: 设备需要顶层的 zigbee2mqtt: 配置段（它的代理服务器）',
  ANJU_CFG_ZIGBEE_SOURCE: 'zigbee: { ieee }（本机协调器）和 z2m: { friendly_name }（Zigbee2MQTT）必须且只能填一个',
  ANJU_CFG_IEEE: 'IEEE 地址，例如 0x00158d0001a2b3c4',
  ANJU_CFG_HEX: '0x 加 {digits} 位十六进制数字，例如 {example}',
  ANJU_CFG_MQTT_WILDCARD: '不能含 MQTT 通配符（+、#）',
  ANJU_CFG_TRAILING_SLASH: '末尾不能有 /',
  ANJU_CFG_EDGE_SLASH: '开头和末尾都不能有 /',
  ANJU_CFG_Z2M_SUBTOPIC: '不能是 Zigbee2MQTT 的子主题（bridge/...、.../availability、.../set、.../get）',
  ANJU_CFG_MODEM_PIN: 'pin：4 到 8 位数字',
  ANJU_CFG_MODEM_SMSC: 'smsc：+<国家代码><号码>',
  ANJU_CFG_MODBUS_LINK: 'rtu 和 tcp 必须且只能填一个',
  ANJU_CFG_MODBUS_UNIT_TAKEN: '从站地址 {unit} 已被本总线上的 {other} 使用（两台设备不能共用一个地址）',
  ANJU_CFG_MODBUS_RTU_UNIT: '从站地址 {unit}：RTU 地址范围是 1-247',
  ANJU_CFG_BLE_ADDRESS: '蓝牙地址，例如 C8:4A:11:22:33:44',
  ANJU_CFG_BLE_ADAPTER: 'BlueZ 适配器名称，例如 hci0',
  ANJU_CFG_DBUS_ADDRESS: 'D-Bus 地址，例如 unix:path=/run/dbus/system_bus_socket',
  ANJU_CFG_BATTERY_ORDER: 'battery_ok_percent 必须大于 battery_low_percent',
  ANJU_CFG_LOCAL_TIME: '本地时间 "HH:MM"（24 小时制）',
  ANJU_CFG_TIME_ZONE: 'IANA 时区，例如 "Asia/Shanghai"',
  ANJU_CFG_FIRE_GAS_ORDER: 'clear_at 必须小于 raise_at',
  ANJU_CFG_APNEA_ORDER: 'alarm_after_s 不能小于 min_pause_s',
  ANJU_CFG_SPO2_ORDER: 'plausible_min_percent 必须小于 critical_at_or_below_percent',
  ANJU_CFG_WINDOW_NAME: '简短名称：只能用 a-z 0-9 _',
  ANJU_CFG_WINDOW_EMPTY: 'start 和 end 不能相同',
  ANJU_CFG_WINDOW_NAMES: '时间窗名称不能重复',
  ANJU_CFG_NIGHT_EMPTY: 'night_start 和 night_end 不能相同',
  ANJU_CFG_HR_BANDS: '心率区间必须按顺序：critical_low_bpm <= warning_low_bpm < warning_high_bpm <= critical_high_bpm',
  ANJU_CFG_HR_PLAUSIBLE: 'plausible_min_bpm 必须小于 plausible_max_bpm',
  ANJU_CFG_ABSENCE_GRACE: 'exit_grace_s 必须小于 confirm_s',
  ANJU_CFG_CURFEW_EMPTY: 'curfew 和 curfew_end 不能相同',
  ANJU_CFG_SLEEP_END: 'end_after_out_s 必须大于 min_out_of_bed_s',
  ANJU_CFG_PHONE: 'E.164 电话号码：+、国家代码和号码，只能是数字（例如 +8613800138000）',
  ANJU_CFG_ALARM_TYPE: '报警类型，例如 alarm.smoke（alarm. 加 a-z 0-9 _）',
} as const satisfies Record<RuleCode, string>;

export const configRuleTexts: Readonly<Record<RuleCode, Entry>> = Object.fromEntries(
  (Object.keys(CONFIG_RULES) as RuleCode[]).map((code) => [code, { en: CONFIG_RULES[code], zh: zh[code] } satisfies Record<Lang, string>]),
) as Record<RuleCode, Entry>;
