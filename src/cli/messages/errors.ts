import type { Entries } from './entry.js';

/**
 * Daemon error codes (control socket replies, src/daemon/commands.ts, src/uplink/commands.ts) as a
 * person reads them. The code stays on screen (support searches for it); the text is ours, with
 * the params the CLI knows ({id}: what was asked for). `{message}` is the daemon's English detail,
 * used only in English, where it is the more precise text.
 */
export const errorMessages = {
  ANJU_CMD_NOT_FOUND: { en: '{message}', zh: '没有由 {id} 触发的未关闭报警（ID 未知，或报警已解除）' },
  ANJU_CMD_NOT_READY: { en: '{message}', zh: 'anjud 尚未就绪（可能正在等待初始化或正在启动）：稍后重试，或执行 anjuctl status' },
  ANJU_CMD_BUSY: { en: '{message}', zh: '另一个操作正在进行：等它完成后重试' },
  ANJU_CMD_FAILED: { en: '{message}', zh: '守护进程执行失败（详情：journalctl -u anjud -n 50）' },
  ANJU_CMD_INVALID_ARGS: { en: '{message}', zh: '参数无效' },
  ANJU_CMD_INVALID_CONFIG: { en: '{message}', zh: '配置无效，未应用' },
  ANJU_CMD_UNKNOWN: { en: '{message}', zh: '此 anjud 不认识该命令（版本较旧？）' },
  ANJU_CMD_STALE_CONFIG: { en: 'another config came into force while this edit was made (from the cloud, or another anjuctl): nothing changed; run the command again to edit the config now in force', zh: '编辑期间另一个配置已生效（来自云端或另一个 anjuctl）：未做任何更改；请重新运行本命令，在当前生效的配置上修改' },
  ANJU_CMD_BAD_JSON: { en: '{message}', zh: '请求不是有效的 JSON' },
  ANJU_CMD_TOO_LARGE: { en: '{message}', zh: '请求过大' },
} as const satisfies Entries;

/** A code this anjuctl has no text for (a newer daemon's): in English the daemon's own detail. */
export const otherError = { en: '{message}', zh: '未知错误（详情：journalctl -u anjud -n 50）' } as const;
