import { decoded, rejected, type GattDecodeResult } from './types.js';

/**
 * Battery Level 0x2A19 of the Battery Service 0x180F (Battery Service 1.0, section 3.1; GATT
 * Specification Supplement "Battery Level"): one uint8, percent of full charge, 0-100. Values
 * 101-255 are reserved (prohibited) and rejected rather than reported as a battery at 255 %.
 */
export function decodeBatteryLevel(bytes: Uint8Array): GattDecodeResult {
  if (bytes.length < 1) return rejected('battery level: empty value');
  const pct = bytes[0]!;
  if (pct > 100) return rejected(`battery level: ${pct} is outside 0-100`);
  return decoded([{ metric: 'batteryPercent', value: pct }]);
}
