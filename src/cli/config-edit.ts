import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLSeq } from 'yaml';
import { worded, type Worded } from './i18n.js';

/**
 * Adds or removes one device in the text of a config file, for `anjuctl devices add|remove`.
 *
 * Only the lines of that device change: the yaml Document API finds where the device list is (node
 * ranges) and writes the new entry (in the style of its neighbours: a one-line flow map next to
 * flow maps, a block map next to block maps); the edit is spliced into the original text. Printing
 * the whole Document again would move comments and re-fold long lines elsewhere in a file the
 * technician or the installer wrote by hand.
 *
 * Every edit is checked: the edited text, parsed, must equal the original with exactly that entry
 * added or removed; otherwise the edit is refused (`unsafe`), never written.
 */
export type Edit = { ok: true; text: string } | ({ ok: false; reason: 'yaml' | 'unsafe' } & Worded);

type Path = Array<string | number>;

/** Appends `entry` to the list at `path` (`['devices']`, `['modbus', 0, 'devices']`), creating the list when missing. */
export function appendToList(text: string, path: Path, entry: unknown): Edit {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, reason: 'yaml', message: doc.errors[0]!.message.split('\n')[0]! };
  const before = doc.toJS() as unknown;
  const seq = doc.getIn(path, true) as Node | undefined;
  let out: string;
  if (isSeq(seq) && !seq.flow && seq.items.length > 0 && seq.range) {
    const last = seq.items[seq.items.length - 1] as Node;
    const at = lineEndAfter(text, last.range![2]);
    const dashCol = columnOf(text, dashLineStart(text, (seq.items[0] as Node).range![0]).dash);
    const flow = seq.items.every((i) => isMap(i) && i.flow);
    out = splice(text, at, at, itemText(entry, dashCol, flow));
  } else if (isSeq(seq) && seq.flow && seq.range) {
    const items = [...(seq.toJSON() as unknown[]), entry];
    out = splice(text, seq.range[0], seq.range[1], flowText(items));
  } else {
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1]!;
    const parent = parentPath.length ? (doc.getIn(parentPath, true) as Node | undefined) : (doc.contents as Node | null);
    if (!isMap(parent)) return { ok: false, reason: 'unsafe', ...(parentPath.length ? worded('ceNotMapping', { path: parentPath.join('.') }) : worded('ceDocNotMapping')) };
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node | null> | undefined;
    if (pair && pair.value && !(isScalar(pair.value) && pair.value.value === null)) {
      return { ok: false, reason: 'unsafe', ...worded('ceNotList', { path: path.join('.') }) };
    }
    if (pair && isScalar(pair.key) && pair.key.range) {
      // `devices:` with nothing after it: the list goes under the key.
      const col = columnOf(text, pair.key.range[0]);
      const at = text.indexOf('\n', pair.key.range[1]);
      const end = at < 0 ? text.length : at;
      out = splice(text, pair.key.range[1], end, `:\n${itemText(entry, col + 2, true).replace(/\n$/, '')}`);
    } else if (parent === doc.contents && parent.range) {
      const sep = text.endsWith('\n') || text.length === 0 ? '' : '\n';
      out = `${text}${sep}${String(key)}:\n${itemText(entry, 2, true)}`;
    } else if (parent.flow && parent.range) {
      // A flow mapping (`{ id: bus, rtu: {...} }` without devices): rewrite just that mapping.
      const obj = { ...(parent.toJSON() as Record<string, unknown>), [key]: [entry] };
      out = splice(text, parent.range[0], parent.range[1], flowText(obj));
    } else if (parent.range) {
      const lastPair = parent.items[parent.items.length - 1] as Pair<Node, Node | null>;
      const col = columnOf(text, (lastPair.key as Node).range![0]);
      const at = lineEndAfter(text, (lastPair.value ?? lastPair.key)!.range![2]);
      out = splice(text, at, at, `${' '.repeat(col)}${String(key)}:\n${itemText(entry, col + 2, true)}`);
    } else {
      return { ok: false, reason: 'unsafe', ...worded('ceNoPlace', { path: path.join('.') }) };
    }
  }
  return checked(out, () => {
    const expected = structuredClone(before) as Record<string, unknown>;
    const list = getIn(expected, path);
    if (Array.isArray(list)) list.push(entry);
    else setIn(expected, path, [entry]);
    return expected;
  });
}

/** Removes item `index` of the list at `path`; an emptied list is written as `[]`. */
export function removeFromList(text: string, path: Path, index: number): Edit {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, reason: 'yaml', message: doc.errors[0]!.message.split('\n')[0]! };
  const before = doc.toJS() as unknown;
  const seq = doc.getIn(path, true) as YAMLSeq<Node> | undefined;
  if (!isSeq(seq) || !seq.range || !seq.items[index]) return { ok: false, reason: 'unsafe', ...worded('ceNoItem', { index, path: path.join('.') }) };
  let out: string;
  if (seq.flow || seq.items.length === 1) {
    const items = (seq.toJSON() as unknown[]).filter((_, i) => i !== index);
    if (seq.flow) out = splice(text, seq.range[0], seq.range[1], flowText(items));
    else {
      // The only item: the list becomes `[]` right after its key (a bare `devices:` would be null).
      const item = seq.items[0]!;
      const start = dashLineStart(text, item.range![0]).lineStart;
      const keyEnd = text.lastIndexOf(':', start);
      out = splice(text, keyEnd + 1, lineEndAfter(text, item.range![2]), ' []\n');
    }
  } else {
    const item = seq.items[index]!;
    const start = dashLineStart(text, item.range![0]).lineStart;
    out = splice(text, start, lineEndAfter(text, item.range![2]), '');
  }
  return checked(out, () => {
    const expected = structuredClone(before) as Record<string, unknown>;
    (getIn(expected, path) as unknown[]).splice(index, 1);
    return expected;
  });
}

function checked(out: string, expected: () => unknown): Edit {
  const doc = parseDocument(out);
  if (doc.errors.length > 0) return { ok: false, reason: 'unsafe', ...worded('ceWouldNotParse', { error: doc.errors[0]!.message.split('\n')[0]! }) };
  if (!isDeepStrictEqual(doc.toJS(), expected())) return { ok: false, reason: 'unsafe', ...worded('ceChangesMore') };
  return { ok: true, text: out };
}

const splice = (s: string, from: number, to: number, insert: string) => s.slice(0, from) + insert + s.slice(to);

function columnOf(text: string, pos: number): number {
  return pos - (text.lastIndexOf('\n', pos - 1) + 1);
}

/** Just after the end of the line holding position `pos - 1` (a node's end), newline included. */
function lineEndAfter(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === '\n') return pos;
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * The `-` of a block list item whose node starts at `pos`: on the same line (`- id: a`), or on a line
 * above with only a comment after it (`- # the bedroom radar` then `  id: a`).
 */
function dashLineStart(text: string, pos: number): { lineStart: number; dash: number } {
  let lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  for (let n = 0; n < 50; n++) {
    const upto = text.slice(lineStart, n === 0 ? pos : text.indexOf('\n', lineStart));
    const trimmed = upto.trimStart();
    if (trimmed.startsWith('-')) return { lineStart, dash: lineStart + upto.length - trimmed.length };
    if (n > 0 && !trimmed.startsWith('#') && trimmed !== '') break;
    if (lineStart === 0) break;
    lineStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  }
  const own = text.lastIndexOf('\n', pos - 1) + 1;
  return { lineStart: own, dash: pos };
}

/** One list item at indentation `col`: `- { ... }` on one line, or a block map under `- `. */
function itemText(entry: unknown, col: number, flow: boolean): string {
  const pad = ' '.repeat(col);
  if (flow) return `${pad}- ${flowText(entry)}\n`;
  const doc = new Document([entry]);
  return doc.toString({ lineWidth: 0 }).split('\n').filter((l) => l !== '').map((l) => `${pad}${l}\n`).join('');
}

function flowText(value: unknown): string {
  const doc = new Document(value);
  const node = doc.contents as Node & { flow?: boolean };
  if (isMap(node) || isSeq(node)) node.flow = true;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true }).trimEnd();
}

function getIn(o: unknown, path: Path): unknown {
  let cur = o;
  for (const k of path) cur = (cur as Record<string | number, unknown> | null)?.[k];
  return cur;
}

function setIn(o: Record<string, unknown>, path: Path, v: unknown): void {
  const parent = getIn(o, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = v;
}
