/**
 * Bluetooth SIG UUIDs. A 16-bit assigned number is shorthand for a 128-bit UUID on the Bluetooth
 * Base UUID 00000000-0000-1000-8000-00805F9B34FB (Core Specification Vol 3, Part B, 2.5.1);
 * BlueZ's D-Bus API (GattService1.UUID, GattCharacteristic1.UUID) always reports the 128-bit form,
 * lower case. Numbers: Bluetooth SIG "Assigned Numbers", sections 3.4 (services) and 3.8
 * (characteristics).
 */
export const GattServices = {
  heartRate: '180d',
  battery: '180f',
  pulseOximeter: '1822',
} as const;

export const GattCharacteristics = {
  heartRateMeasurement: '2a37',
  batteryLevel: '2a19',
  plxSpotCheckMeasurement: '2a5e',
  plxContinuousMeasurement: '2a5f',
} as const;

const BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/** '2a37' -> '00002a37-0000-1000-8000-00805f9b34fb'; a 128-bit UUID is returned lower-cased. */
export function fullUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  if (/^[0-9a-f]{4}$/.test(u)) return `0000${u}${BASE_SUFFIX}`;
  if (/^[0-9a-f]{8}$/.test(u)) return `${u}${BASE_SUFFIX}`;
  return u;
}

/** The 16-bit form of a SIG UUID ('00002a37-...-00805f9b34fb' -> '2a37'), or the UUID lower-cased if it is not on the base. */
export function shortUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  if (u.endsWith(BASE_SUFFIX) && u.startsWith('0000')) return u.slice(4, 8);
  return u;
}
