/**
 * Human-facing anjuctl messages in English and Simplified Chinese: the installers in the district
 * read Chinese. Chosen by --lang, else LANG/LC_ALL (zh* -> Chinese). JSON output and event types
 * stay English (they are for scripts and the cloud).
 */
export type Lang = 'en' | 'zh';

const messages = {
  notRunning: { en: 'anjud is not running (no control socket at {path}). Start it: sudo systemctl start anjud', zh: 'anjud 未运行（{path} 处没有控制套接字）。启动：sudo systemctl start anjud' },
  noPermission: { en: 'permission denied on {path}: you are not in group "anju". Run: sudo usermod -aG anju $USER, then log in again', zh: '无权访问 {path}：您不在 "anju" 组中。执行：sudo usermod -aG anju $USER，然后重新登录' },
  failed: { en: 'failed: {code}: {message}', zh: '失败：{code}：{message}' },
  hub: { en: 'Hub', zh: '网关' },
  version: { en: 'version', zh: '版本' },
  uplink: { en: 'Uplink', zh: '上行连接' },
  connected: { en: 'connected', zh: '已连接' },
  disconnected: { en: 'NOT connected', zh: '未连接' },
  lastCloudAck: { en: 'last cloud ack', zh: '云端最近确认' },
  queue: { en: 'queue', zh: '待发队列' },
  oldestAlarm: { en: 'oldest unsent alarm', zh: '最早未发送报警' },
  none: { en: 'none', zh: '无' },
  devices: { en: 'Devices', zh: '设备' },
  alarms: { en: 'Open alarms', zh: '未关闭报警' },
  noAlarms: { en: 'no open alarms', zh: '没有未关闭的报警' },
  acknowledged: { en: 'acknowledged by {by}', zh: '已由 {by} 确认' },
  unacknowledged: { en: 'NOT acknowledged', zh: '未确认' },
  ackDone: { en: 'alarm {id} acknowledged', zh: '报警 {id} 已确认' },
  ackAlready: { en: 'alarm {id} was already acknowledged', zh: '报警 {id} 此前已被确认' },
  colDevice: { en: 'DEVICE', zh: '设备' },
  colModel: { en: 'MODEL', zh: '型号' },
  colRoom: { en: 'ROOM', zh: '房间' },
  colPort: { en: 'PORT', zh: '端口' },
  colLastSeen: { en: 'LAST SEEN', zh: '最近数据' },
  colFrames: { en: 'FRAMES', zh: '帧数' },
  colErrors: { en: 'BAD FRAMES', zh: '错误帧' },
  colAlarm: { en: 'ALARM', zh: '报警' },
  colSince: { en: 'SINCE', zh: '开始时间' },
  colAck: { en: 'ACK', zh: '确认' },
  portOpen: { en: 'open', zh: '已打开' },
  portClosed: { en: 'CLOSED', zh: '未打开' },
  never: { en: 'never', zh: '从未' },
  secondsAgo: { en: '{n} s ago', zh: '{n} 秒前' },
  waiting: { en: 'waiting for events (Ctrl-C to stop)...', zh: '等待事件中（Ctrl-C 退出）……' },
} as const;

export type MessageKey = keyof typeof messages;

export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const v = (flag ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '').toLowerCase();
  return v.startsWith('zh') ? 'zh' : 'en';
}

export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return messages[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
