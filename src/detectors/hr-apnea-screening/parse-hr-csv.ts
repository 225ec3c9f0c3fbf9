import type { Beat } from './screener.js';

/**
 * Parses the Apnea-ECG heart-rate series format: `t_s,hr_bpm`, one row per beat, an optional
 * header line, blank lines allowed. Pure (text in, values out) so the CLI and tests share it.
 * Rows that are not two numbers are skipped and reported with their line numbers; whether a file
 * with bad rows is still usable is the caller's decision (see `judgeParse`).
 */
export interface ParsedSeries {
  readonly beats: Beat[];
  /** 1-based line numbers of skipped rows (all of them; a night has ~30k rows at most). */
  readonly badLines: number[];
  readonly hadHeader: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseHrCsv(text: string): ParsedSeries {
  const beats: Beat[] = [];
  const badLines: number[] = [];
  let hadHeader = false;
  let seenRow = false;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo += 1;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    const ok = fields.length === 2 && NUMBER.test(fields[0]!) && NUMBER.test(fields[1]!);
    if (ok) beats.push({ tS: Number(fields[0]), hrBpm: Number(fields[1]) });
    // A non-numeric first row is the header; any later non-numeric row is malformed.
    else if (!seenRow && !hadHeader && fields.length === 2) hadHeader = true;
    else badLines.push(lineNo);
    seenRow = true;
  }
  return { beats, badLines, hadHeader };
}

export interface ParseProblem {
  /** 1-based line of the first bad row, or null when the file has no rows at all. */
  readonly line: number | null;
  /** A stable code for the reader's-language text (anjuctl's catalogue), with `bad`/`rows` where it counts. */
  readonly code: 'no_valid_row' | 'no_rows' | 'mostly_malformed';
  readonly bad?: number;
  readonly rows?: number;
  /** In English, for --json and logs. */
  readonly message: string;
}

/**
 * A file is unusable when it has no beat at all or when bad rows outnumber good ones (it is
 * then not this format, and guessing would screen garbage). Returns the problem, or null.
 */
export function judgeParse(p: ParsedSeries): ParseProblem | null {
  const first = p.badLines[0] ?? null;
  if (p.beats.length === 0) {
    return first !== null
      ? { line: first, code: 'no_valid_row', message: 'expected "t_s,hr_bpm" (two numbers); no valid row in the file' }
      : { line: null, code: 'no_rows', message: 'no rows (expected "t_s,hr_bpm" lines)' };
  }
  if (p.badLines.length > p.beats.length) {
    const bad = p.badLines.length;
    const rows = bad + p.beats.length;
    return { line: first, code: 'mostly_malformed', bad, rows, message: `expected "t_s,hr_bpm" (two numbers); ${bad} of ${rows} rows are malformed` };
  }
  return null;
}
