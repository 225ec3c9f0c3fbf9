import type { Entries } from './entry.js';

/**
 * Why a talk with anjud over its socket failed (src/cli/client.ts). A file of its own because the
 * client is loaded by anjud and anju-update too (the socket path, a request): they load these few
 * lines, not the whole catalogue.
 */
export const clientMessages = {
  ctlNoAnswer: { en: 'no answer to {cmd} within {ms} ms', zh: 'anjud 在 {ms} 毫秒内没有回应 {cmd}' },
  ctlSubscribeRefused: { en: 'subscribe refused: {code}: {message}', zh: '订阅被拒绝：{code}：{message}' },
  ctlClosedEarly: { en: 'the daemon closed the connection before confirming the subscription', zh: 'anjud 在确认订阅之前关闭了连接' },
} as const satisfies Entries;
