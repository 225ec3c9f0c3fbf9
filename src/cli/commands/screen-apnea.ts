/**
 * `anjuctl screen-apnea FILE`: runs the heart-rate apnea screening offline, through the same
 * streaming core the daemon uses, on a series in the Apnea-ECG format (`t_s,hr_bpm`, one row per
 * beat, gzipped or not, header optional).
 *
 * stdout is exactly two lines: one letter per minute (A/N, minute k covers t_s in [60k, 60k+60),
 * as in the dataset's .apn.txt) and the night's class (A, B or C). Problems go to stderr as
 * `FILE:LINE: message`; an unreadable or unusable file exits 1, never with a stack trace.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { judgeParse, parseHrCsv, screenSeries } from '../../detectors/hr-apnea-screening/index.js';
import { fileErrorReason } from '../file-errors.js';

export interface CommandOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** How many skipped line numbers to name before summarising the rest. */
const LINES_SHOWN = 5;

const reason = fileErrorReason;

export function runScreenApnea(file: string, opts: { verbose?: boolean } = {}): CommandOutput {
  const fail = (msg: string): CommandOutput => ({ exitCode: 1, stdout: '', stderr: `${msg}\n` });
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return fail(`${file}: cannot read: ${reason(err)}`);
  }
  // Gzip is recognised by its magic bytes, not the name, so a renamed file still works.
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      return fail(`${file}: not a valid gzip file: ${reason(err)}`);
    }
  }
  const parsed = parseHrCsv(bytes.toString('utf8'));
  const unusable = judgeParse(parsed);
  if (unusable !== null) return fail(unusable.line !== null ? `${file}:${unusable.line}: ${unusable.message}` : `${file}: ${unusable.message}`);

  let stderr = '';
  const bad = parsed.badLines;
  if (bad.length > 0) {
    const shown = bad.slice(0, LINES_SHOWN).join(', ') + (bad.length > LINES_SHOWN ? `, ... (${bad.length - LINES_SHOWN} more)` : '');
    stderr += `${file}: skipped ${bad.length} malformed row(s) (expected "t_s,hr_bpm"): line${bad.length > 1 ? 's' : ''} ${shown}\n`;
  }
  const r = screenSeries(parsed.beats);
  if (r.minutes.length === 0) return fail(`${file}: no beat at or after t_s = 0; nothing to screen`);
  if (r.beatsIgnored > 0) stderr += `${file}: ignored ${r.beatsIgnored} beat(s) before t_s = 0 or after 24 h\n`;
  if (opts.verbose) {
    stderr +=
      `${file}: ${r.minutes.length} minutes (${r.minutesAnalysed} analysed, ${r.minutesRejected} rejected), ` +
      `${r.beatsTotal} beats (${r.beatsRejected} rejected as artefact), ${r.apneaMinutes} apnea minutes, class ${r.cls}\n`;
  }
  return { exitCode: 0, stdout: `${r.minutes.join('')}\n${r.cls}\n`, stderr };
}

export function registerScreenApnea(program: Command): void {
  program
    .command('screen-apnea')
    .argument('<file>', 'heart-rate series: t_s,hr_bpm per beat (gzipped or not, header optional)')
    .option('-v, --verbose', 'also print minutes analysed/rejected and beats rejected to stderr')
    .description('screen a night for sleep apnea from heart rate: prints one A/N per minute, then the class A/B/C')
    .action((file: string, opts: { verbose?: boolean }) => {
      let out: CommandOutput;
      try {
        out = runScreenApnea(file, opts);
      } catch (err) {
        // A bug must still not print a stack trace at a technician.
        out = { exitCode: 1, stdout: '', stderr: `${file}: screening failed: ${reason(err)}\n` };
      }
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
    });
}
