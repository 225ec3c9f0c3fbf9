import type { Entries } from './entry.js';

/** Messages of anjuctl itself: the language flag, and commander's parser errors (src/cli/help-i18n.ts). */
export const cliMessages = {
  badLang: { en: '--lang {value}: not a language anjuctl speaks; expected one of: {langs}', zh: '--lang {value}：anjuctl 不支持该语言；可选：{langs}' },
  unexpected: { en: 'anjuctl: {message}', zh: 'anjuctl：{message}' },
  didYouMean: { en: 'did you mean {suggestion}?', zh: '您是否想输入 {suggestion}？' },
} as const satisfies Entries;

/**
 * commander's errors by their English form ($1, $2: the captured parts: flags, names, counts).
 * en is the pattern's own text, kept for the catalogue check (every entry has every language).
 */
export const parserErrors: ReadonlyArray<{ match: RegExp; en: string; zh: string }> = [
  { match: /^error: unknown option '([^']*)'/m, en: "error: unknown option '$1'", zh: "错误：未知选项 '$1'" },
  { match: /^error: unknown command '([^']*)'/m, en: "error: unknown command '$1'", zh: "错误：未知命令 '$1'" },
  { match: /^error: missing required argument '([^']*)'/m, en: "error: missing required argument '$1'", zh: "错误：缺少必需参数 '$1'" },
  { match: /^error: option '([^']*)' argument missing/m, en: "error: option '$1' argument missing", zh: "错误：选项 '$1' 缺少参数值" },
  { match: /^error: required option '([^']*)' not specified/m, en: "error: required option '$1' not specified", zh: "错误：未指定必需选项 '$1'" },
  { match: /^error: too many arguments for '([^']*)'\. Expected (\d+) arguments? but got (\d+)\./m, en: "error: too many arguments for '$1'. Expected $2 but got $3.", zh: "错误：'$1' 的参数过多：应为 $2 个，实际 $3 个。" },
  { match: /^error: too many arguments\. Expected (\d+) arguments? but got (\d+)\./m, en: 'error: too many arguments. Expected $1 but got $2.', zh: '错误：参数过多：应为 $1 个，实际 $2 个。' },
  { match: /^error: option '([^']*)' argument '([^']*)' is invalid\./m, en: "error: option '$1' argument '$2' is invalid.", zh: "错误：选项 '$1' 的值 '$2' 无效。" },
  { match: /^error: command-argument value '([^']*)' is invalid for argument '([^']*)'\./m, en: "error: command-argument value '$1' is invalid for argument '$2'.", zh: "错误：参数 '$2' 的值 '$1' 无效。" },
  { match: /\(Did you mean one of ([^?]*)\?\)/, en: '(Did you mean one of $1?)', zh: '（您是否想输入以下之一：$1？）' },
  { match: /\(Did you mean ([^?]*)\?\)/, en: '(Did you mean $1?)', zh: '（您是否想输入 $1？）' },
];
