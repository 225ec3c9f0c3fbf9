import type { Entries } from './entry.js';

/** Messages of anjuctl support-bundle: one entry per message, English and Chinese side by side. */
export const supportMessages = {
  sbWritten: { en: 'support bundle written: {path} (send this file to support; secrets are redacted)', zh: '支持包已生成：{path}（请把此文件发给技术支持；密码等已脱敏）' },
  sbTarFailed: { en: 'cannot write {out}: tar failed: {error}. Check the folder exists and is writable', zh: '无法写入 {out}：tar 失败：{error}。请检查目录存在且可写' },
} as const satisfies Entries;
