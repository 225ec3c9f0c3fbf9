/**
 * The shape of one catalogue entry: every language, always. A new language is one more key here,
 * and the compiler then names every entry that lacks it (tests/unit/cli/catalogue.test.ts checks the
 * texts too: non-empty, same placeholders in every language).
 */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];
export type Entry = Readonly<Record<Lang, string>>;
export type Entries = Readonly<Record<string, Entry>>;

/** A text with its `{name}` placeholders filled; one left without a value stays as `{name}`. */
export const fill = (s: string, vars: Readonly<Record<string, string | number>>): string =>
  s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
