/**
 * SFLOAT: the 16-bit medical float of IEEE 11073-20601 (Personal Health Devices, "SFLOAT-Type",
 * section F.8), which the Bluetooth SIG health services use for SpO2, pulse rate and pulse
 * amplitude index (GATT Specification Supplement, "medfloat16").
 *
 *   bits 15..12  exponent, 4-bit two's complement (base 10)
 *   bits 11..0   mantissa, 12-bit two's complement
 *   value = mantissa * 10^exponent
 *
 * Five mantissa values with exponent 0 are not numbers but reserved codes: NaN 0x07FF (not a
 * number: no valid measurement), NRes 0x0800 (not at this resolution), +INF 0x07FE, -INF 0x0802,
 * and 0x0801 reserved for future use.
 */
export type SfloatSpecial = 'nan' | 'nres' | '+inf' | '-inf' | 'reserved';

export type Sfloat = { readonly kind: 'value'; readonly value: number } | { readonly kind: SfloatSpecial };

const SPECIAL: Readonly<Record<number, SfloatSpecial>> = {
  0x07ff: 'nan',
  0x0800: 'nres',
  0x07fe: '+inf',
  0x0802: '-inf',
  0x0801: 'reserved',
};

export function decodeSfloat(raw: number): Sfloat {
  const word = raw & 0xffff;
  const special = SPECIAL[word];
  if (special) return { kind: special };
  let exponent = word >> 12;
  let mantissa = word & 0x0fff;
  if (exponent >= 0x8) exponent -= 0x10;
  if (mantissa >= 0x800) mantissa -= 0x1000;
  // Divide by an exact power of ten for negative exponents: 990 / 10 is exactly 99, whereas
  // 990 * 0.1 is 99.00000000000001 (0.1 has no exact binary form).
  const value = exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
  return { kind: 'value', value };
}

/** The number, or null for NaN / NRes / infinities / reserved: "no measurement" for our purposes. */
export function sfloatNumber(raw: number): number | null {
  const s = decodeSfloat(raw);
  return s.kind === 'value' ? s.value : null;
}
