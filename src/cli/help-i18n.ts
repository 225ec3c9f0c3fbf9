import stringWidth from 'string-width';
import { Help, type Argument, type Command, type Option } from 'commander';
import type { Lang } from './i18n.js';
import { helpTexts, helpWords } from './messages/help.js';
import { parserErrors } from './messages/cli.js';

/**
 * commander speaks English; a Chinese-speaking installer reads `anjuctl --help` and its parser
 * errors in Chinese. Its help is rendered through our catalogue (src/cli/messages/help.ts: the
 * English text is the key), its errors are matched by their (stable) English form and rendered from
 * src/cli/messages/cli.ts. Option flags, command names and config keys stay as they are.
 * Call before registering commands: subcommands inherit the help and output settings.
 */
export function localiseCommander(program: Command, lang: Lang): void {
  // Columns by display width (CJK is 2 wide), so wrapped descriptions stay aligned.
  program.configureHelp({ displayWidth: (s: string) => stringWidth(s) });
  if (lang === 'en') return;
  const text = (s: string | undefined): string => (s ? helpTexts[s] ?? wordOf(s, lang) : '');
  program.configureHelp({
    displayWidth: (s: string) => stringWidth(s),
    styleTitle: (s) => wordOf(s, lang),
    commandDescription: (cmd: Command) => text(cmd.description()),
    subcommandDescription: (cmd: Command) => text(cmd.summary() || cmd.description()),
    argumentDescription(arg: Argument) {
      return localisedExtras(Help.prototype.argumentDescription.call(this, withDescription(arg, text(arg.description))), lang);
    },
    optionDescription(opt: Option) {
      return localisedExtras(Help.prototype.optionDescription.call(this, withDescription(opt, text(opt.description))), lang);
    },
  });
  program.configureOutput({ outputError: (s, write) => write(translateParserError(s, lang)) });
}

const wordOf = (s: string, lang: Lang): string => (helpWords as Record<string, { en: string; zh: string } | undefined>)[s]?.[lang] ?? s;

/** A shallow copy with another description: commander's own formatting (defaults, choices) then applies. */
function withDescription<T extends { description: string }>(item: T, description: string): T {
  return Object.assign(Object.create(Object.getPrototypeOf(item) as object) as T, item, { description });
}

/** commander appends `(default: x)`, `(choices: a, b)`: the words in the reader's language. */
function localisedExtras(s: string, lang: Lang): string {
  return s.replace(/\((default|choices): /g, (_, w: string) => `(${wordOf(`${w}: `, lang)}`);
}

/**
 * commander's parser errors (commander 15, lib/command.js) in the reader's language; one we do not
 * know passes as it is. Its "(Did you mean ...?)" suggestion (edit distance) is kept and translated.
 */
export function translateParserError(s: string, lang: Lang): string {
  if (lang === 'en') return s;
  let out = s;
  for (const e of parserErrors) {
    const m = e.match.exec(out);
    if (m) out = out.replace(e.match, e[lang].replace(/\$(\d)/g, (_, i: string) => m[Number(i)] ?? ''));
  }
  return out;
}
