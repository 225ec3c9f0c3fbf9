/**
 * Status fields shared by the two PLX measurements (Bluetooth SIG, Pulse Oximeter Service 1.0.1
 * (PLXS) section 3.1 and 3.2, and GATT Specification Supplement "PLX Spot-check Measurement" /
 * "PLX Continuous Measurement"; the same bit tables as the PLX Features characteristic 0x2A60).
 */

/** Measurement Status (uint16). Bits 0-4 are reserved. */
export const MEASUREMENT_STATUS_BITS = {
  measurementOngoing: 5,
  earlyEstimatedData: 6,
  validatedData: 7,
  fullyQualifiedData: 8,
  dataFromMeasurementStorage: 9,
  dataForDemonstration: 10,
  dataForTesting: 11,
  calibrationOngoing: 12,
  measurementUnavailable: 13,
  questionableMeasurementDetected: 14,
  invalidMeasurementDetected: 15,
} as const;

/** Device and Sensor Status (uint24). Bits 16-23 are reserved. */
export const DEVICE_SENSOR_STATUS_BITS = {
  extendedDisplayUpdateOngoing: 0,
  equipmentMalfunctionDetected: 1,
  signalProcessingIrregularityDetected: 2,
  inadequateSignalDetected: 3,
  poorSignalDetected: 4,
  lowPerfusionDetected: 5,
  erraticSignalDetected: 6,
  nonpulsatileSignalDetected: 7,
  questionablePulseDetected: 8,
  signalAnalysisOngoing: 9,
  sensorInterferenceDetected: 10,
  sensorUnconnectedToUser: 11,
  unknownSensorConnected: 12,
  sensorDisplaced: 13,
  sensorMalfunctioning: 14,
  sensorDisconnected: 15,
} as const;

export type MeasurementStatus = { readonly [K in keyof typeof MEASUREMENT_STATUS_BITS]: boolean };
export type DeviceSensorStatus = { readonly [K in keyof typeof DEVICE_SENSOR_STATUS_BITS]: boolean };

function bits<T extends Record<string, number>>(table: T, word: number): { [K in keyof T]: boolean } {
  const out = {} as { [K in keyof T]: boolean };
  for (const k of Object.keys(table) as Array<keyof T>) out[k] = ((word >>> table[k]!) & 1) === 1;
  return out;
}

export const parseMeasurementStatus = (word: number): MeasurementStatus => bits(MEASUREMENT_STATUS_BITS, word);
export const parseDeviceSensorStatus = (word: number): DeviceSensorStatus => bits(DEVICE_SENSOR_STATUS_BITS, word);
