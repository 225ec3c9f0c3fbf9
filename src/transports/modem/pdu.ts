import { decodeAddress, encodeAddress, encodeSmsc, isDialable } from './pdu-address.js';
import { gsm7ToText, unpack7, unpackSeptets } from './gsm7.js';

/**
 * SMS TPDUs in PDU mode (3GPP TS 27.005 §3, TS 23.040 §9.2): the SMS-SUBMIT the hub sends, always
 * UCS-2 (TP-DCS 0x08, TS 23.038 §4) so Chinese arrives intact, split into concatenated parts when
 * longer than one (TS 23.040 §9.2.3.24.1); and the SMS-DELIVER / SMS-STATUS-REPORT a modem hands us,
 * in any alphabet. Pure: hex strings in and out, no I/O, no clock; errors are values.
 */

/** Code units of one UCS-2 SMS: 140 octets of user data / 2. */
export const UCS2_SINGLE_UNITS = 70;
/** Code units per part of a concatenated UCS-2 SMS: (140 - 6 octets of UDH) / 2. */
export const UCS2_PART_UNITS = 67;
/** Parts at most: the 8-bit concatenation IE counts to 255; longer alarm texts are a bug. */
export const MAX_PARTS = 255;

/** First octet of our SMS-SUBMIT: TP-MTI 01, TP-VPF 10 (relative), TP-SRR (status report wanted). */
const SUBMIT = 0x01;
const VPF_RELATIVE = 0x10;
const SRR = 0x20;
const UDHI = 0x40;
/** TP-VP relative 0xA7: 24 hours (TS 23.040 §9.2.3.12.1): an alarm text older than a day is noise. */
const VP_24H = 0xa7;
const DCS_UCS2 = 0x08;

export interface SubmitPdu {
  /** The hex for the modem after the `> ` prompt: SMSC part + TPDU. */
  readonly hex: string;
  /** AT+CMGS=<length>: octets of the TPDU, without the SMSC part (TS 27.005 §3.5.1). */
  readonly tpduLength: number;
}

export type EncodeResult = { ok: true; parts: SubmitPdu[] } | { ok: false; error: string };

const toHex = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();

/**
 * Splits text into parts of at most `max` UTF-16 code units, never between the two halves of a
 * surrogate pair (an emoji would arrive as two replacement characters otherwise).
 */
export function splitUnits(text: string, max: number): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + max, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate stays with its low half
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts;
}

/** The parts a text needs: one up to 70 code units, else 67 each. */
export function smsParts(text: string): string[] {
  if (text.length <= UCS2_SINGLE_UNITS) return [text];
  return splitUnits(text, UCS2_PART_UNITS);
}

const ucs2 = (s: string): number[] => {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) { const u = s.charCodeAt(i); out.push(u >> 8, u & 0xff); }
  return out;
};

/**
 * SMS-SUBMIT PDUs for `text` to `to`. `concatRef` (0-255) ties the parts of one long message
 * together; the caller counts it per message. TP-MR is 00: the modem assigns it and answers
 * +CMGS: <mr>, which delivery reports refer to.
 */
export function encodeSubmit(to: string, text: string, opts: { smsc?: string | null; concatRef: number; statusReport?: boolean }): EncodeResult {
  if (!isDialable(to)) return { ok: false, error: `recipient ${JSON.stringify(to)}: expected +<country><number> or a national number, digits only` };
  if (opts.smsc != null && !isDialable(opts.smsc)) return { ok: false, error: `smsc ${JSON.stringify(opts.smsc)}: expected +<country><number>` };
  if (text.length === 0) return { ok: false, error: 'empty text' };
  const texts = smsParts(text);
  if (texts.length > MAX_PARTS) return { ok: false, error: `text needs ${texts.length} parts, at most ${MAX_PARTS}` };
  const smsc = encodeSmsc(opts.smsc ?? null);
  const concat = texts.length > 1;
  const first = SUBMIT | VPF_RELATIVE | (opts.statusReport === false ? 0 : SRR) | (concat ? UDHI : 0);
  const parts = texts.map((t, i) => {
    const udh = concat ? [0x05, 0x00, 0x03, opts.concatRef & 0xff, texts.length, i + 1] : [];
    const ud = [...udh, ...ucs2(t)];
    const tpdu = [first, 0x00, ...encodeAddress(to), 0x00, DCS_UCS2, VP_24H, ud.length, ...ud];
    return { hex: toHex([...smsc, ...tpdu]), tpduLength: tpdu.length };
  });
  return { ok: true, parts };
}

export interface ConcatInfo { readonly ref: number; readonly total: number; readonly seq: number }

export type DecodedPdu =
  | { readonly type: 'deliver'; readonly from: string; readonly text: string; readonly concat: ConcatInfo | null }
  | { readonly type: 'status-report'; readonly ref: number; readonly to: string; readonly status: number };

export type DecodeResult = { ok: true; pdu: DecodedPdu } | { ok: false; error: string };

/** Hex text to bytes, or null when it is not an even run of hex digits. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return null;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

type Alphabet = 'gsm7' | '8bit' | 'ucs2';

/** TP-DCS to the alphabet (TS 23.038 §4): general and message-waiting groups, and class F0. */
export function alphabetOf(dcs: number): Alphabet {
  const group = dcs >> 4;
  if (group <= 0x07) { const a = (dcs >> 2) & 0x03; return a === 1 ? '8bit' : a === 2 ? 'ucs2' : 'gsm7'; }
  if (group === 0x0e) return 'ucs2';
  if (group === 0x0f) return dcs & 0x04 ? '8bit' : 'gsm7';
  return group >= 0x0c ? 'gsm7' : '8bit';
}

function parseUdh(udh: Uint8Array): ConcatInfo | null {
  let concat: ConcatInfo | null = null;
  for (let i = 0; i + 1 < udh.length;) {
    const iei = udh[i]!;
    const len = udh[i + 1]!;
    const v = udh.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) concat = { ref: v[0]!, total: v[1]!, seq: v[2]! };
    if (iei === 0x08 && len === 4) concat = { ref: (v[0]! << 8) | v[1]!, total: v[2]!, seq: v[3]! };
    i += 2 + len;
  }
  return concat && concat.total > 0 && concat.seq >= 1 && concat.seq <= concat.total ? concat : null;
}

function decodeUserData(ud: Uint8Array, udl: number, alphabet: Alphabet, udhi: boolean): { text: string; concat: ConcatInfo | null } | string {
  const udhl = udhi ? (ud[0] ?? 0) + 1 : 0;
  if (udhl > ud.length) return 'user data header longer than the user data';
  const concat = udhi ? parseUdh(ud.subarray(1, udhl)) : null;
  if (alphabet === 'gsm7') {
    // UDL counts septets, the header included; the text starts at the next septet boundary.
    const headerSeptets = Math.ceil((udhl * 8) / 7);
    const all = unpackSeptets(ud, udl);
    if (all.length < udl) return `user data: ${udl} septets announced, ${all.length} present`;
    return { text: gsm7ToText(all.slice(headerSeptets)), concat };
  }
  if (udl > ud.length) return `user data: ${udl} octets announced, ${ud.length} present`;
  const body = ud.subarray(udhl, udl);
  if (alphabet === '8bit') return { text: Buffer.from(body).toString('latin1'), concat };
  let text = '';
  for (let i = 0; i + 1 < body.length; i += 2) text += String.fromCharCode((body[i]! << 8) | body[i + 1]!);
  return { text, concat };
}

/**
 * Decodes a PDU as +CMGR / +CDS give it (TS 27.005 §3.4.1, §3.4.3): the SMSC part first, then an
 * SMS-DELIVER or SMS-STATUS-REPORT (TS 23.040 §9.2.2.1, §9.2.2.3). Anything else is an error value.
 */
export function decodePdu(hex: string): DecodeResult {
  const b = fromHex(hex.trim());
  if (!b || b.length < 2) return { ok: false, error: 'PDU: expected hex digits' };
  const fail = (error: string): DecodeResult => ({ ok: false, error: `PDU: ${error}` });
  let o = 1 + b[0]!; // skip the SMSC part
  const first = b[o++];
  if (first === undefined) return fail('ends after the SMSC address');
  const mti = first & 0x03;
  if (mti === 0x00) {
    const oa = decodeAddress(b, o, unpack7);
    if (!oa) return fail('ends inside the originating address');
    o = oa.next;
    if (o + 10 > b.length) return fail('ends before the user data');
    const dcs = b[o + 1]!;
    o += 2 + 7; // TP-PID, TP-DCS, TP-SCTS
    const udl = b[o++]!;
    const ud = decodeUserData(b.subarray(o), udl, alphabetOf(dcs), (first & UDHI) !== 0);
    if (typeof ud === 'string') return fail(ud);
    return { ok: true, pdu: { type: 'deliver', from: oa.number, text: ud.text, concat: ud.concat } };
  }
  if (mti === 0x02) {
    const mr = b[o++];
    if (mr === undefined) return fail('ends before TP-MR');
    const ra = decodeAddress(b, o, unpack7);
    if (!ra) return fail('ends inside the recipient address');
    o = ra.next + 14; // TP-SCTS, TP-DT
    const st = b[o];
    if (st === undefined) return fail('ends before TP-ST');
    return { ok: true, pdu: { type: 'status-report', ref: mr, to: ra.number, status: st } };
  }
  return fail(`TP-MTI ${mti} is not an SMS-DELIVER or SMS-STATUS-REPORT`);
}

/** TP-ST 0x00-0x1F: "short message transaction completed" (TS 23.040 §9.2.3.15); 0x20-0x3F still trying. */
export const isDelivered = (status: number): boolean => status <= 0x1f;
