/**
 * IAS Zone types (ZoneType attribute 0x0001, ZCL 07-5123 table 8-5). The zone type tells what the
 * sensor is for; the alarm bits mean different things per type (alarm1 on a contact switch is
 * "open", on a fire sensor "fire"). We keep the table to name a device's zone in status and to check
 * a joined device against its configured model; the meaning of the bits per model lives in the
 * device folder profile.
 */
export const ZoneType = {
  standardCie: 0x0000,
  motion: 0x000d,
  contact: 0x0015,
  fire: 0x0028,
  water: 0x002a,
  carbonMonoxide: 0x002b,
  personalEmergency: 0x002c,
  vibration: 0x002d,
  remoteControl: 0x010f,
  keyFob: 0x0115,
  keypad: 0x021d,
  standardWarning: 0x0225,
  glassBreak: 0x0226,
  securityRepeater: 0x0229,
  invalid: 0xffff,
} as const;

export type ZoneTypeName = keyof typeof ZoneType;

const byCode = new Map<number, ZoneTypeName>(Object.entries(ZoneType).map(([k, v]) => [v, k as ZoneTypeName]));

/** The name of a zone type code; manufacturer-specific codes (0x8000-0xfffe) and unknown ones are `null`. */
export function zoneTypeName(code: number): ZoneTypeName | null {
  return byCode.get(code) ?? null;
}

/** Parses "0x0028" (the notation of the spec and of device folders) or a number. */
export function parseZoneType(v: string | number): number | null {
  const n = typeof v === 'number' ? v : /^0x[0-9a-f]{1,4}$/i.test(v) ? Number.parseInt(v.slice(2), 16) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : null;
}
