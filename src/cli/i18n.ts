/**
 * Human-facing anjuctl messages in English and Simplified Chinese: the installers in the district
 * read Chinese. Chosen by --lang, else LANG/LC_ALL (zh* -> Chinese). JSON output and event types
 * stay English (they are for scripts and the cloud). The texts live in src/cli/messages/<area>.ts.
 */
import { fill, type Lang } from './messages/entry.js';
import { errorMessages, otherError } from './messages/errors.js';
import { eventStateNames, eventTypeNames, severityNames } from './messages/event-types.js';
import { messages } from './messages/index.js';
import { linkStateNames, metricNames, truthNames } from './messages/metrics.js';

export type { Lang } from './messages/entry.js';
export { parseLang, pickLang } from './lang.js';
export type MessageKey = keyof typeof messages;
export type Vars = Record<string, string | number>;

/** A code's name in `lang` from one of the name tables; a code the table does not know, as it came. */
function named(table: Readonly<Record<string, Readonly<Record<Lang, string>>>>, lang: Lang, code: string): string {
  return Object.hasOwn(table, code) ? table[code]![lang] : code;
}

export function t(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  return fill(messages[key][lang], vars);
}

/**
 * A failure that says why in words: `message` in English (JSON, logs), and, when the words are ours
 * rather than a library's, the catalogue key that says it in the reader's language.
 */
export interface Worded { readonly message: string; readonly said?: { readonly key: MessageKey; readonly vars: Vars } }

/** Our words for a failure: English `message`, and the key for every language. */
export const worded = (key: MessageKey, vars: Vars = {}): Worded => ({ message: t('en', key, vars), said: { key, vars } });

/** A failure's words in `lang`; a library's own message as it came. */
export const wordedIn = (lang: Lang, w: Worded): string => (w.said ? t(lang, w.said.key, w.said.vars) : w.message);

/** `alarm.breathing_rate` as a person reads it (呼吸频率异常); an unknown type is shown as it is. */
export function typeName(lang: Lang, type: string): string {
  return named(eventTypeNames, lang, type);
}

/** raised / cleared / info as a person reads it. */
export function stateName(lang: Lang, state: string): string {
  return named(eventStateNames, lang, state);
}

/** A link state or problem code (connect-failed, fault) as a person reads it; an unknown one as it came. */
export function linkStateText(lang: Lang, code: string): string {
  return named(linkStateNames, lang, code);
}

/** critical / warning / info as a person reads it; an unknown one as it came. */
export function severityName(lang: Lang, severity: string): string {
  return named(severityNames, lang, severity);
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
