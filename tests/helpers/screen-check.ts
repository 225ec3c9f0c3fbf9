import stringWidth from 'string-width';
import { stripAnsi } from './tmux.js';

/**
 * Checks on a captured terminal screen (tests/helpers/tmux.ts): what language it speaks, and whether
 * its tables line up as a person sees them (display columns: CJK 2 wide, colour codes 0).
 */

/**
 * English words left on a Chinese screen: ANSI stripped, then every token that may stay (paths,
 * ids, urls, config keys with dots, `commands`, and the `allowed` words) removed; what remains of
 * 3 or more ASCII letters is a word nobody translated.
 */
export function untranslatedWords(screen: string, allowed: readonly string[]): string[] {
  let s = stripAnsi(screen);
  s = s.replace(/`[^`]*`/g, ' ') // a command to type, quoted as such
    .replace(/\b(?:sudo )?(?:anjuctl|journalctl|systemctl|timedatectl|bluetoothctl|rfkill|resolvectl)\b[^，。；：、）\n]*/g, ' ') // ... or unquoted, up to CJK punctuation
    .replace(/(?:^|\s)--?[a-z][\w-]*/g, ' ') // option flags
    .replace(/\S*[/\\]\S*/g, ' ') // paths, urls, fractions
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\b[0-9a-f]{4,}\b/gi, ' ') // event ids, hashes
    .replace(/\b\w+:\w+\b/g, ' ') // who took an alarm (technician:li, walktest:root): an id the cloud sees
    .replace(/[A-Za-z_]\w*(?:\[[^\]\s]*\])?(?:\.[A-Za-z_]\w*(?:\[[^\]\s]*\])?)+/g, ' ') // config key paths: devices[hall].model
    .replace(/\b[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)+\b/g, ' '); // device ids, model names, hub ids
  const allow = new Set(allowed.map((w) => w.toLowerCase()));
  return [...s.matchAll(/[A-Za-z]{3,}/g)].map((m) => m[0]).filter((w) => !allow.has(w.toLowerCase()));
}

/** Chinese (CJK ideographs and full-width punctuation) on a screen that should be English. */
export function cjkLeaks(screen: string): string[] {
  return [...stripAnsi(screen).matchAll(/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+/g)].map((m) => m[0]);
}

/** Display columns where the cells of a table line start (cells are separated by 2+ spaces). */
export function cellStarts(line: string): number[] {
  const plain = stripAnsi(line);
  const starts: number[] = [];
  for (const m of plain.matchAll(/(?:^|\s{2,})(\S)/g)) {
    const at = (m.index ?? 0) + m[0].length - 1;
    starts.push(stringWidth(plain.slice(0, at)));
  }
  return starts;
}

/**
 * The table whose header line contains `headerHas`: its header's column starts and each row's, as
 * read from the screen. Rows are the non-empty lines after the header up to the first empty one.
 */
export function tableColumns(screen: string, headerHas: string): { header: number[]; rows: number[][]; lines: string[] } {
  const lines = screen.split('\n');
  const h = lines.findIndex((l) => stripAnsi(l).includes(headerHas));
  if (h < 0) throw new Error(`no table with a header containing ${headerHas} on the screen:\n${stripAnsi(screen)}`);
  const body: string[] = [];
  for (const l of lines.slice(h + 1)) {
    if (stripAnsi(l).trim() === '' || /^@@\d+ \d+$/.test(stripAnsi(l))) break;
    body.push(l);
  }
  return { header: cellStarts(lines[h]!), rows: body.map(cellStarts), lines: [lines[h]!, ...body] };
}
