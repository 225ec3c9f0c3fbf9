import type { Measurement } from '../../core/reading.js';
import { LeReader } from './reader.js';
import { decoded, rejected, type GattDecodeResult, type ParseResult } from './types.js';

/**
 * Heart Rate Measurement, characteristic 0x2A37 of the Heart Rate Service 0x180D.
 * Layout: Bluetooth SIG, GATT Specification Supplement (GSS), "Heart Rate Measurement", and Heart
 * Rate Service 1.0 (HRS), section 3.1.1:
 *
 *   Flags (uint8)
 *     bit 0     Heart Rate Value Format: 0 = uint8, 1 = uint16
 *     bits 1-2  Sensor Contact Status: bit 2 = contact feature supported, bit 1 = contact detected
 *               (0b0x not supported, 0b10 supported but not detected, 0b11 detected)
 *     bit 3     Energy Expended present
 *     bit 4     RR-Interval present
 *   Heart Rate Measurement Value (uint8 or uint16, beats per minute)
 *   Energy Expended (uint16, kilojoules, accumulated since the last reset) if bit 3
 *   RR-Interval (uint16 each, resolution 1/1024 s) if bit 4: as many as fit in the rest
 */
export type SensorContact = 'unsupported' | 'detected' | 'not-detected';

export interface HeartRateMeasurement {
  readonly heartRateBpm: number;
  readonly sensorContact: SensorContact;
  readonly energyExpendedKj: number | null;
  /** RR intervals in ms, rounded to 0.1 ms (the wire resolution is 1/1024 s, about 0.98 ms). */
  readonly rrIntervalsMs: readonly number[];
}

const FLAG_UINT16 = 0x01;
const FLAG_CONTACT_DETECTED = 0x02;
const FLAG_CONTACT_SUPPORTED = 0x04;
const FLAG_ENERGY = 0x08;
const FLAG_RR = 0x10;

export function parseHeartRateMeasurement(bytes: Uint8Array): ParseResult<HeartRateMeasurement> {
  const r = new LeReader(bytes);
  const flags = r.u8();
  if (flags === null) return { ok: false, error: 'heart rate measurement: empty value' };
  const rate = flags & FLAG_UINT16 ? r.u16() : r.u8();
  if (rate === null) return { ok: false, error: 'heart rate measurement: too short for the heart rate value' };
  const sensorContact: SensorContact = !(flags & FLAG_CONTACT_SUPPORTED)
    ? 'unsupported'
    : flags & FLAG_CONTACT_DETECTED ? 'detected' : 'not-detected';
  let energyExpendedKj: number | null = null;
  if (flags & FLAG_ENERGY) {
    energyExpendedKj = r.u16();
    if (energyExpendedKj === null) return { ok: false, error: 'heart rate measurement: energy expended flagged but missing' };
  }
  const rrIntervalsMs: number[] = [];
  if (flags & FLAG_RR) {
    // HRS 3.1.1.5: the RR intervals fill the rest of the value; an odd byte left over means the
    // value was cut or misread, and we trust none of it.
    if (r.remaining === 0 || r.remaining % 2 !== 0) {
      return { ok: false, error: `heart rate measurement: RR-interval field has ${r.remaining} bytes (expected a positive even number)` };
    }
    while (r.remaining > 0) {
      const raw = r.u16()!;
      rrIntervalsMs.push(Math.round((raw * 10_000) / 1024) / 10);
    }
  }
  return { ok: true, value: { heartRateBpm: rate, sensorContact, energyExpendedKj, rrIntervalsMs } };
}

/**
 * Readings, in this order:
 * 1. `skinContact` (boolean), only when the sensor supports contact detection. It comes just before
 *    `heartRateBpm` so a consumer (the heart-rate detector) knows whether to trust the value that
 *    follows: a strap lying on the table reports a rate from noise with skinContact false.
 * 2. `heartRateBpm`, unless it is 0: straps send 0 while they have no pulse, and a 0 taken at face
 *    value would look like cardiac arrest (the radar drivers drop their "0 = no value" the same way).
 * 3. `energyExpendedKj` when present (cumulative since the strap's last reset; 0xFFFF = saturated).
 * 4. `rrIntervalMs`, one reading per beat-to-beat interval, in the order received.
 */
export function heartRateToMeasurements(m: HeartRateMeasurement): Measurement[] {
  const out: Measurement[] = [];
  if (m.sensorContact !== 'unsupported') out.push({ metric: 'skinContact', value: m.sensorContact === 'detected' });
  if (m.heartRateBpm > 0) out.push({ metric: 'heartRateBpm', value: m.heartRateBpm });
  if (m.energyExpendedKj !== null) out.push({ metric: 'energyExpendedKj', value: m.energyExpendedKj });
  for (const rr of m.rrIntervalsMs) out.push({ metric: 'rrIntervalMs', value: rr });
  return out;
}

export function decodeHeartRateMeasurement(bytes: Uint8Array): GattDecodeResult {
  const p = parseHeartRateMeasurement(bytes);
  return p.ok ? decoded(heartRateToMeasurements(p.value)) : rejected(p.error);
}
