/**
 * Human-facing anjuctl messages in English and Simplified Chinese: the installers in the district
 * read Chinese. Chosen by --lang, else LANG/LC_ALL (zh* -> Chinese). JSON output and event types
 * stay English (they are for scripts and the cloud). The texts live in src/cli/messages/<area>.ts.
 */
import type { Lang } from './messages/entry.js';
import { errorMessages, otherError } from './messages/errors.js';
import { eventStateNames, eventTypeNames } from './messages/event-types.js';
import { messages } from './messages/index.js';
import { metricNames, truthNames } from './messages/metrics.js';

export type { Lang } from './messages/entry.js';
export { parseLang, pickLang } from './lang.js';
export type MessageKey = keyof typeof messages;
export type Vars = Record<string, string | number>;

const fill = (s: string, vars: Vars): string => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));

export function t(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  return fill(messages[key][lang], vars);
}

/** `alarm.breathing_rate` as a person reads it (呼吸频率异常); an unknown type is shown as it is. */
export function typeName(lang: Lang, type: string): string {
  const e = (eventTypeNames as Record<string, { en: string; zh: string } | undefined>)[type];
  return e ? e[lang] : type;
}

/** raised / cleared / info as a person reads it. */
export function stateName(lang: Lang, state: string): string {
  const e = (eventStateNames as Record<string, { en: string; zh: string } | undefined>)[state];
  return e ? e[lang] : state;
}

/**
 * A daemon error (stable code + English detail) in the reader's language: the code stays visible,
 * the text comes from the catalogue by code (src/cli/messages/errors.ts) with the params the CLI
 * knows; an unknown code keeps the daemon's text.
 */
export function errorText(lang: Lang, code: string, message: string, vars: Vars = {}): string {
  const e = (errorMessages as Record<string, { en: string; zh: string } | undefined>)[code]
    ?? (lang === 'en' ? undefined : otherError);
  return e ? fill(e[lang], { ...vars, message }) : message;
}

/** `breathRatePerMin` = 16 as a person reads it (呼吸 16 次/分); an unknown metric keeps metric=value. */
export function metricText(lang: Lang, metric: string, value: unknown): string {
  const e = (metricNames as Record<string, { en: string; zh: string } | undefined>)[metric];
  const v = typeof value === 'boolean' ? truthNames[String(value) as 'true' | 'false'][lang] : String(value);
  return e ? fill(e[lang], { v }) : `${metric}=${v}`;
}
