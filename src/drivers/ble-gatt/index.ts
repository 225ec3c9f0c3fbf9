/**
 * Standard Bluetooth SIG GATT health characteristics: pure decoders, keyed by the characteristic's
 * 16-bit UUID. A device model (devices/ble-*) picks which of these it subscribes to or reads.
 */
import { decodeBatteryLevel } from './battery.js';
import { decodeHeartRateMeasurement } from './heart-rate.js';
import { decodePlxContinuous, decodePlxSpotCheck } from './plx.js';
import { rejected, type GattDecodeResult, type GattDecoder } from './types.js';
import { GattCharacteristics as C, shortUuid } from './uuids.js';

export const gattDecoders: Readonly<Record<string, GattDecoder>> = {
  [C.heartRateMeasurement]: decodeHeartRateMeasurement,
  [C.batteryLevel]: decodeBatteryLevel,
  [C.plxSpotCheckMeasurement]: decodePlxSpotCheck,
  [C.plxContinuousMeasurement]: decodePlxContinuous,
};

/**
 * Decodes one value of `characteristic` (16- or 128-bit UUID). Never throws: only the table's own
 * keys are decoders (`__proto__` or `constructor` found Object's and threw; issue 17, `npm run fuzz`).
 */
export function decodeGattValue(characteristic: string, value: Uint8Array): GattDecodeResult {
  const short = shortUuid(characteristic);
  const decode = Object.hasOwn(gattDecoders, short) ? gattDecoders[short] : undefined;
  return decode ? decode(value) : rejected(`no decoder for characteristic ${characteristic}`);
}

export type { GattDecodeResult, GattDecoder, ParseResult } from './types.js';
export { decodeSfloat, sfloatNumber, type Sfloat, type SfloatSpecial } from './sfloat.js';
export { parseHeartRateMeasurement, heartRateToMeasurements, decodeHeartRateMeasurement, type HeartRateMeasurement, type SensorContact } from './heart-rate.js';
export { parsePlxContinuous, parsePlxSpotCheck, plxDateTimeIso, decodePlxContinuous, decodePlxSpotCheck, type PlxContinuousMeasurement, type PlxSpotCheckMeasurement } from './plx.js';
export { parseMeasurementStatus, parseDeviceSensorStatus, MEASUREMENT_STATUS_BITS, DEVICE_SENSOR_STATUS_BITS } from './plx-status.js';
export { decodeBatteryLevel } from './battery.js';
export { GattServices, GattCharacteristics, fullUuid, shortUuid } from './uuids.js';
