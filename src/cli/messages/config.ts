import type { Entries } from './entry.js';

/** Messages of anjuctl config show|diff|apply: one entry per message, English and Chinese side by side. */
export const configMessages = {
  cfUnreadable: { en: 'cannot read {file} ({error}): check the path, or run with sudo', zh: '无法读取 {file}（{error}）：检查路径，或用 sudo 运行' },
  cfInvalid: { en: '{file} is not a valid config:', zh: '{file} 不是有效配置：' },
  cfNoChanges: { en: '{file} changes nothing against the config in force', zh: '{file} 与当前配置相比没有变化' },
  cfDiffHeader: { en: '{to} against {from}: {n} change(s)', zh: '{to} 相对 {from}：{n} 处变化' },
  cfAccepted: { en: 'anjud accepted config {hash}; it restarts with it and must reach the broker within {s} s, else it rolls back...', zh: 'anjud 已接受配置 {hash}；将用它重启，必须在 {s} 秒内连上服务器，否则回滚……' },
  cfBadHash: { en: '--if-hash {hash}: expected the 16 hex digits of a config hash (as config show prints it)', zh: '--if-hash {hash}：应为 16 位十六进制的配置哈希（config show 显示的那个）' },
  cfUnchanged: { en: 'the config is the one in force already (hash {hash}): nothing to do', zh: '该配置已在使用中（哈希 {hash}）：无需操作' },
  cfApplied: { en: 'applied: config {hash} is in force and connected to the broker', zh: '已生效：配置 {hash} 已启用并连上服务器' },
  cfRolledBack: { en: 'ROLLED BACK: the previous config is in force again. Reason: {reason}. Check with `anjuctl config diff` and `anjuctl diagnose`', zh: '已回滚：之前的配置重新生效。原因：{reason}。请用 `anjuctl config diff` 和 `anjuctl diagnose` 检查' },
  cfReasonUnseen: { en: 'the new config did not come up healthy (details: journalctl -u anjud -n 50)', zh: '新配置未能正常运行（详情：journalctl -u anjud -n 50）' },
  cfNoOutcome: { en: 'no outcome seen (neither applied nor rolled back) in time: check `anjuctl status` and journalctl -u anjud -n 50', zh: '规定时间内未看到结果（既未生效也未回滚）：请检查 `anjuctl status` 和 journalctl -u anjud -n 50' },
  cfNoSetConfig: { en: 'this anjud does not offer set-config (it must run under its supervisor, as the anjud service does)', zh: '此 anjud 不支持 set-config（必须像 anjud 服务那样在监管进程下运行）' },
  cfCountdown: { en: 'waiting for the new config to come up healthy: {left} s left', zh: '等待新配置正常运行：还剩 {left} 秒' },
} as const satisfies Entries;
