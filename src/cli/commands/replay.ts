/**
 * `anjuctl replay FILE`: runs a recorded or scripted stream of readings through every detector the
 * daemon runs, and prints the events they raise. How a technician or a clinician checks a setting
 * offline: change it in a copy of the config, replay the same night, compare (docs/detectors.md).
 *
 * Input: JSON Lines, one reading per line, `{"ts": ms since the epoch, "device": "id", "metric":
 * "name", "value": number | boolean | string}` (metric names: src/detectors/METRICS.md). Blank lines
 * and lines starting with `#` are skipped; a line with only `ts` lets time pass without a reading
 * (the detectors are ticked up to it: "and nobody came back until 22:05"). Other keys are ignored.
 * A malformed line (not JSON, a wrong type, a device id that is not one, time going backwards) is
 * skipped, named on stderr as FILE:LINE, and counted; it never stops the replay. Gzipped files
 * (recognised by their magic bytes) are read as well.
 *
 * The daemon's own detector runner (src/pipeline/runner.ts, through src/pipeline/replay.ts): the same
 * slots, routing and tick order as anjud's ingest, with `detectorBindings(config)`
 * (src/pipeline/bindings.ts) of the config given by --config, or a built-in one with every detector
 * at its defaults. The clock is the readings' `ts`; the detectors are ticked every 5 s of replayed
 * time, as anjud does, before a reading at a later time (after the readings of one instant). What
 * is different, on purpose:
 * - no SQLite, no uplink: detector state lives in memory (restarts are the unit tests' business);
 * - the alarm lifecycle (src/alarms/alarms.ts) is not run: it only drops a second `raised` of an
 *   alarm already open (the detectors never send one) and adds reminders (`hub.alarm_reminder`), so
 *   the printed events are exactly the detectors' own;
 * - devices are the config's (serial, BLE and Modbus, `allDevices`: so device supervision sees one
 *   that never reports, with its class) plus every other id met in the stream (supervised with the
 *   `default` class, as the daemon's detectorBindings gives an unknown device). The home-mode device (`mode_device` of absence and inactivity, `hub` by
 *   default) is virtual: its `homeMode` readings go to the home-scope detectors only (METRICS.md).
 * Exit codes: 0 replayed (malformed lines included), 1 file unreadable, 2 usage, 78 invalid config.
 */
import { renderProblems } from '../config-problems.js';
import type { Command } from 'commander';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { EXIT_CONFIG } from '../../config/check.js';
import { allDevices } from '../../config/devices.js';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { MeasurementValue, Reading } from '../../core/reading.js';
import { detectorBindings } from '../../pipeline/bindings.js';
import { createReplayPipeline, type ReplayEvent } from '../../pipeline/replay.js';
import { DETECTOR_TICK_MS } from '../../pipeline/runner.js';
import { pickLang, severityName, stateName, t, typeName, type Lang } from '../i18n.js';
import { displayZone, formatLocalTime } from '../local-time.js';
import { fileErrorReason } from '../file-errors.js';

/** The daemon's detector tick period (src/pipeline/runner.ts). */
export const REPLAY_TICK_MS = DETECTOR_TICK_MS;

/** Device ids as the config allows them (src/config/schema.ts): also keeps '@home' (the home's snapshot key) out. */
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A config with nothing but defaults: what `replay` uses without --config. */
export const BUILT_IN_CONFIG = 'hub: { id: replay }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n';

export type ReplayLine =
  | { readonly kind: 'skip' }
  | { readonly kind: 'clock'; readonly ts: number }
  | { readonly kind: 'reading'; readonly reading: Reading }
  | { readonly kind: 'bad'; readonly reason: BadLineReason };

/** Why a line was skipped: a catalogue key (src/cli/messages/replay.ts), so it is said in the reader's language. */
export type BadLineReason = 'rpNotJson' | 'rpNotObject' | 'rpBadTs' | 'rpBadDevice' | 'rpBadMetric' | 'rpBadValue';

const isValue = (v: unknown): v is MeasurementValue => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** One line of a replay file. Pure; never throws. */
export function parseReplayLine(line: string): ReplayLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return { kind: 'skip' };
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { kind: 'bad', reason: 'rpNotJson' };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return { kind: 'bad', reason: 'rpNotObject' };
  const { ts, device, metric, value } = o as Record<string, unknown>;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) return { kind: 'bad', reason: 'rpBadTs' };
  if (device === undefined && metric === undefined && value === undefined) return { kind: 'clock', ts };
  if (typeof device !== 'string' || !DEVICE_ID.test(device)) return { kind: 'bad', reason: 'rpBadDevice' };
  if (typeof metric !== 'string' || metric === '') return { kind: 'bad', reason: 'rpBadMetric' };
  if (!isValue(value)) return { kind: 'bad', reason: 'rpBadValue' };
  return { kind: 'reading', reading: { ts, device, metric, value } };
}

/**
 * Local time of the home with its offset (src/cli/local-time.ts): hub.timezone of the config, else
 * this machine's zone, as every time anjuctl shows.
 */
export function formatTs(ts: number, timeZone: string | null): string {
  return formatLocalTime(ts, displayZone(timeZone));
}

export function formatEvent(e: ReplayEvent, json: boolean, timeZone: string | null, lang: Lang = 'en'): string {
  if (json) return JSON.stringify({ ts: e.ts, type: e.type, state: e.state, severity: e.severity, device: e.device, data: e.data });
  return `${formatTs(e.ts, timeZone)}  ${typeName(lang, e.type)} ${stateName(lang, e.state)}  ${severityName(lang, e.severity)}  ${e.device ?? '-'}  ${JSON.stringify(e.data)}`;
}

export interface ReplayOptions {
  readonly json: boolean;
  /** Replayed ms per wall ms; null = as fast as possible. */
  readonly speed: number | null;
  readonly config: Readonly<Config>;
}

export interface ReplayIo {
  out(line: string): void;
  err(line: string): void;
  /** The reader's language (summaries, skipped lines); event lines are data and JSON stays English. */
  lang?: Lang;
}

/** How many malformed lines are named one by one before the rest are only counted. */
const BAD_LINES_SHOWN = 20;


/** Opens FILE for streaming (gunzipping if it is gzip), or says why not. */
function openLines(file: string, lang: Lang): { lines: AsyncIterable<string>; failed: () => unknown } | { error: string } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      return { error: t(lang, 'feIsDirectory') };
    }
  } catch (err) {
    return { error: fileErrorReason(err, lang) };
  }
  const magic = Buffer.alloc(2);
  const n = readSync(fd, magic, 0, 2, 0);
  const raw = createReadStream('', { fd, start: 0 });
  let failure: unknown = null;
  const source = n === 2 && magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input: source, crlfDelay: Infinity });
  const fail = (e: unknown) => { failure ??= e; rl.close(); };
  raw.on('error', fail);
  source.on('error', fail);
  return { lines: rl, failed: () => failure };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The whole command; returns the exit code. */
export async function runReplay(file: string, opts: ReplayOptions, io: ReplayIo): Promise<number> {
  const lang = io.lang ?? 'en';
  const opened = openLines(file, lang);
  if ('error' in opened) {
    io.err(t(lang, 'rpCannotRead', { file, error: opened.error }));
    return 1;
  }
  const c = opts.config;
  const pipeline = createReplayPipeline(detectorBindings(c), {
    devices: allDevices(c).map((x) => x.id),
    virtualDevices: new Set([c.detectors.absence.mode_device, c.detectors.inactivity.mode_device]),
  });
  const tz = c.hub.timezone ?? null;
  const bad: number[] = [];
  let lineNo = 0;
  let readings = 0;
  let events = 0;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  const wallStart = performance.now();
  const print = (list: readonly ReplayEvent[]) => {
    for (const e of list) io.out(formatEvent(e, opts.json, tz, lang));
    events += list.length;
  };
  /** With --speed, waits until the wall clock reaches replayed time `ts`. */
  const pace = async (ts: number) => {
    if (opts.speed === null || firstTs === null) return;
    const due = wallStart + (ts - firstTs) / opts.speed - performance.now();
    if (due >= 1) await sleep(due);
  };

  for await (const line of opened.lines) {
    lineNo++;
    const p = parseReplayLine(line);
    if (p.kind === 'skip') continue;
    const ts = p.kind === 'bad' ? null : p.kind === 'clock' ? p.ts : p.reading.ts;
    // The clock never runs backwards (the daemon stamps readings as they arrive).
    const why = p.kind === 'bad' ? t(lang, p.reason) : ts !== null && lastTs !== null && ts < lastTs ? t(lang, 'rpBeforePrevious', { ts, previous: lastTs }) : null;
    if (why !== null || ts === null) {
      bad.push(lineNo);
      if (bad.length <= BAD_LINES_SHOWN) io.err(t(lang, 'rpSkipped', { file, line: lineNo, why: why ?? '' }));
      continue;
    }
    firstTs ??= ts;
    lastTs = ts;
    const clock = p.kind === 'clock';
    if (opts.speed !== null) {
      // Tick by tick, so that what a tick raises comes out at its own (scaled) time.
      for (let t = pipeline.nextTickAt(); t !== null && (t < ts || (clock && t === ts)); t = pipeline.nextTickAt()) {
        await pace(t);
        print(pipeline.advanceTo(t, true));
      }
    }
    await pace(ts);
    print(pipeline.advanceTo(ts, clock));
    if (p.kind === 'reading') {
      readings++;
      print(pipeline.feed(p.reading));
    }
  }
  const failure = opened.failed();
  if (failure !== null) {
    io.err(t(lang, 'rpCannotReadFurther', { file, line: lineNo, error: fileErrorReason(failure, lang) }));
    return 1;
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, BAD_LINES_SHOWN).join(', ') + (bad.length > BAD_LINES_SHOWN ? `, ${t(lang, 'rpMore', { n: bad.length - BAD_LINES_SHOWN })}` : '');
    io.err(t(lang, 'rpMalformed', { file, n: bad.length, lines: t(lang, bad.length > 1 ? 'rpLinesMany' : 'rpLinesOne', { list: shown }) }));
  }
  const span = firstTs === null || lastTs === null ? t(lang, 'rpNothing') : t(lang, 'rpSpan', { from: formatTs(firstTs, tz), to: formatTs(lastTs, tz) });
  io.err(t(lang, 'rpSummary', { file, readings, span, events }));
  return 0;
}

export async function replayCommand(file: string, o: { speed?: string; asFastAsPossible?: boolean }, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals<{ config?: string; json?: boolean; lang?: string }>();
  const lang = pickLang(g.lang);
  const err = (s: string) => process.stderr.write(`${s}\n`);
  let speed: number | null = null;
  if (o.speed !== undefined) {
    speed = Number(o.speed);
    if (o.asFastAsPossible || !Number.isFinite(speed) || speed <= 0) {
      err(o.asFastAsPossible ? t(lang, 'rpSpeedBoth') : t(lang, 'rpSpeedBad', { value: JSON.stringify(o.speed) }));
      process.exit(2);
    }
  }
  // --config is a global option with a default (the daemon's file): only an explicit one counts here.
  const explicit = cmd.getOptionValueSourceWithGlobals('config') === 'cli' && g.config !== undefined;
  const loaded = explicit ? loadConfigFile(g.config!) : parseConfig(BUILT_IN_CONFIG);
  if (!loaded.ok) {
    err(renderProblems(lang, explicit ? g.config! : t(lang, 'rpBuiltIn'), loaded.problems));
    process.exit(EXIT_CONFIG);
  }
  let code: number;
  try {
    code = await runReplay(file, { json: g.json === true, speed, config: loaded.config }, { out: (s) => process.stdout.write(`${s}\n`), err, lang });
  } catch (e) {
    // A bug must still not print a stack trace at a technician.
    err(t(lang, 'rpFailed', { file, error: fileErrorReason(e, lang) }));
    code = 1;
  }
  process.exitCode = code;
}
