import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';

/**
 * Personal data out of what a support bundle carries (issue 16, point 4; PIPL, docs/privacy.md). By
 * field class, not by a fixed list of paths, so a section added later (the escalation ladder's
 * contacts, a resident block) is covered without touching this file:
 *  - names: a key `name`, `*_name`, `resident`, `person`, `relative`, `contact` or `nickname`;
 *  - phone numbers: a key `phone`, `mobile`, `tel`, `msisdn`, `*_phone`, `*_number`, and any E.164
 *    number (+ and 8 to 15 digits) anywhere in any text;
 *  - addresses: a key `address`, `addr`, `street`, `building`, `apartment`, `room_number`;
 *  - everything under a `contacts` or `residents` list or map.
 * The values found in the config are also scrubbed from every other file of the bundle (a name
 * logged in a journal line), except device names (often "bedroom radar": they are redacted in the
 * config only, or the bundle would lose the word everywhere). Identifiers the support needs stay:
 * hub and device ids, models, rooms, paths.
 */
export const PERSONAL = '[personal]';

const NAME = /^(?:name|.+_name|resident|person|relative|contact|nickname)$/i;
const PHONE = /^(?:phone|mobile|tel|telephone|msisdn|.+_phone|.+_number|phones)$/i;
const ADDRESS = /^(?:address|addr|street|building|apartment|room_number|.+_address)$/i;
const GROUP = /^(?:contacts|residents|escalation_contacts)$/i;
/** E.164: a plus and 8 to 15 digits (country code first), optionally grouped by spaces or dashes. */
const E164 = /\+[1-9](?:[ -]?\d){7,14}\b/g;

/** A device entry's `name` (under `devices:` or a Modbus bus's `devices:`): redacted in place only. */
const isDeviceName = (path: readonly unknown[]): boolean => path.some((n) => isPair(n) && isScalar(n.key) && n.key.value === 'devices');

export interface PersonalRedaction {
  /** The config text with personal values replaced, comments and layout kept. */
  readonly text: string;
  /** Values to scrub from every other file (never device names). */
  readonly values: readonly string[];
  /** How many values were replaced in the config. */
  readonly replaced: number;
}

export function redactPersonalConfig(text: string): PersonalRedaction {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    // Not YAML we can walk: line by line, by key class, and every phone number.
    const values: string[] = [];
    const lines = text.split('\n').map((l) => l.replace(/^(\s*-?\s*)([A-Za-z_]+)(\s*:\s*)(.+)$/, (all, lead: string, key: string, sep: string, value: string) => {
      if (!NAME.test(key) && !PHONE.test(key) && !ADDRESS.test(key)) return all;
      values.push(value.replace(/\s+#.*$/, '').replace(/^["']|["']$/g, '').trim());
      return `${lead}${key}${sep}"${PERSONAL}"`;
    }));
    return { text: scrubPersonal(lines.join('\n'), values), values: values.filter(long), replaced: values.length };
  }
  const values: string[] = [];
  let replaced = 0;
  visit(doc, {
    Pair(_, pair, path) {
      if (!isScalar(pair.key)) return undefined;
      const key = String(pair.key.value);
      const group = GROUP.test(key);
      if (!group && !NAME.test(key) && !PHONE.test(key) && !ADDRESS.test(key)) return undefined;
      // Scrubbed from the other files too: names (not a device's), phone numbers and addresses. The
      // rest of a contact (`relation: son`) is replaced here only: as a word it is everywhere.
      const everywhere = !group && !(NAME.test(key) && isDeviceName(path));
      for (const s of scalarsOf(pair.value)) {
        if (typeof s.value !== 'string' && typeof s.value !== 'number') continue;
        if (everywhere) values.push(String(s.value));
        s.value = PERSONAL;
        replaced++;
      }
      return undefined;
    },
  });
  return { text: scrubPersonal(stringify(doc), values), values: values.filter(long), replaced };
}

/** `text` without the given personal values and without any E.164 phone number. */
export function scrubPersonal(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...new Set(values.filter(long))].sort((a, b) => b.length - a.length)) out = out.split(v).join(PERSONAL);
  return out.replace(E164, PERSONAL);
}

/**
 * Shorter values would scrub ordinary words and numbers ("Li", "12", "son"); a Chinese name is often
 * two characters (李明), so text beyond ASCII counts from two.
 */
const long = (v: string): boolean => v !== PERSONAL && (/[^\x00-\x7f]/.test(v) ? v.trim().length >= 2 : v.trim().length >= 4);

function scalarsOf(node: unknown): Array<{ value: unknown }> {
  if (isScalar(node)) return [node];
  if (isSeq(node)) return node.items.flatMap(scalarsOf);
  if (isMap(node)) return node.items.flatMap((p) => scalarsOf(p.value));
  return [];
}

function stringify(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}
