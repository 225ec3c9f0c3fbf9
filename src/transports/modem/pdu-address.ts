/**
 * Phone numbers in SMS TPDUs (3GPP TS 23.040 §9.1.2.5): a length, a type-of-address octet and the
 * digits as swapped semi-octets ("+8613800138000" -> 91 68 31 08 10 83 00 F0). The length counts
 * digits for TP-DA/TP-OA/TP-RA (useful semi-octets), but octets for the SMSC address of TS 24.011
 * (RP-address, incl. the type octet): the two callers pass which one they write.
 */

/** Type of address: international number, ISDN/telephony numbering plan (TS 23.040 §9.1.2.5). */
export const TOA_INTERNATIONAL = 0x91;
/** Type of address: unknown type, ISDN numbering plan (a national or short number). */
export const TOA_UNKNOWN = 0x81;
/** Type of number "alphanumeric" (bits 6-4 = 101): the digits are GSM 7-bit text, e.g. a sender name. */
const TON_ALPHANUMERIC = 0x50;

const DIGITS = '0123456789*#abc';

/**
 * A number the hub may send to or dial: optional +, then 3-20 digits. No * or #: in ATD they are
 * supplementary-service codes (call forwarding, USSD), and contacts come from a config the cloud can
 * send (set-config is hostile input).
 */
export function isDialable(number: string): boolean {
  return /^\+?[0-9]{3,20}$/.test(number);
}

/** Digits as swapped semi-octets, padded with F when odd. */
export function encodeSemiOctets(digits: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = DIGITS.indexOf(digits[i]!);
    const hi = i + 1 < digits.length ? DIGITS.indexOf(digits[i + 1]!) : 0x0f;
    out.push(((hi & 0x0f) << 4) | (lo & 0x0f));
  }
  return out;
}

/** `count` digits from swapped semi-octets; a filler F ends the number. */
export function decodeSemiOctets(bytes: Uint8Array, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) {
    const b = bytes[i >> 1] ?? 0xff;
    const nib = i % 2 === 0 ? b & 0x0f : b >> 4;
    if (nib === 0x0f) break;
    s += DIGITS[nib] ?? '?';
  }
  return s;
}

/** TP-DA for SMS-SUBMIT: digit count, type (0x91 with a leading +), semi-octets. */
export function encodeAddress(number: string): number[] {
  const intl = number.startsWith('+');
  const digits = intl ? number.slice(1) : number;
  return [digits.length, intl ? TOA_INTERNATIONAL : TOA_UNKNOWN, ...encodeSemiOctets(digits)];
}

/** The SMSC part in front of a TPDU (length in octets incl. the type); `null` = the SIM's SMSC (00). */
export function encodeSmsc(number: string | null): number[] {
  if (number === null) return [0x00];
  const a = encodeAddress(number);
  return [a.length - 1, ...a.slice(1)];
}

/**
 * Decodes TP-OA / TP-RA at `offset`: returns the number ("+" for international, the text for an
 * alphanumeric sender) and the offset after it, or null when the PDU is too short.
 */
export function decodeAddress(pdu: Uint8Array, offset: number, unpack7: (b: Uint8Array, septets: number) => string): { number: string; next: number } | null {
  const digits = pdu[offset];
  const toa = pdu[offset + 1];
  if (digits === undefined || toa === undefined) return null;
  const octets = Math.ceil(digits / 2);
  const next = offset + 2 + octets;
  if (next > pdu.length) return null;
  const body = pdu.subarray(offset + 2, next);
  if ((toa & 0x70) === TON_ALPHANUMERIC) return { number: unpack7(body, Math.floor((digits * 4) / 7)), next };
  const n = decodeSemiOctets(body, digits);
  return { number: (toa & 0x70) === 0x10 ? `+${n}` : n, next };
}
