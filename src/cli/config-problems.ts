import { byLine, type ConfigProblem } from '../config/result.js';
import { t, type Lang } from './i18n.js';
import { problemMessages, problemWords } from './messages/config-problems.js';

/**
 * Config problems in the reader's language (issue 16): `file:line:col: key.path: what (did you mean
 * X?, expected Y, found Z)`, sorted by line. Key paths, keys and values stay as written in the
 * file; English is what src/config/result.ts formatProblems prints (anjud's journal, the cloud).
 */
export function renderProblems(lang: Lang, file: string, problems: readonly ConfigProblem[]): string {
  const w = (k: keyof typeof problemWords, x = '') => problemWords[k][lang].replace('{x}', x);
  const oneOf = (s: string) => s.replace(/^one of: /, w('cpOneOf')).replace(/^no such key$/, w('cpNoSuchKey'));
  return byLine(problems).map((p) => {
    const where = p.line ? `${file}:${p.line}:${p.col}` : file;
    const what = (problemMessages as Record<string, { en: string; zh: string } | undefined>)[p.message]?.[lang] ?? p.message;
    const detail = [
      p.suggestion && w('cpDidYouMean', JSON.stringify(p.suggestion)),
      !p.suggestion && p.expected && w('cpExpected', oneOf(p.expected)),
      p.found && w('cpFound', p.found === 'nothing' ? w('cpNothing') : foundText(lang, p.found)),
    ].filter(Boolean).join(lang === 'zh' ? '，' : ', ');
    const sep = lang === 'zh' ? '：' : ': ';
    return `${where}${sep}${p.path || w('cpDocument')}${sep}${what}${detail ? (lang === 'zh' ? `（${detail}）` : ` (${detail})`) : ''}`;
  }).join('\n');
}

/** `config validate FILE`'s summary lines. */
export const problemCount = (lang: Lang, n: number): string => t(lang, 'cpCount', { n });

/** load.ts describes what it found as `string "x"`, `number 3`, `a list`: the words in the reader's language. */
function foundText(lang: Lang, found: string): string {
  const m = /^(string|number|boolean|a mapping|a list|null) ?(.*)$/.exec(found);
  const word = m ? (problemMessages as Record<string, { en: string; zh: string } | undefined>)[`found ${m[1]}`]?.[lang] : undefined;
  return m && word ? `${word}${m[2] && m[1] !== 'null' ? ` ${m[2]}` : ''}` : found;
}
