import { LineCounter, isAlias, isMap, isNode, isScalar, parseDocument, visit, type Document } from 'yaml';
import { ruleProblem, type ConfigProblem } from './result.js';
import { ruleText } from '../core/config-rules.js';

/**
 * YAML text -> plain data, bounded, with every failure a ConfigProblem that has a line and column
 * (issue 12, finding 8). The `yaml` package reports syntax errors as values but throws from toJS()
 * for alias trouble: an alias whose anchor is not set before it (`hub: { id: *a }`), and an
 * "excessive alias count" (the billion laughs: each alias expands a list of aliases). Thrown, those
 * escaped as a stack trace and exit 1 (systemd restarts that forever; only 78 stops it) and, via
 * set-config, as ANJU_CMD_FAILED. Here they are found before toJS, by one walk over the document.
 */

/**
 * At most this many aliases in one config. A config has little use for aliases (a shared block of
 * detector settings, a few times), and each alias costs toJS a scan of every anchor and alias before
 * it: 100k aliases to 100k anchors in a 1 MiB set-config would keep the validator busy for minutes.
 */
export const MAX_ALIASES = 100;
/** yaml's own expansion bound (its default, stated): anchors x uses of nested aliases. */
const MAX_ALIAS_EXPANSIONS = 100;

export type ParsedYaml =
  | { ok: true; data: unknown; doc: Document; lineCounter: LineCounter }
  | { ok: false; problems: ConfigProblem[] };

export function parseYaml(text: string): ParsedYaml {
  const lc = new LineCounter();
  // Duplicate keys are found in the walk below: yaml's own uniqueKeys check compares each key with
  // every key before it, and one mapping of 100k keys (a 1 MiB set-config) took four minutes.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined) => (offset === undefined ? {} : lc.linePos(offset));
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ruleProblem('', 'ANJU_CFG_YAML_SYNTAX', { detail: e.message.split('\n')[0]! }, at(e.pos[0]))) };
  }
  // One walk in document order: an alias refers to the last anchor of its name before it.
  const anchors = new Set<string>();
  const problems: ConfigProblem[] = [];
  let aliases = 0;
  let firstAlias: number | undefined;
  visit(doc, (_key, node) => {
    if (!isNode(node)) return;
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const { key } of node.items) {
        if (!isScalar(key)) continue; // a complex key: the schema refuses it
        const k = String(key.value);
        if (keys.has(k)) problems.push(ruleProblem('', 'ANJU_CFG_YAML_KEY_TWICE', { key: JSON.stringify(k) }, { expected: ruleText('ANJU_CFG_EACH_KEY_ONCE'), ...at(key.range?.[0]) }));
        keys.add(k);
      }
    }
    if (isAlias(node)) {
      aliases++;
      firstAlias ??= node.range?.[0];
      if (!anchors.has(node.source)) {
        problems.push(ruleProblem('', 'ANJU_CFG_YAML_NO_ANCHOR', { name: node.source }, { expected: ruleText('ANJU_CFG_ANCHOR_BEFORE'), found: ruleText('ANJU_CFG_FOUND_NONE'), ...at(node.range?.[0]) }));
      }
      if (aliases === MAX_ALIASES + 1) {
        problems.push(ruleProblem('', 'ANJU_CFG_YAML_ALIASES', { max: MAX_ALIASES }, { expected: ruleText('ANJU_CFG_AT_MOST_ALIASES', { max: MAX_ALIASES }), ...at(node.range?.[0]) }));
      }
    } else if (node.anchor) anchors.add(node.anchor);
  });
  if (problems.length > 0) return { ok: false, problems };
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) ?? {}, doc, lineCounter: lc };
  } catch (err) {
    // yaml's expansion bound (billion laughs); it does not say which alias, so name the first one.
    return { ok: false, problems: [ruleProblem('', 'ANJU_CFG_YAML_EXPANSIONS', { detail: (err as Error).message }, { expected: ruleText('ANJU_CFG_AT_MOST_EXPANSIONS', { max: MAX_ALIAS_EXPANSIONS }), ...at(firstAlias) })] };
  }
}
