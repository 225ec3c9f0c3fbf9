/**
 * GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1) for DECODING what a phone sends us. The hub
 * itself always sends UCS-2 (one encoder, Chinese intact; a Latin reply costs 70 instead of 160
 * characters per part, which is fine for alarm texts), so there is no 7-bit encoder here.
 */

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table after ESC (0x1B), TS 23.038 §6.2.1.1. */
const EXTENSION: Readonly<Record<number, string>> = {
  0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€',
};

/**
 * Unpacks `septets` 7-bit values from packed octets (TS 23.038 §6.1.2.1.1), skipping `skipBits`
 * first (the fill bits after a user data header, §9.2.3.24 of TS 23.040).
 */
export function unpackSeptets(bytes: Uint8Array, septets: number, skipBits = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < septets; i++) {
    const bit = skipBits + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    if (byte >= bytes.length) break;
    const v = ((bytes[byte]! >> shift) | ((bytes[byte + 1] ?? 0) << (8 - shift))) & 0x7f;
    out.push(v);
  }
  return out;
}

/** Septet values to text; an unknown extension falls back to the basic character, as the spec says. */
export function gsm7ToText(septets: readonly number[]): string {
  let s = '';
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i]!;
    if (v === 0x1b && i + 1 < septets.length) {
      const e = septets[++i]!;
      s += EXTENSION[e] ?? BASIC[e] ?? '?';
    } else {
      s += BASIC[v] ?? '?';
    }
  }
  return s;
}

/** Packed 7-bit octets to text (alphanumeric addresses). */
export const unpack7 = (bytes: Uint8Array, septets: number): string => gsm7ToText(unpackSeptets(bytes, septets));
