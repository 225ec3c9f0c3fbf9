/**
 * IAS Zone status word (ZCL cluster 0x0500, attribute ZoneStatus 0x0002, also the first field of the
 * Zone Status Change Notification command 0x00). ZCL specification (07-5123), section 8.2.2.2.1.3:
 * a 16-bit map where each bit is a state of the zone. Only bits 0-9 are defined; 10-15 are reserved
 * and ignored (some firmware sets them, which must not turn into an alarm).
 */
export const ZoneStatusBit = {
  alarm1: 0x0001,
  alarm2: 0x0002,
  tamper: 0x0004,
  batteryLow: 0x0008,
  /** The zone sends periodic supervision reports (a capability, not a state). */
  supervisionReports: 0x0010,
  /** The zone reports when an alarm clears (a capability: without it, "alarm over" never arrives). */
  restoreReports: 0x0020,
  trouble: 0x0040,
  acMainsFault: 0x0080,
  /** The user pressed the test button (or the zone is in test mode). */
  test: 0x0100,
  batteryDefect: 0x0200,
} as const;

export type ZoneStatusBitName = keyof typeof ZoneStatusBit;

export type ZoneStatus = { readonly [K in ZoneStatusBitName]: boolean };

/** A valid zone status is an unsigned 16-bit integer; anything else is malformed. */
export function isZoneStatusWord(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

/** Splits a zone status word into its named bits. Pure; the caller checks isZoneStatusWord first. */
export function decodeZoneStatus(word: number): ZoneStatus {
  const out = {} as Record<ZoneStatusBitName, boolean>;
  for (const [name, mask] of Object.entries(ZoneStatusBit) as Array<[ZoneStatusBitName, number]>) out[name] = (word & mask) !== 0;
  return out;
}
