import { byLine, type ConfigProblem } from '../config/result.js';
import { t, type Lang } from './i18n.js';
import { problemMessages, problemWords } from './messages/config-problems.js';
import { configRuleTexts } from './messages/config-rules.js';
import { fill } from './messages/entry.js';
import { ruleOf, type RuleCode } from '../core/config-rules.js';

/**
 * Config problems in the reader's language (issue 16): `file:line:col: key.path: what (did you mean
 * X?, expected Y, found Z)`, sorted by line. Key paths, keys and values stay as written in the
 * file; English is what src/config/result.ts formatProblems prints (anjud's journal, the cloud).
 * A config rule's text (src/core/config-rules.ts: the schema's and the validator's own) is known by
 * its English and said from the catalogue (src/cli/messages/config-rules.ts).
 */
export function renderProblems(lang: Lang, file: string, problems: readonly ConfigProblem[]): string {
  const w = (k: keyof typeof problemWords, x = '') => problemWords[k][lang].replace('{x}', x);
  const oneOf = (s: string) => s.replace(/^one of: /, w('cpOneOf')).replace(/^no such key$/, w('cpNoSuchKey'));
  return byLine(problems).map((p) => {
    const where = p.line ? `${file}:${p.line}:${p.col}` : file;
    const what = ruled(lang, p.message) ?? phrase(lang, p.message) ?? p.message;
    const expected = p.expected && (ruled(lang, p.expected) ?? phrase(lang, `type ${p.expected}`) ?? oneOf(p.expected));
    const detail = [
      p.suggestion && w('cpDidYouMean', JSON.stringify(p.suggestion)),
      !p.suggestion && expected && w('cpExpected', expected),
      p.found && w('cpFound', p.found === 'nothing' ? w('cpNothing') : ruled(lang, p.found) ?? foundText(lang, p.found)),
    ].filter(Boolean).join(lang === 'zh' ? '，' : ', ');
    const sep = lang === 'zh' ? '：' : ': ';
    return `${where}${sep}${p.path || w('cpDocument')}${sep}${what}${detail ? (lang === 'zh' ? `（${detail}）` : ` (${detail})`) : ''}`;
  }).join('\n');
}

/**
 * The text of a config rule (src/core/config-rules.ts) in the reader's language, when `text` (a
 * problem's message, expected or found) is a rule's English; a value that is itself a rule's text
 * (the broker URL's own problem) is rendered too. Null for any other text. A value the file holds
 * comes as `string "..."` (load.ts describeFound), so it never reads as one of these.
 */
function ruled(lang: Lang, text: string): string | null {
  const r = ruleOf(text);
  return r ? ruleIn(lang, r.code, r.params) : null;
}

function ruleIn(lang: Lang, code: RuleCode, params: Readonly<Record<string, string>>): string {
  const vars = Object.fromEntries(Object.entries(params).map(([k, v]) => {
    const inner = ruleOf(v);
    return [k, inner ? ruleIn(lang, inner.code, inner.params) : v];
  }));
  return fill(configRuleTexts[code][lang], vars);
}

/** One of load.ts's stable phrases (problemMessages) in the reader's language; undefined for another text. */
const phrase = (lang: Lang, key: string): string | undefined =>
  (problemMessages as Record<string, { en: string; zh: string } | undefined>)[key]?.[lang];

/** `config validate FILE`'s summary lines. */
export const problemCount = (lang: Lang, n: number): string => t(lang, 'cpCount', { n });

/** load.ts describes what it found as `string "x"`, `number 3`, `a list`: the words in the reader's language. */
function foundText(lang: Lang, found: string): string {
  const m = /^(string|number|boolean|a mapping|a list|null) ?(.*)$/.exec(found);
  const word = m ? phrase(lang, `found ${m[1]}`) : undefined;
  return m && word ? `${word}${m[2] && m[1] !== 'null' ? ` ${m[2]}` : ''}` : found;
}
