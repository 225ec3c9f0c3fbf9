import { linkStateText, t, typeName, type Lang, type MessageKey } from './i18n.js';
import { evidenceTextOf } from './walktest-kinds.js';

/**
 * The walk test's hints (why a device did not pass): a catalogue key and its variables, kept as they
 * are in the JSON report (English words and codes: alarm.smoke, presence=true, connect-failed) and
 * rendered in the reader's language on the screen and in the report's table.
 */
export interface Hint { key: MessageKey; vars: Record<string, string | number> }

/** Between the alarm types a hazard detector's test may raise (`types`). */
export const TYPES_SEP = ' / ';

/**
 * A hint in `lang`, from its code and its variables as the JSON report keeps them (English, codes):
 * `what` names another message (what was awaited), `types` alarm types, `evidence` metric=value
 * pairs, `problem` a link problem code; each is rendered in `lang` too.
 */
export function renderHint(lang: Lang, key: MessageKey, vars: Record<string, string | number>): string {
  const v = { ...vars };
  if (typeof v.what === 'string') v.what = t(lang, v.what as MessageKey);
  if (typeof v.types === 'string') v.types = v.types.split(TYPES_SEP).map((x) => typeName(lang, x)).join(TYPES_SEP);
  if (typeof v.evidence === 'string') v.evidence = evidenceTextOf(lang, v.evidence);
  if (typeof v.problem === 'string') v.problem = linkStateText(lang, v.problem);
  return t(lang, key, v);
}

/**
 * JSON reports carry the English hint, its code and its variables (scripts and the cloud read English):
 * the variables as they are (alarm.smoke, presence=true), only `what` worded.
 */
export function hintOf(h: Hint): { hint: string; hintCode: string; hintVars: Record<string, string | number> } {
  const hint = t('en', h.key, typeof h.vars.what === 'string' ? { ...h.vars, what: t('en', h.vars.what as MessageKey) } : h.vars);
  return { hint, hintCode: h.key, hintVars: h.vars };
}
