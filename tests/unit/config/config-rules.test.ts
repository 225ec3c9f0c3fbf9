/**
 * The config schema's own rules (refinements, format checks, cross-key checks) have stable codes and
 * reach the technician in their language (issue 16 point 1): src/core/config-rules.ts holds the code
 * and the English, src/cli/messages/config-rules.ts the translations, load.ts puts the code on the
 * problem and src/cli/config-problems.ts renders it. The source check fails when a schema gets a
 * message of its own again (an English text no catalogue knows).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon-process.js';
import { renderProblems } from '../../../src/cli/config-problems.js';
import { configRuleTexts } from '../../../src/cli/messages/config-rules.js';
import { problemMessages } from '../../../src/cli/messages/config-problems.js';
import { CONFIG_RULES, ruleOf, ruleText, type RuleCode } from '../../../src/core/config-rules.js';
import { parseConfig } from '../../../src/config/load.js';
import { formatProblems, type ConfigProblem } from '../../../src/config/result.js';

/** The files the config schema is built from: everything src/config/schema.ts reaches that uses zod. */
function schemaSources(): string[] {
  const seen = new Set<string>();
  const queue = [join(ROOT, 'src/config/schema.ts')];
  for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
    if (seen.has(f) || !existsSync(f)) continue;
    seen.add(f);
    for (const s of ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles.map((x) => x.fileName)) {
      if (s.startsWith('.')) queue.push(resolve(dirname(f), s).replace(/\.js$/, '.ts'));
    }
  }
  // A device profile's problems (src/drivers/**/profile-schema.ts) are reported per profile file by the
  // catalogue, for whoever writes a profile; they are not config rules.
  return [...seen].filter((f) => !relative(ROOT, f).startsWith('src/drivers/') && /from 'zod'/.test(readFileSync(f, 'utf8')));
}

/**
 * The validator's own files, which word problems themselves (load.ts, parse-yaml.ts, ...). Not
 * remote-policy.ts: its refusals answer the cloud's set-config (English, the contract) and a config
 * applied on site is not held to them, so anjuctl never shows them.
 */
const validatorSources = (): string[] => readdirSync(join(ROOT, 'src/config')).filter((f) => f.endsWith('.ts') && f !== 'remote-policy.ts').map((f) => join(ROOT, 'src/config', f));

/** Zod checks whose optional last argument is the message a person reads when the check fails. */
const CHECKS = new Set(['regex', 'refine', 'min', 'max', 'length', 'startsWith', 'endsWith', 'includes', 'int', 'positive', 'nonnegative']);
const literal = (n: ts.Node): boolean => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);
/**
 * A problem text with words of its own: a literal, or a template whose literal parts have an English
 * word (`${file}: ${message}` has none; `one of: ` is rendered by src/cli/config-problems.ts).
 */
const worded = (n: ts.Node): boolean => ts.isTemplateExpression(n)
  ? /[A-Za-z]{3,}/.test([n.head.text, ...n.templateSpans.map((x) => x.literal.text)].join(' ').replace(/^one of: /, ''))
  : literal(n);

function ownMessages(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const at = (n: ts.Node) => `${relative(ROOT, file)}:${src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1}`;
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    // { message: 'text' } in an addIssue or a refine's options, or a problem's message or expected;
    // load.ts's generic phrases ('required', 'unknown key') have their translations by their text.
    if (ts.isPropertyAssignment(n) && ['message', 'expected'].includes(n.name.getText(src)) && worded(n.initializer)
      && !(ts.isStringLiteral(n.initializer) && n.initializer.text in problemMessages)) {
      found.push(`${at(n)}: ${n.name.getText(src)} ${n.initializer.getText(src)}`);
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && CHECKS.has(n.expression.name.text)) {
      const name = n.expression.name.text;
      const last = n.arguments[n.arguments.length - 1];
      if (name === 'regex' && n.arguments.length < 2) found.push(`${at(n)}: .regex without a rule (zod's English "Invalid string")`);
      else if (last && n.arguments.length > (name === 'regex' || name === 'refine' || /^(min|max|length|startsWith|endsWith|includes)$/.test(name) ? 1 : 0) && literal(last)) {
        found.push(`${at(n)}: .${name}(..., ${last.getText(src)})`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

const problemsOf = (text: string): ConfigProblem[] => {
  const r = parseConfig(text);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.problems;
};

describe('config rules', () => {
  it('no schema the config is built from, and no part of the validator, has a message of its own: each comes from a rule with a code', () => {
    const files = [...new Set([...schemaSources(), ...validatorSources()])];
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['src/config/schema.ts', 'src/transports/modbus/config.ts', 'src/detectors/settings/heart-rate.ts', 'src/escalation/policy-schema.ts']));
    expect(files.flatMap(ownMessages)).toEqual([]);
  });

  it('every rule is traced back from its text to its code and values, and no text is another rule\'s', () => {
    for (const code of Object.keys(CONFIG_RULES) as RuleCode[]) {
      const names = [...CONFIG_RULES[code].matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const vars = Object.fromEntries(names.map((n, i) => [n, `v${i}-x`]));
      expect(ruleOf(ruleText(code, vars)), code).toEqual({ code, params: vars });
    }
    expect(ruleOf('Invalid input')).toBeNull();
  });

  it('every rule has its Chinese, in Chinese, with the same placeholders and its config keys kept', () => {
    for (const code of Object.keys(CONFIG_RULES) as RuleCode[]) {
      const { en, zh } = configRuleTexts[code];
      expect(en, code).toBe(CONFIG_RULES[code]);
      expect(zh, code).toMatch(/[\u4e00-\u9fff]/);
      const keys = (s: string) => [...s.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b|\{\w+\}/g)].map((m) => m[0]).sort();
      expect(keys(zh), code).toEqual(keys(en));
    }
  });

  it('renders the rules with the key path in Chinese, the English unchanged, the code kept for --json', () => {
    const text = `hub: { id: "h 1" }
uplink: { url: "mqtt://broker.example:1883?x=1", reconnect_min_s: 9, reconnect_max_s: 2 }
devices:
  - { id: r, model: seeed-mr60bha1, room: bed, serial: { path: /dev/ttyUSB0 } }
escalation: { siren: { device: nosuch } }
detectors:
  heart_rate: { plausible_min_bpm: 200, plausible_max_bpm: 100 }
`;
    const problems = problemsOf(text);
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(['ANJU_CFG_HUB_ID', 'ANJU_CFG_BROKER_URL', 'ANJU_CFG_RECONNECT_ORDER']));
    const zh = renderProblems('zh', 'anju.yaml', problems);
    expect(zh.split('\n')).toEqual([
      'anju.yaml:1:8：hub.id：格式错误（应为 网关 ID：1-64 个字符，只能用 A-Z a-z 0-9 _ -（它用在 MQTT 主题中），实际为 字符串 "h 1"）',
      'anju.yaml:2:11：uplink.url：MQTT 地址，例如 mqtts://broker.example:8883，要求：不能带查询参数（?...）：MQTT 客户端会从中读取选项',
      'anju.yaml:2:50：uplink.reconnect_min_s：reconnect_min_s 不能大于 reconnect_max_s',
      'anju.yaml:5:24：escalation.siren.device：devices: 中没有 ID 为 "nosuch" 的设备（警报器必须是其中之一）',
      'anju.yaml:7:17：detectors.heart_rate.plausible_min_bpm：plausible_min_bpm 必须小于 plausible_max_bpm',
    ]);
    expect(zh).not.toMatch(/must|such as|not both|exceed/);
    expect(renderProblems('en', 'anju.yaml', problems)).toBe(formatProblems('anju.yaml', problems));
    expect(formatProblems('anju.yaml', problems)).toContain('uplink.reconnect_min_s: reconnect_min_s must not exceed reconnect_max_s');

    const cross = problemsOf(`hub: { id: h1 }
uplink: { url: "mqtt://10.0.0.5:1883" }
store: { quota_mb: 10 }
`);
    expect(renderProblems('zh', 'anju.yaml', cross).split('\n')).toEqual([
      'anju.yaml:2:11：uplink.url：到 10.0.0.5 的 mqtt:// 是明文连接，没有加密：请改用 mqtts://（或 wss://），或设置 uplink.insecure: true',
    ]);
    expect(cross.map((p) => p.code)).toEqual(['ANJU_CFG_PLAIN_BROKER']);
    expect(cross[0]!.params).toEqual({ protocol: 'mqtt', host: '10.0.0.5' });
  });

  it('the validator\'s own problems (YAML, duplicate ids, lengths) in Chinese too, with their codes', () => {
    const yaml = problemsOf('hub: { id: h1, id: h2 }\nuplink: { url: "mqtts://b:8883" }\n');
    expect(renderProblems('zh', 'a.yaml', yaml)).toBe('a.yaml:1:16：（整个文件）：YAML 语法错误：键 "id" 在同一个映射中出现了两次（应为 每个键只出现一次）');
    expect(yaml[0]).toMatchObject({ code: 'ANJU_CFG_YAML_KEY_TWICE', params: { key: '"id"' } });
    const syntax = problemsOf('hub: { id: h1\n');
    expect(renderProblems('zh', 'a.yaml', syntax)).toMatch(/^a\.yaml:\d+:\d+：（整个文件）：YAML 语法错误：/);
    const dup = problemsOf(`hub: { id: h1 }
uplink: { url: "mqtts://b:8883" }
devices:
  - { id: r1, model: seeed-mr60bha1, room: bed, serial: { path: /dev/ttyUSB0 } }
  - { id: r1, model: seeed-mr60bha1, room: "", serial: { path: /dev/ttyUSB1 } }
`);
    expect(renderProblems('zh', 'a.yaml', dup).split('\n')).toEqual([
      'a.yaml:5:7：devices[1].id：设备 ID 重复（应为 其他设备没有用过的 ID，实际为 "r1"，也用在 devices[0].id）',
      'a.yaml:5:38：devices[1].room：超出范围（应为 长度 >= 1，实际为 字符串 ""）',
    ]);
    expect(formatProblems('a.yaml', dup)).toContain('devices[1].id: duplicate device id (expected an id no other device has, found "r1", also at devices[0].id)');
  });

  it('a union of literals says which values it takes, not zod\'s "Invalid input"', () => {
    const p = problemsOf('hub: { id: h1 }\nuplink: { url: "mqtts://b:8883", protocol_version: 3 }\n');
    expect(formatProblems('a.yaml', p)).toBe('a.yaml:2:34: uplink.protocol_version: not an allowed value (expected one of: 5, 4, found number 3)');
    expect(renderProblems('zh', 'a.yaml', p)).toBe('a.yaml:2:34：uplink.protocol_version：不是允许的值（应为 以下之一：5, 4，实际为 数字 3）');
  });

  it('an escalation siren whose model is not a siren (profile role) is a warning with its place, not an error; a siren gives none', () => {
    const home = (model: string) => `hub: { id: h1 }
uplink: { url: "mqtt://127.0.0.1:1883" }
zigbee2mqtt: { url: "mqtt://127.0.0.1:1883" }
devices:
  - { id: hall, model: ${model}, room: hall, z2m: { friendly_name: "Hall" } }
escalation: { siren: { device: hall } }
`;
    const smoke = parseConfig(home('heiman-hs1sa'));
    if (!smoke.ok) throw new Error(JSON.stringify(smoke.problems));
    expect(smoke.warnings).toEqual([expect.objectContaining({ path: 'escalation.siren.device', code: 'ANJU_CFG_SIREN_ROLE', line: 6, params: { id: 'hall', model: 'heiman-hs1sa' } })]);
    expect(renderProblems('zh', 'anju.yaml', smoke.warnings!)).toContain('设备 "hall" 是 heiman-hs1sa，其设备档案没有 siren 角色');
    const siren = parseConfig(home('heiman-hs2wd-e'));
    expect(siren).toMatchObject({ ok: true });
    expect(siren.ok && siren.warnings).toBeFalsy();
  });

  it('zod\'s type names are words of the reader\'s language too', () => {
    const p = problemsOf('hub: { id: h1 }\nuplink: { url: "mqtts://b:8883", keepalive_s: "x" }\n');
    expect(renderProblems('zh', 'a.yaml', p)).toBe('a.yaml:2:34：uplink.keepalive_s：类型错误（应为 数字，实际为 字符串 "x"）');
  });
});
