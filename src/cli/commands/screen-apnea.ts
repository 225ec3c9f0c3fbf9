/**
 * `anjuctl screen-apnea FILE`: runs the heart-rate apnea screening offline, through the same
 * streaming core the daemon uses, on a series in the Apnea-ECG format (`t_s,hr_bpm`, one row per
 * beat, gzipped or not, header optional).
 *
 * stdout is exactly two lines: one letter per minute (A/N, minute k covers t_s in [60k, 60k+60),
 * as in the dataset's .apn.txt) and the night's class (A, B or C). Problems go to stderr as
 * `FILE:LINE: message`; an unreadable or unusable file exits 1, never with a stack trace.
 * With --json, stdout is one JSON object instead (minutes, class and the counts; or ok false and
 * the error), in English whatever --lang says.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { judgeParse, parseHrCsv, screenSeries } from '../../detectors/hr-apnea-screening/index.js';
import { fileErrorReason } from '../file-errors.js';
import { pickLang, t, type Lang } from '../i18n.js';

export interface CommandOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** How many skipped line numbers to name before summarising the rest. */
const LINES_SHOWN = 5;

/** judgeParse's codes: the catalogue's words for why a file cannot be screened. */
const UNUSABLE = { no_valid_row: 'saNoValidRow', no_rows: 'saNoRows', mostly_malformed: 'saMostlyMalformed' } as const;

export function runScreenApnea(file: string, opts: { verbose?: boolean; json?: boolean; lang?: Lang } = {}): CommandOutput {
  const lang = opts.json ? 'en' : opts.lang ?? 'en';
  const fail = (msg: string): CommandOutput => (opts.json
    ? { exitCode: 1, stdout: `${JSON.stringify({ ok: false, file, error: msg })}\n`, stderr: '' }
    : { exitCode: 1, stdout: '', stderr: `${msg}\n` });
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return fail(t(lang, 'rpCannotRead', { file, error: fileErrorReason(err, lang) }));
  }
  // Gzip is recognised by its magic bytes, not the name, so a renamed file still works.
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      return fail(t(lang, 'saNotGzip', { file, error: fileErrorReason(err, lang) }));
    }
  }
  const parsed = parseHrCsv(bytes.toString('utf8'));
  const unusable = judgeParse(parsed);
  if (unusable !== null) {
    const message = t(lang, UNUSABLE[unusable.code], { bad: unusable.bad ?? 0, rows: unusable.rows ?? 0 });
    return fail(t(lang, 'saUnusable', { where: unusable.line !== null ? `${file}:${unusable.line}` : file, message }));
  }

  let stderr = '';
  const bad = parsed.badLines;
  if (bad.length > 0) {
    const shown = bad.slice(0, LINES_SHOWN).join(', ') + (bad.length > LINES_SHOWN ? `, ${t(lang, 'rpMore', { n: bad.length - LINES_SHOWN })}` : '');
    stderr += `${t(lang, 'saSkippedRows', { file, n: bad.length, lines: t(lang, bad.length > 1 ? 'rpLinesMany' : 'rpLinesOne', { list: shown }) })}\n`;
  }
  const r = screenSeries(parsed.beats);
  if (r.minutes.length === 0) return fail(t(lang, 'saNoBeat', { file }));
  if (r.beatsIgnored > 0) stderr += `${t(lang, 'saIgnored', { file, n: r.beatsIgnored })}\n`;
  if (opts.json) {
    const counts = { minutesAnalysed: r.minutesAnalysed, minutesRejected: r.minutesRejected, beatsTotal: r.beatsTotal, beatsRejected: r.beatsRejected, beatsIgnored: r.beatsIgnored, apneaMinutes: r.apneaMinutes };
    return { exitCode: 0, stdout: `${JSON.stringify({ ok: true, file, minutes: r.minutes.join(''), class: r.cls, ...counts, badLines: bad })}\n`, stderr: '' };
  }
  if (opts.verbose) {
    stderr += `${t(lang, 'saVerbose', { file, minutes: r.minutes.length, analysed: r.minutesAnalysed, rejected: r.minutesRejected, beats: r.beatsTotal, beatsRejected: r.beatsRejected, apnea: r.apneaMinutes, cls: r.cls })}\n`;
  }
  return { exitCode: 0, stdout: `${r.minutes.join('')}\n${r.cls}\n`, stderr };
}

export function screenApneaCommand(file: string, opts: { verbose?: boolean }, cmd: Command): void {
  const g = cmd.optsWithGlobals<{ json?: boolean; lang?: string }>();
  const lang = pickLang(g.lang);
  let out: CommandOutput;
  try {
    out = runScreenApnea(file, { ...opts, json: g.json === true, lang });
  } catch (err) {
    // A bug must still not print a stack trace at a technician.
    const error = t(g.json ? 'en' : lang, 'saFailed', { file, error: fileErrorReason(err, g.json ? 'en' : lang) });
    out = g.json ? { exitCode: 1, stdout: `${JSON.stringify({ ok: false, file, error })}\n`, stderr: '' } : { exitCode: 1, stdout: '', stderr: `${error}\n` };
  }
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  process.exitCode = out.exitCode;
}
