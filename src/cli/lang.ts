/**
 * Which language anjuctl speaks: --lang, else LANG/LC_ALL (zh* -> Chinese). Apart from the message
 * catalogue (src/cli/i18n.ts re-exports these), because anjuctl's entry decides the language before
 * commander parses and should not load every message text to do it (src/cli/lazy-action.ts).
 */
import { LANGS, type Lang } from './messages/entry.js';

/**
 * The language a --lang value names, or null for one we do not have (`fr`): the caller says so and
 * exits 2 rather than silently printing English. `zh-CN`, `zh_CN.UTF-8`, `en-US` name their base language.
 */
export function parseLang(value: string): Lang | null {
  const base = value.trim().toLowerCase().split(/[-_.@]/)[0] ?? '';
  return (LANGS as readonly string[]).includes(base) ? (base as Lang) : null;
}

/** --lang when given (already checked by parseLang), else the locale of the environment. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag !== undefined) return parseLang(flag) ?? 'en';
  const v = (env.LC_ALL || env.LC_MESSAGES || env.LANG || '').toLowerCase();
  return v.startsWith('zh') ? 'zh' : 'en';
}
