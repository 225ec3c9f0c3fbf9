/**
 * The pure half of the AT client: bytes from the modem into lines (and the `> ` prompt of AT+CMGS,
 * which has no line end, TS 27.005 §3.5.1), and each line classified as a final result code, an
 * unsolicited result code (URC) or an information line of the running command (3GPP TS 27.007 §4,
 * V.250 §5.7). No I/O, no timers: at-client.ts drives it; tests feed it bytes.
 */

export type AtToken = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'prompt' };

export interface FramerStats {
  /** Bytes that are not printable ASCII, CR or LF (line noise, a modem booting at another baud rate): dropped. */
  garbageBytes: number;
  /** Lines longer than MAX_LINE: dropped whole. */
  overlongLines: number;
}

/** No response line of the commands we use comes near this (a 140-octet PDU is 350 hex digits with its SMSC). */
export const MAX_LINE = 1024;

export interface AtFramer {
  push(chunk: Uint8Array): AtToken[];
  stats(): Readonly<FramerStats>;
  reset(): void;
}

export function createAtFramer(): AtFramer {
  const st: FramerStats = { garbageBytes: 0, overlongLines: 0 };
  let line = '';
  let overlong = false;
  return {
    push(chunk) {
      const out: AtToken[] = [];
      for (const b of chunk) {
        if (b === 0x0d || b === 0x0a) {
          if (overlong) st.overlongLines++;
          else if (line.trim() !== '') out.push({ kind: 'line', text: line.trim() });
          line = '';
          overlong = false;
          continue;
        }
        if (b < 0x20 || b > 0x7e) { st.garbageBytes++; continue; }
        if (line.length >= MAX_LINE) { overlong = true; continue; }
        line += String.fromCharCode(b);
        // The SMS text prompt: "> " at the start of a line, never followed by a line end.
        if (line === '> ') { out.push({ kind: 'prompt' }); line = ''; }
      }
      return out;
    },
    stats: () => st,
    reset() { line = ''; overlong = false; },
  };
}

/** How a command ended (V.250 §5.7.1, TS 27.007 §9.2, TS 27.005 §3.2.5). */
export type FinalResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error' }
  | { readonly kind: 'cme'; readonly code: number | null; readonly text: string }
  | { readonly kind: 'cms'; readonly code: number | null; readonly text: string };

/** A call ended, or could not start (V.250 §6.3.1): final for ATD, a URC otherwise. */
export type CallEnd = 'NO CARRIER' | 'BUSY' | 'NO ANSWER' | 'NO DIALTONE';
const CALL_ENDS: readonly string[] = ['NO CARRIER', 'BUSY', 'NO ANSWER', 'NO DIALTONE'];

export type Urc =
  | { readonly type: 'cmti'; readonly mem: string; readonly index: number }
  /** +CDS: <length>: the status report's PDU is the NEXT line. */
  | { readonly type: 'cds'; readonly length: number }
  | { readonly type: 'cdsi'; readonly mem: string; readonly index: number }
  | { readonly type: 'ring' }
  | { readonly type: 'clip'; readonly number: string | null }
  | { readonly type: 'reg'; readonly which: 'creg' | 'cereg'; readonly stat: number }
  | { readonly type: 'call-end'; readonly reason: CallEnd }
  | { readonly type: 'cpin'; readonly state: string }
  /** The module (re)started: its boot URCs (profile `bootUrcs`, e.g. RDY). */
  | { readonly type: 'boot'; readonly text: string }
  /** A model-specific URC (profile `promptDoneUrc`, SMS DONE, +QIND...): passed on as text. */
  | { readonly type: 'other'; readonly text: string };

export type Classified =
  | { readonly kind: 'final'; readonly result: FinalResult }
  | { readonly kind: 'urc'; readonly urc: Urc }
  | { readonly kind: 'info'; readonly text: string };

const num = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const n = Number.parseInt(s.trim(), 10);
  return Number.isFinite(n) ? n : null;
};

/** Splits a response's parameters: commas outside double quotes; quotes removed. */
export function atParams(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of s) {
    if (c === '"') { quoted = !quoted; continue; }
    if (c === ',' && !quoted) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Splits "+CMTI: "SM",3" into ["+CMTI", 'SM', '3']-like parts: the prefix and its parameters. */
export function prefixOf(line: string): { prefix: string; rest: string } {
  const i = line.indexOf(':');
  return i < 0 ? { prefix: line, rest: '' } : { prefix: line.slice(0, i).toUpperCase(), rest: line.slice(i + 1).trim() };
}

/**
 * +CREG / +CEREG lines come in two shapes (TS 27.007 §7.2, §10.1.22): the URC `+CREG: <stat>[,<lac>,...]`
 * and the read response `+CREG: <n>,<stat>[,...]`. A second parameter that is a bare number means the
 * read response (the URC's second parameter, <lac>, is a quoted string).
 */
export function registrationStat(rest: string, raw: string): number | null {
  const p = atParams(rest);
  const secondQuoted = /^[^,]*,\s*"/.test(raw);
  if (p.length >= 2 && !secondQuoted && /^\d+$/.test(p[1]!)) return num(p[1]);
  return num(p[0]);
}

export interface ClassifyOptions {
  /** Lines that mean the module (re)booted, from the model profile. */
  readonly bootUrcs: readonly string[];
  /** Further URC prefixes of the model (e.g. +QPSND, +QIND), surfaced as `other`. */
  readonly otherUrcs: readonly string[];
}

/** Classifies one line. Which +CREG line answers a running AT+CREG? is the client's call (expectPrefix). */
export function classifyLine(line: string, o: ClassifyOptions): Classified {
  if (line === 'OK') return { kind: 'final', result: { kind: 'ok' } };
  if (line === 'ERROR') return { kind: 'final', result: { kind: 'error' } };
  if (CALL_ENDS.includes(line)) return { kind: 'urc', urc: { type: 'call-end', reason: line as CallEnd } };
  if (line === 'RING') return { kind: 'urc', urc: { type: 'ring' } };
  if (o.bootUrcs.includes(line)) return { kind: 'urc', urc: { type: 'boot', text: line } };
  const { prefix, rest } = prefixOf(line);
  switch (prefix) {
    case '+CME ERROR': return { kind: 'final', result: { kind: 'cme', code: num(rest), text: rest } };
    case '+CMS ERROR': return { kind: 'final', result: { kind: 'cms', code: num(rest), text: rest } };
    case '+CMTI': case '+CDSI': {
      const [mem, idx] = atParams(rest);
      const index = num(idx);
      if (index === null) break;
      return { kind: 'urc', urc: { type: prefix === '+CMTI' ? 'cmti' : 'cdsi', mem: mem ?? '', index } };
    }
    case '+CDS': {
      const p = atParams(rest);
      const length = num(p[p.length - 1]); // PDU mode: +CDS: <length>  (text mode has more fields; we never set it)
      if (length === null) break;
      return { kind: 'urc', urc: { type: 'cds', length } };
    }
    case '+CLIP': {
      const n = atParams(rest)[0] ?? '';
      return { kind: 'urc', urc: { type: 'clip', number: n === '' ? null : n } };
    }
    case '+CREG': case '+CEREG': {
      const stat = registrationStat(rest, line);
      if (stat === null) break;
      return { kind: 'urc', urc: { type: 'reg', which: prefix === '+CREG' ? 'creg' : 'cereg', stat } };
    }
    case '+CPIN': return { kind: 'urc', urc: { type: 'cpin', state: rest } };
    default:
      if (o.otherUrcs.includes(prefix) || o.otherUrcs.includes(line)) return { kind: 'urc', urc: { type: 'other', text: line } };
  }
  return { kind: 'info', text: line };
}

/** +CSQ: <rssi>,<ber> to dBm (TS 27.007 §8.5): 0 -> -113 or less, 31 -> -51 or more, 99 unknown. */
export function csqToDbm(rest: string): number | null {
  const rssi = num(atParams(rest)[0]);
  if (rssi === null || rssi < 0 || rssi > 31) return null;
  return -113 + 2 * rssi;
}
