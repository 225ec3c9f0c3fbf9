/**
 * The message catalogue (src/cli/messages/) is the one place anjuctl's human-facing text lives
 * (issue 16 point 1): every entry in every language, with the same placeholders; no key in two
 * areas; every event type of the contract with a name; every help text with a translation; and no
 * print call in the CLI's sources with its own English sentence, bypassing the catalogue.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';
import { parseLang, pickLang, t, typeName, errorText } from '../../../src/cli/i18n.js';
import { translateParserError } from '../../../src/cli/help-i18n.js';
import { LANGS } from '../../../src/cli/messages/entry.js';
import { AREAS, messages } from '../../../src/cli/messages/index.js';
import { errorMessages, otherError } from '../../../src/cli/messages/errors.js';
import { eventStateNames, eventTypeNames, severityNames } from '../../../src/cli/messages/event-types.js';
import { helpTexts, helpWords } from '../../../src/cli/messages/help.js';
import { linkStateNames, metricNames, truthNames } from '../../../src/cli/messages/metrics.js';
import { configRuleTexts } from '../../../src/cli/messages/config-rules.js';
import { parserErrors } from '../../../src/cli/messages/cli.js';

const CLI = join(ROOT, 'src/cli');
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? (e.name === 'messages' ? [] : files(join(dir, e.name))) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const catalogues: Record<string, Record<string, Record<string, string>>> = {
  ...Object.fromEntries(Object.entries(AREAS).map(([k, v]) => [`messages/${k}`, v])),
  eventTypes: eventTypeNames, eventStates: eventStateNames, severities: severityNames, linkStates: linkStateNames, metrics: metricNames, truth: truthNames, helpWords,
  configRules: configRuleTexts,
};

describe('the message catalogue', () => {
  it('has every entry in every language, non-empty, with the same placeholders', () => {
    const problems: string[] = [];
    for (const [area, entries] of Object.entries(catalogues)) {
      for (const [key, entry] of Object.entries(entries)) {
        for (const lang of LANGS) if (typeof entry[lang] !== 'string' || entry[lang]!.trim() === '') problems.push(`${area}.${key}: no ${lang}`);
        const want = placeholders(entry.en ?? '');
        for (const lang of LANGS) if (JSON.stringify(placeholders(entry[lang] ?? '')) !== JSON.stringify(want)) problems.push(`${area}.${key}: ${lang} has {${placeholders(entry[lang] ?? '').join('},{')}}, en {${want.join('},{')}}`);
      }
    }
    // Error texts: English is the daemon's own detail ({message}); Chinese is ours, with what the CLI knows.
    for (const [code, e] of Object.entries({ ...errorMessages, otherError } as Record<string, Record<string, string>>)) {
      for (const lang of LANGS) if (!e[lang]?.trim()) problems.push(`errors.${code}: no ${lang}`);
      if (placeholders(e.zh ?? '').some((p) => !['id', 'message'].includes(p!))) problems.push(`errors.${code}: zh uses a param the CLI does not give`);
    }
    for (const [en, zh] of Object.entries(helpTexts)) if (zh.trim() === '') problems.push(`help "${en}": no zh`);
    for (const e of parserErrors) if (!e.en || !e.zh) problems.push(`parser error ${e.match}: a language missing`);
    expect(problems).toEqual([]);
  });

  it('Chinese entries are Chinese (no entry left as a copy of its English)', () => {
    const copies = Object.entries(messages).filter(([, e]) => e.zh === e.en && /[A-Za-z]{3,}/.test(e.en.replace(/\{\w+\}/g, ''))).map(([k]) => k);
    expect(copies).toEqual([]);
  });

  it('defines no key in two areas (the merge would silently keep one)', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [area, entries] of Object.entries(AREAS)) for (const k of Object.keys(entries)) {
      if (seen.has(k)) twice.push(`${k}: ${seen.get(k)} and ${area}`);
      seen.set(k, area);
    }
    expect(twice).toEqual([]);
  });

  it('names every event type of the contract (docs/uplink.md §5) in both languages', () => {
    const doc = readFileSync(join(ROOT, 'docs/uplink.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## 5. Event types'), doc.indexOf('### Alarm lifecycle'));
    const types = [...new Set([...section.matchAll(/`((?:alarm|device|hub|report)\.[a-z0-9_]+)`/g)].map((m) => m[1]!))];
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter((x) => !(x in eventTypeNames))).toEqual([]);
    expect(typeName('zh', 'alarm.breathing_rate')).toBe('呼吸频率异常');
    expect(typeName('en', 'alarm.breathing_rate')).toBe('Abnormal breathing rate');
    expect(typeName('zh', 'alarm.made_up')).toBe('alarm.made_up');
  });

  it('translates every help text commander shows (.description, .option, .argument in src/cli)', () => {
    const missing: string[] = [];
    for (const f of files(CLI)) {
      const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
          const name = n.expression.name.text;
          const at = name === 'description' ? 0 : ['option', 'requiredOption', 'argument'].includes(name) ? 1 : -1;
          const arg = at >= 0 ? n.arguments[at] : undefined;
          if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) && !(arg.text in helpTexts)) missing.push(`${relative(ROOT, f)}: ${arg.text}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    expect(missing).toEqual([]);
  });

  it('no print call in the CLI sources carries its own English words: text comes from the catalogue', () => {
    // Calls that put text in front of a person. A literal argument (or a template's literal parts)
    // with an English word of 3+ letters bypasses the catalogue.
    // release.ts prints KEY=value lines and health-gate progress for packaging/anju-release (machine-read, stays English).
    const MACHINE_OUTPUT = new Set(['src/cli/commands/release.ts']);
    const PRINT = /^(ctx\.(out|err)|say|io\.(out|err)|console\.(log|error|warn)|process\.(stdout|stderr)\.write|write|err|out)$/;
    const found: string[] = [];
    for (const f of files(CLI).filter((x) => !MACHINE_OUTPUT.has(relative(ROOT, x)))) {
      const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && PRINT.test(n.expression.getText(src))) {
          for (const a of n.arguments) {
            const parts = ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a) ? [a.text]
              : ts.isTemplateExpression(a) ? [a.head.text, ...a.templateSpans.map((s) => s.literal.text)] : [];
            const words = parts.join(' ').match(/[A-Za-z]{3,}/g);
            if (words) found.push(`${relative(ROOT, f)}:${src.getLineAndCharacterOfPosition(a.getStart(src)).line + 1}: ${words.join(' ')}`);
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    expect(found).toEqual([]);
  });
});

describe('languages', () => {
  it('--lang takes the languages we have, with region or encoding, and nothing else', () => {
    expect(parseLang('zh')).toBe('zh');
    expect(parseLang('zh_CN.UTF-8')).toBe('zh');
    expect(parseLang('en-US')).toBe('en');
    expect(parseLang('fr')).toBeNull();
    expect(parseLang('')).toBeNull();
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(pickLang(undefined, { LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(pickLang('en', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(t('zh', 'badLang', { value: 'fr', langs: 'en, zh' })).toContain('fr');
  });

  it('daemon error codes get our text, the code kept; an unknown code keeps the daemon\'s English in English', () => {
    expect(errorText('zh', 'ANJU_CMD_NOT_FOUND', 'no open alarm raised by event x', { id: 'e2a87f2a' })).toBe('没有由 e2a87f2a 触发的未关闭报警（ID 未知，或报警已解除）');
    expect(errorText('en', 'ANJU_CMD_NOT_FOUND', 'no open alarm raised by event x')).toBe('no open alarm raised by event x');
    expect(errorText('en', 'ANJU_NEW', 'something new')).toBe('something new');
    expect(errorText('zh', 'ANJU_NEW', 'something new')).toBe('未知错误（详情：journalctl -u anjud -n 50）');
  });

  it('commander\'s parser errors in Chinese, its suggestion kept', () => {
    expect(translateParserError("error: unknown command 'stauts'\n(Did you mean status?)\n", 'zh')).toBe("错误：未知命令 'stauts'\n（您是否想输入 status？）\n");
    expect(translateParserError("error: unknown option '--bogus'\n", 'zh')).toBe("错误：未知选项 '--bogus'\n");
    expect(translateParserError("error: missing required argument 'file'\n", 'zh')).toBe("错误：缺少必需参数 'file'\n");
    expect(translateParserError("error: unknown option '--bogus'\n", 'en')).toBe("error: unknown option '--bogus'\n");
  });
});
