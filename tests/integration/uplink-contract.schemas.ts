/**
 * Tools of tests/integration/uplink-contract.test.ts: the JSON Schemas in docs/schema/ as zod
 * validators (z.fromJSONSchema), the keywords they may use, and the "no undocumented field" check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ROOT } from '../helpers/daemon-process.js';

export type Json = Record<string, unknown>;
type Node = Json | boolean;

export const SCHEMA_DIR = join(ROOT, 'docs/schema');
export const UPLINK_MD = join(ROOT, 'docs/uplink.md');
export const schemaFiles = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
export const schemas: Record<string, Json> = Object.fromEntries(schemaFiles.map((f) => [f, JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as Json]));
const compiled = new Map<string, z.ZodType>();

/** The zod validator of a schema file, or of one of its $defs. */
export function validator(file: string, def?: string): z.ZodType {
  const key = def ? `${file}#${def}` : file;
  let v = compiled.get(key);
  if (!v) {
    const root = schemas[file];
    if (!root) throw new Error(`docs/schema/${file} does not exist`);
    const schema = def ? { $schema: root.$schema, $defs: root.$defs, $ref: `#/$defs/${def}` } : root;
    v = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    compiled.set(key, v);
  }
  return v;
}

export function check(file: string, value: unknown, def?: string): string[] {
  const r = validator(file, def).safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${file}${def ? `#${def}` : ''} ${i.path.join('.') || '(root)'}: ${i.message}`);
}

/**
 * The schema keywords these schemas may use: what z.fromJSONSchema enforces (zod 4.x,
 * classic/from-json-schema.js), plus pure annotations. Anything else would be ignored or throw,
 * so the schema would promise more than the test checks.
 */
const KEYWORDS = new Set([
  '$schema', '$id', '$defs', '$ref', 'title', 'description', 'examples', 'default',
  'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items',
  'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'oneOf', 'anyOf', 'prefixItems', 'minItems', 'maxItems',
]);

export function unsupportedKeywords(node: Node, path: string): string[] {
  if (typeof node === 'boolean') return [];
  const out: string[] = [];
  // z.fromJSONSchema enforces `required` only for names listed in the same object's `properties`.
  for (const r of (node.required as string[] | undefined) ?? []) {
    if (!Object.hasOwn((node.properties as Json | undefined) ?? {}, r)) out.push(`${path}.required: ${r} is not in properties`);
  }
  for (const [k, v] of Object.entries(node)) {
    if (!KEYWORDS.has(k)) out.push(`${path}.${k}`);
    if ((k === 'properties' || k === '$defs') && v && typeof v === 'object') {
      for (const [n, s] of Object.entries(v as Json)) out.push(...unsupportedKeywords(s as Node, `${path}.${k}.${n}`));
    }
    if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') out.push(...unsupportedKeywords(v as Node, `${path}.${k}`));
    if ((k === 'oneOf' || k === 'anyOf' || k === 'prefixItems') && Array.isArray(v)) v.forEach((s, i) => out.push(...unsupportedKeywords(s as Node, `${path}.${k}[${i}]`)));
  }
  return out;
}

/** A node and every branch of its oneOf/anyOf, with $refs resolved. */
function branches(root: Json, node: Node | undefined): Json[] {
  let n = node;
  while (n && typeof n === 'object' && typeof n.$ref === 'string') n = (root.$defs as Record<string, Node>)[n.$ref.replace('#/$defs/', '')];
  if (!n || typeof n !== 'object') return [];
  return [n, ...(['oneOf', 'anyOf'] as const).flatMap((k) => ((n as Json)[k] as Node[] | undefined ?? []).flatMap((b) => branches(root, b)))];
}

/**
 * Fields the value carries that the schema does not list. An object schema without `properties` is
 * free-form by design (an event's data, get-status diagnostics) and is not looked into.
 */
export function undocumented(root: Json, node: Node, value: unknown, path = '$'): string[] {
  // A oneOf branch discriminated by `const` properties (event.v1.json: type and state) speaks only
  // for the values it matches: its data $ref is not the documentation of another type's data.
  const matches = (n: Json): boolean => value === null || typeof value !== 'object' || Array.isArray(value)
    || Object.entries((n.properties as Record<string, Node> | undefined) ?? {}).every(([k, s]) => typeof s !== 'object' || !('const' in s) || !Object.hasOwn(value, k) || (value as Json)[k] === s.const);
  const nodes = branches(root, node).filter(matches);
  if (Array.isArray(value)) {
    const items = nodes.map((n) => n.items as Node | undefined).filter((x): x is Node => x !== undefined);
    return [...new Set(value.flatMap((v, i) => items.flatMap((it) => undocumented(root, it, v, `${path}[${i}]`))))];
  }
  if (value === null || typeof value !== 'object') return [];
  const withProps = nodes.filter((n) => n.properties && typeof n.properties === 'object');
  if (withProps.length === 0) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const subs = withProps.map((n) => (n.properties as Record<string, Node>)[k]).filter((s) => s !== undefined);
    if (subs.length === 0) out.push(`${path}.${k}`);
    for (const s of subs) if (typeof s === 'object') out.push(...undocumented(root, s, v, `${path}.${k}`));
  }
  return [...new Set(out)];
}

/** Validation problems of one hub -> cloud message (schema, data $defs, undocumented fields). */
export function problems(file: string, body: unknown): string[] {
  const root = schemas[file]!;
  const out = [...check(file, body), ...undocumented(root, root, body).map((p) => `${file}: undocumented field ${p}`)];
  const b = body as Json;
  if (file === 'event.v1.json' && typeof b.type === 'string') {
    const def = `${b.type}.${String(b.state)}`;
    if (!(root.$defs as Json)[def]) out.push(`event.v1.json: no $defs/${def} documents the data of ${b.type} ${String(b.state)}`);
    // Its data's fields are walked with the message: the oneOf branch of its type and state (since issue 16).
    else out.push(...check(file, b.data, def));
  }
  if (file === 'command-response.v1.json' && b.ok === true && b.data !== undefined) {
    const def = `data.${String(b.cmd)}`;
    if (!(root.$defs as Json)[def]) out.push(`command-response.v1.json: no $defs/${def}`);
    else out.push(...check(file, b.data, def), ...undocumented(root, { $ref: `#/$defs/${def}` }, b.data, '$.data').map((p) => `response ${def}: undocumented field ${p}`));
  }
  return out;
}

/**
 * String literals in src/ that match `re` (error codes, event types): what the docs must cover. Only
 * files git knows (committed or staged), so a colleague's untracked work in progress does not fail
 * this test before it is even added; without git, every file.
 */
export function literalsInSrc(re: RegExp): string[] {
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '-z', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f.endsWith('.ts'));
  } catch {
    files = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(d, e.name));
      }
    };
    walk('src');
  }
  const found = new Set<string>();
  for (const f of files) if (existsSync(join(ROOT, f))) for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(re)) found.add(m[1]!);
  return [...found].sort();
}
