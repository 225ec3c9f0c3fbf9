import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { check, type FuzzTarget } from '../target.js';

const read = (name: string): string[] => readFileSync(fileURLToPath(new URL(`../../config/${name}`, import.meta.url)), 'utf8').split('\n');

const TOKENS = ['', ' ', '  ', '- ', ': ', '&a ', '*a', '!!binary ', '{', '}', '[', ']', '"', "'", '#', '|', '>', '---', '...', '~', 'null', 'true', '0x10',
  '1e400', '-1', '.inf', '.nan', '2026-12-07', '\t', '\u0000', '\u2028', '\ud800', '%YAML 1.2', '<<: *a', '? ', 'devices:', 'uplink:', 'hub:', 'id: x'];

type Edit = { op: 'delete' | 'duplicate' | 'replace' | 'insert' | 'indent'; at: number; text: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'replace', 'insert', 'indent'),
  at: fc.nat(),
  text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 20 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 }).map((t) => t.join(''))),
});

function mutate(lines: readonly string[], edits: readonly Edit[]): string {
  const out = [...lines];
  for (const e of edits) {
    const i = e.at % Math.max(out.length, 1);
    if (e.op === 'delete') out.splice(i, 1);
    else if (e.op === 'duplicate') out.splice(i, 0, out[i] ?? '');
    else if (e.op === 'replace') out[i] = (out[i] ?? '').slice(0, e.at % 7) + e.text;
    else if (e.op === 'insert') out.splice(i, 0, e.text);
    else out[i] = `${' '.repeat(e.at % 5)}${(out[i] ?? '').trimStart()}`;
  }
  return out.join('\n');
}

const TOP = ['hub', 'uplink', 'devices', 'detectors', 'modbus', 'zigbee', 'ble', 'store', 'control', 'device_profiles', 'logging'];

export const config: FuzzTarget = {
  name: 'config-yaml',
  covers: ['src/config/parse-yaml.ts', 'src/config/load.ts parseConfig', 'src/config/schema.ts (and every schema it composes)'],
  holds: 'any text (mutated shipped configs, YAML of random documents, random strings): never throws and no throw caught by the last-resort '
    + 'guard ("cannot validate this config"); a frozen config or at most 21 problems, each with a path and a message',
  quickRuns: 150,
  property: () => fc.property(
    fc.oneof(
      // Shipped configs, the seeds the mutations start from: most of a mutated config is still valid.
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(read('demo.yaml'), read('anju.example.yaml')), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([lines, edits]) => mutate(lines, edits)) },
      { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...TOP), fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }).map((d) => stringify(d)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    ),
    (text) => {
      const r = parseConfig(text);
      if (r.ok) {
        check(Object.isFrozen(r.config) && Object.isFrozen(r.config.uplink), 'a valid config is frozen');
        return;
      }
      check(r.problems.length > 0 && r.problems.length <= 21, `${r.problems.length} problems`);
      for (const p of r.problems) {
        check(typeof p.path === 'string' && typeof p.message === 'string' && p.message.length > 0, `problem ${JSON.stringify(p)}`);
        check(!p.message.startsWith('cannot validate this config'), `a throw escaped the validator: ${p.message}\n--- text ---\n${text.slice(0, 2000)}`);
      }
    },
  ),
};
