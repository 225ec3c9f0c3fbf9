import { accessSync, constants, readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { ConfigSchema, configSchemaFor, type Config } from './schema.js';
import { DEFAULT_LOCAL_DIR, deviceCatalogue, type Catalogue } from '../drivers/catalogue.js';
import { checkProfile } from '../drivers/profile-check.js';
import { remoteConfigProblems, type RemoteContext } from './remote-policy.js';
import { configHash, deepFreeze, ruleProblem, type ConfigProblem, type ConfigResult } from './result.js';
import { parseYaml } from './parse-yaml.js';
import { closest } from './suggest.js';
import { ruleOf, ruleText } from '../core/config-rules.js';

export { formatProblems, type ConfigProblem, type ConfigResult } from './result.js';

type PathKey = string | number;

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

function describeFound(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null (empty value)';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `string ${JSON.stringify(input)}`;
  return `${typeof input} ${String(input)}`;
}

/** The keys a strict object at `path` accepts, for "unknown key" hints. */
function knownKeys(path: readonly PathKey[]): string[] {
  let s: unknown = ConfigSchema;
  const unwrap = (x: unknown): unknown => {
    let cur = x as { def?: { innerType?: unknown; in?: unknown; schema?: unknown; type?: string } };
    for (let n = 0; n < 10 && cur?.def; n++) {
      const inner = cur.def.innerType ?? cur.def.in ?? cur.def.schema;
      if (!inner) break;
      cur = inner as typeof cur;
    }
    return cur;
  };
  // A union (devices by model) accepts the keys of any of its options.
  const shapeOf = (x: unknown): Record<string, unknown> | undefined => {
    const u = unwrap(x) as { shape?: Record<string, unknown>; options?: unknown[] };
    if (u.shape) return u.shape;
    if (u.options) return Object.assign({}, ...u.options.map((o) => shapeOf(o) ?? {})) as Record<string, unknown>;
    return undefined;
  };
  for (const k of path) {
    s = unwrap(s);
    const o = s as { element?: unknown };
    s = typeof k === 'number' ? o.element : shapeOf(s)?.[k];
    if (s === undefined) return [];
  }
  const shape = shapeOf(s);
  return shape ? Object.keys(shape) : [];
}

/** A problem with the code of the schema rule its text comes from, when it comes from one (issue 16). */
function withRule(p: ConfigProblem, text: string): ConfigProblem {
  const r = ruleOf(text);
  return r ? { ...p, code: r.code, params: r.params } : p;
}

function problemFromIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return [{ path: formatPath(path), message: 'required', expected: issue.expected, found: 'nothing' }];
      return [{ path: formatPath(path), message: 'wrong type', expected: issue.expected, found: describeFound(input) }];
    case 'unrecognized_keys': {
      const allowed = knownKeys(path);
      // A typo gets the closest key (issue 16): printed instead of the list of every key, which stays in the data.
      return issue.keys.map((key) => {
        const suggestion = closest(key, allowed);
        return {
          path: formatPath([...path, key]),
          message: 'unknown key',
          expected: allowed.length ? `one of: ${allowed.join(', ')}` : 'no such key',
          ...(suggestion ? { suggestion } : {}),
          found: JSON.stringify(key),
        };
      });
    }
    case 'invalid_union': {
      const u = issue as { discriminator?: string; options?: unknown[] };
      if (u.discriminator && u.options) {
        const found = (input as Record<string, unknown> | undefined)?.[u.discriminator];
        const suggestion = typeof found === 'string' ? closest(found, u.options.map(String)) : null;
        return [{ path: formatPath(path), message: found === undefined ? 'required' : 'not an allowed value', expected: `one of: ${u.options.map((v) => JSON.stringify(v)).join(', ')}`, found: describeFound(found), ...(suggestion ? { suggestion } : {}) }];
      }
      // A union of literals (protocol_version: 5 or 4): every value an option allows, as for an enum.
      const options = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
      if (options.length > 0 && options.every((o) => o.length > 0 && o.every((e) => e.code === 'invalid_value'))) {
        const values = options.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
        return [{ path: formatPath(path), message: 'not an allowed value', expected: `one of: ${values.map((v) => JSON.stringify(v)).join(', ')}`, found: describeFound(input) }];
      }
      return [withRule({ path: formatPath(path), message: issue.message, found: describeFound(input) }, issue.message)];
    }
    case 'invalid_value': {
      const suggestion = typeof input === 'string' ? closest(input, issue.values.map(String)) : null;
      return [{ path: formatPath(path), message: 'not an allowed value', expected: `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`, found: describeFound(input), ...(suggestion ? { suggestion } : {}) }];
    }
    case 'too_small':
    case 'too_big': {
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      // A string's length and a list's item count are rules (words); a number's bound is only `> 0`.
      const vars = { op, bound: String(bound) };
      const expected = issue.origin === 'string' ? ruleText('ANJU_CFG_LENGTH', vars) : issue.origin === 'array' ? ruleText('ANJU_CFG_ITEM_COUNT', vars) : `${op} ${vars.bound}`;
      return [{ path: formatPath(path), message: 'out of range', expected, found: describeFound(input) }];
    }
    case 'invalid_format':
      return [withRule({ path: formatPath(path), message: 'wrong format', expected: issue.message, found: describeFound(input) }, issue.message)];
    default: // custom refinements: the message says what is expected
      return [withRule({ path: formatPath(path), message: issue.message }, issue.message)];
  }
}

/** Line and column of the deepest YAML node that exists along `path` (1-based). */
function locate(doc: Document, lc: LineCounter, path: string): { line: number; col: number } | undefined {
  const keys: PathKey[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  let node: Node | null | undefined = doc.contents as Node | null;
  let best: Node | undefined = node ?? undefined;
  for (const k of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === k);
      if (!pair) break;
      // Point at the key: that is where a technician looks for "devices[1].serial".
      if ((pair.key as Node | null)?.range) best = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof k === 'number') {
      node = node.items[k] as Node | null;
      if (node?.range) best = node;
    } else break;
  }
  if (!best?.range) return undefined;
  return lc.linePos(best.range[0]);
}

/** A broken 1 MiB document can have thousands of problems: the first ones say enough. */
const MAX_PROBLEMS = 20;

/**
 * Every entry point below answers with a ConfigResult and never throws. Should a bug of ours or of
 * a library throw on some input all the same, that is still a problem with this text: exit 78 and
 * ANJU_CMD_INVALID_CONFIG, not a stack trace and exit 1 (which systemd restarts forever). And at
 * most MAX_PROBLEMS problems are listed, so a set-config reply stays small.
 */
function bounded<A extends unknown[]>(validate: (...args: A) => ConfigResult): (...args: A) => ConfigResult {
  return (...args) => {
    let r: ConfigResult;
    try {
      r = validate(...args);
    } catch (err) {
      return { ok: false, problems: [ruleProblem('', 'ANJU_CFG_CANNOT_VALIDATE', { detail: (err as Error).message })] };
    }
    if (r.ok || r.problems.length <= MAX_PROBLEMS) return r;
    return { ok: false, problems: [...r.problems.slice(0, MAX_PROBLEMS), ruleProblem('', 'ANJU_CFG_MORE_PROBLEMS', { n: r.problems.length - MAX_PROBLEMS })] };
  };
}

/** Validates YAML text: every problem comes back, each with its place. */
export const parseConfig = bounded(parseConfigText);

function parseConfigText(text: string): ConfigResult {
  const y = parseYaml(text);
  if (!y.ok) return y;
  const { data, doc, lineCounter: lc } = y;
  const catalogue = deviceCatalogue(localDirOf(data));
  const parsed = configSchemaFor(catalogue).safeParse(data, { reportInput: true });
  const profiles = localProfileProblems(catalogue, modelsUsed(data));
  if (parsed.success) {
    const dups = [...profiles.errors, ...duplicateDeviceIds(data)];
    if (dups.length > 0) return { ok: false, problems: dups.map((p) => ({ ...p, ...locate(doc, lc, p.path) })) };
    const warnings = [...profiles.warnings, ...sirenRoleWarnings(parsed.data, catalogue)].map((p) => ({ ...p, ...locate(doc, lc, p.path) }));
    return { ok: true, config: deepFreeze(parsed.data), hash: configHash(text), ...(warnings.length > 0 ? { warnings } : {}) };
  }
  const problems = [...parsed.error.issues.flatMap(problemFromIssue), ...profiles.errors, ...duplicateDeviceIds(data)];
  return { ok: false, problems: problems.map((p) => ({ ...p, ...locate(doc, lc, p.path) })) };
}

/**
 * The escalation's siren should be a siren (profile role `siren`): a warning, not an error, so a hub
 * whose siren has a local profile written before roles existed still starts and protects the home;
 * the walk test's siren step and `anjuctl escalation test` then show whether it sounds.
 */
function sirenRoleWarnings(cfg: Readonly<Config>, catalogue: Catalogue): ConfigProblem[] {
  const id = cfg.escalation?.siren?.device;
  const model = id === undefined ? undefined : cfg.devices.find((d) => d.id === id)?.model;
  if (id === undefined || model === undefined || catalogue.get(model)?.roles.includes('siren') !== false) return [];
  return [ruleProblem('escalation.siren.device', 'ANJU_CFG_SIREN_ROLE', { id, model })];
}

/**
 * The local profile folder the config names (device_profiles.local_dir), read before the config is
 * validated because its models are part of what the config may use. Anything but a string or null
 * falls back to the default here; the schema then reports the key itself.
 */
function localDirOf(data: unknown): string | null {
  const dp = (data as { device_profiles?: unknown } | null)?.device_profiles;
  const dir = typeof dp === 'object' && dp !== null ? (dp as { local_dir?: unknown }).local_dir : undefined;
  return typeof dir === 'string' || dir === null ? dir : DEFAULT_LOCAL_DIR;
}

/**
 * A local profile is held to exactly what a shipped one is (src/drivers/catalogue.ts for the
 * common fields, profile-check.ts for its transport's section): each problem names the file. A
 * problem is an error when a configured device uses that model (or the build's own folder is broken);
 * a broken folder no device uses is a warning: a half-written profile for tomorrow's visit must not
 * stop the hub protecting the home today (a config error stops anjud from starting at all).
 */
function localProfileProblems(catalogue: Catalogue, used: ReadonlySet<string>): { errors: ConfigProblem[]; warnings: ConfigProblem[] } {
  const at = 'device_profiles.local_dir';
  const all = [
    ...catalogue.problems.map((p) => ({ model: p.model, source: p.source, problem: { path: at, message: `${p.file}: ${p.message}` } })),
    ...catalogue.entries.filter((e) => e.source === 'local').flatMap((e) => checkProfile(e).map((m) => ({ model: e.model, source: 'local', problem: { path: at, message: `${e.file}: ${m}` } }))),
  ];
  const blocking = (x: (typeof all)[number]): boolean => x.source === 'shipped' || used.has(x.model);
  return { errors: all.filter(blocking).map((x) => x.problem), warnings: all.filter((x) => !blocking(x)).map((x) => x.problem) };
}

/** The model names the raw config's devices use (before validation: only strings count). */
function modelsUsed(data: unknown): Set<string> {
  const d = (data ?? {}) as { devices?: unknown; modbus?: unknown };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const entries = [...list(d.devices), ...list(d.modbus).flatMap((b) => list((b as { devices?: unknown } | null)?.devices))];
  return new Set(entries.map((e) => (e as { model?: unknown } | null)?.model).filter((m): m is string => typeof m === 'string'));
}

/**
 * Reads and validates a config file, then checks that the files it names (TLS material, password) are
 * readable, so a typo is a config error at check time rather than a restart loop in the field.
 */
export function loadConfigFile(file: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [ruleProblem('', 'ANJU_CFG_CANNOT_READ', { detail: (err as Error).message })] };
  }
  return validateConfigText(text);
}

/** `parseConfig` plus the check that the files the config names are readable. */
export const validateConfigText = bounded((text: string): ConfigResult => {
  const r = parseConfig(text);
  return r.ok ? withProblems(text, r, unreadableFiles(r.config)) : r;
});

/**
 * A config received from the cloud (set-config over MQTT): `validateConfigText` plus the remote
 * policy (remote-policy.ts). The policy comes first: a file it refuses is never probed, so the
 * reply does not even tell the sender whether such a file exists.
 */
export const validateRemoteConfigText = bounded((text: string, ctx: RemoteContext): ConfigResult => {
  const r = parseConfig(text);
  if (!r.ok) return r;
  const refused = remoteConfigProblems(r.config, ctx);
  return withProblems(text, r, refused.length > 0 ? refused : unreadableFiles(r.config));
});

function unreadableFiles(config: Readonly<Config>): ConfigProblem[] {
  const u = config.uplink;
  const files: Array<[string, string | undefined, string]> = [
    ['uplink.tls.ca', u.tls.ca, ruleText('ANJU_CFG_READABLE_PEM')],
    ['uplink.tls.cert', u.tls.cert, ruleText('ANJU_CFG_READABLE_PEM')],
    ['uplink.tls.key', u.tls.key, ruleText('ANJU_CFG_READABLE_PEM')],
    ['uplink.password_file', u.password_file, ruleText('ANJU_CFG_READABLE_PASSWORD')],
  ];
  const missing: ConfigProblem[] = [];
  for (const [path, f, expected] of files) {
    if (f === undefined) continue;
    try {
      accessSync(f, constants.R_OK); // relative paths: from the working directory, as anjud opens them
    } catch (err) {
      missing.push(ruleProblem(path, 'ANJU_CFG_FILE_UNREADABLE', {}, { expected, found: `${f} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }));
    }
  }
  return missing;
}

/** The valid `r` when there are no problems; else the problems, each placed in the text. */
function withProblems(text: string, r: ConfigResult, problems: ConfigProblem[]): ConfigResult {
  if (problems.length === 0) return r;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  return { ok: false, problems: problems.map((p) => ({ ...p, ...locate(doc, lc, p.path) })) };
}

/**
 * Checked on the raw document rather than as a schema refinement, so it is reported together with
 * every other problem (zod skips refinements once a field inside has failed).
 */
function duplicateDeviceIds(data: unknown): ConfigProblem[] {
  const doc = data as { devices?: unknown; modbus?: unknown } | null;
  const entries: Array<{ id: unknown; path: string }> = [];
  if (Array.isArray(doc?.devices)) doc.devices.forEach((d: unknown, i) => entries.push({ id: (d as { id?: unknown } | null)?.id, path: `devices[${i}].id` }));
  if (Array.isArray(doc?.modbus)) {
    doc.modbus.forEach((b: unknown, i) => {
      const devs = (b as { devices?: unknown } | null)?.devices;
      if (Array.isArray(devs)) devs.forEach((d: unknown, j) => entries.push({ id: (d as { id?: unknown } | null)?.id, path: `modbus[${i}].devices[${j}].id` }));
    });
  }
  const seen = new Map<string, string>();
  const out: ConfigProblem[] = [];
  for (const { id, path } of entries) {
    if (typeof id !== 'string') continue;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, path);
    else out.push(ruleProblem(path, 'ANJU_CFG_DUPLICATE_ID', {}, { expected: ruleText('ANJU_CFG_UNIQUE_ID'), found: ruleText('ANJU_CFG_ALSO_AT', { id, path: first }) }));
  }
  return out;
}
