/** Pure BLE GATT decoders: the vectors field by field, SFLOAT edge cases, malformed input. */
import { describe, expect, it } from 'vitest';
import {
  decodeBatteryLevel, decodeGattValue, decodeHeartRateMeasurement, decodePlxContinuous, decodePlxSpotCheck, decodeSfloat,
  fullUuid, gattDecoders, parseHeartRateMeasurement, parsePlxContinuous, parsePlxSpotCheck, plxDateTimeIso, shortUuid,
} from '../../../src/drivers/ble-gatt/index.js';
import { hex } from '../../helpers/hex.js';
import { prng, randomBytes } from '../../helpers/prng.js';

describe('SFLOAT (IEEE 11073-20601)', () => {
  it('decodes exponent and mantissa, both signed', () => {
    expect(decodeSfloat(0xf3de)).toEqual({ kind: 'value', value: 99 });
    expect(decodeSfloat(0xe37a)).toEqual({ kind: 'value', value: 8.9 });
    expect(decodeSfloat(0x100c)).toEqual({ kind: 'value', value: 120 }); // 12 * 10^1
    expect(decodeSfloat(0x0fff)).toEqual({ kind: 'value', value: -1 }); // mantissa 0xFFF = -1
    expect(decodeSfloat(0xf800)).toEqual({ kind: 'value', value: -204.8 }); // -2048 * 10^-1
    expect(decodeSfloat(0x0000)).toEqual({ kind: 'value', value: 0 });
  });
  it('knows the reserved codes', () => {
    expect(decodeSfloat(0x07ff)).toEqual({ kind: 'nan' });
    expect(decodeSfloat(0x0800)).toEqual({ kind: 'nres' });
    expect(decodeSfloat(0x07fe)).toEqual({ kind: '+inf' });
    expect(decodeSfloat(0x0802)).toEqual({ kind: '-inf' });
    expect(decodeSfloat(0x0801)).toEqual({ kind: 'reserved' });
  });
});

describe('Heart Rate Measurement 0x2A37', () => {
  it('parses the issue vectors field by field', () => {
    expect(parseHeartRateMeasurement(hex('06 48'))).toEqual({ ok: true, value: { heartRateBpm: 72, sensorContact: 'detected', energyExpendedKj: null, rrIntervalsMs: [] } });
    expect(parseHeartRateMeasurement(hex('16 48 00 04'))).toEqual({ ok: true, value: { heartRateBpm: 72, sensorContact: 'detected', energyExpendedKj: null, rrIntervalsMs: [1000] } });
    expect(parseHeartRateMeasurement(hex('1E 4B 2C 01 D5 03 E8 03'))).toEqual({ ok: true, value: { heartRateBpm: 75, sensorContact: 'detected', energyExpendedKj: 300, rrIntervalsMs: [958, 976.6] } });
  });
  it('marks a rate without skin contact: skinContact false just before heartRateBpm', () => {
    expect(decodeHeartRateMeasurement(hex('04 48'))).toEqual({ ok: true, measurements: [{ metric: 'skinContact', value: false }, { metric: 'heartRateBpm', value: 72 }] });
    // bit 1 without bit 2 (contact "detected" but the feature unsupported) is "not supported" (HRS 3.1.1.2)
    expect(parseHeartRateMeasurement(hex('02 48'))).toMatchObject({ ok: true, value: { sensorContact: 'unsupported' } });
  });
  it('rejects values whose length does not match the flags', () => {
    expect(decodeHeartRateMeasurement(hex(''))).toMatchObject({ ok: false });
    expect(decodeHeartRateMeasurement(hex('01 48'))).toMatchObject({ ok: false, error: expect.stringContaining('heart rate value') });
    expect(decodeHeartRateMeasurement(hex('08 48 2C'))).toMatchObject({ ok: false, error: expect.stringContaining('energy') });
    expect(decodeHeartRateMeasurement(hex('10 48 00 04 01'))).toMatchObject({ ok: false, error: expect.stringContaining('RR') });
    expect(decodeHeartRateMeasurement(hex('10 48'))).toMatchObject({ ok: false, error: expect.stringContaining('RR') });
  });
});

describe('PLX measurements (Pulse Oximeter Service 0x1822)', () => {
  it('parses the continuous vector: 99.0 % / 97.0 bpm, status 0x0120', () => {
    const p = parsePlxContinuous(hex('1F DE F3 CA F3 CA F3 5A F5 D4 F3 B2 F2 20 01 00 00 00 7A E3'));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.normal).toEqual({ spo2: { kind: 'value', value: 99 }, pulseRate: { kind: 'value', value: 97 } });
    expect(p.value.measurementStatusWord).toBe(0x0120);
    expect(p.value.measurementStatus).toMatchObject({ measurementOngoing: true, fullyQualifiedData: true, questionableMeasurementDetected: false, invalidMeasurementDetected: false });
    expect(p.value.deviceSensorStatusWord).toBe(0);
    expect(p.value.pulseAmplitudeIndex).toEqual({ kind: 'value', value: 8.9 });
  });
  it('parses the spot-check vector: 94.0 / 147.0 at 2024-11-29 23:08:57, status 0x4020, device status 0x22', () => {
    const p = parsePlxSpotCheck(hex('0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3'));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.spotCheck).toEqual({ spo2: { kind: 'value', value: 94 }, pulseRate: { kind: 'value', value: 147 } });
    expect(p.value.timestamp).toEqual({ year: 2024, month: 11, day: 29, hours: 23, minutes: 8, seconds: 57 });
    expect(plxDateTimeIso(p.value.timestamp!)).toBe('2024-11-29T23:08:57');
    expect(p.value.measurementStatusWord).toBe(0x4020);
    expect(p.value.measurementStatus).toMatchObject({ questionableMeasurementDetected: true, measurementOngoing: true });
    expect(p.value.deviceSensorStatusWord).toBe(0x22);
    expect(p.value.deviceSensorStatus).toMatchObject({ lowPerfusionDetected: true, equipmentMalfunctionDetected: true, sensorDisplaced: false });
  });
  it('emits the four gate flags before the values', () => {
    const r = decodePlxSpotCheck(hex('0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3'));
    if (!r.ok) throw new Error(r.error);
    const names = r.measurements.map((m) => m.metric);
    for (const flag of ['oximeterQuestionable', 'oximeterInvalid', 'lowPerfusion', 'sensorDisplaced']) {
      expect(names.indexOf(flag)).toBeGreaterThanOrEqual(0);
      expect(names.indexOf(flag)).toBeLessThan(names.indexOf('spo2Percent'));
    }
  });
  it('drops a date with unknown (0) fields', () => {
    expect(plxDateTimeIso({ year: 0, month: 11, day: 29, hours: 1, minutes: 2, seconds: 3 })).toBeNull();
    expect(plxDateTimeIso({ year: 2024, month: 13, day: 1, hours: 1, minutes: 2, seconds: 3 })).toBeNull();
  });
  it('rejects truncated values at every field boundary', () => {
    const full = hex('1F DE F3 CA F3 CA F3 5A F5 D4 F3 B2 F2 20 01 00 00 00 7A E3');
    for (let n = 0; n < full.length; n++) expect(decodePlxContinuous(full.subarray(0, n)).ok, `continuous cut at ${n}`).toBe(false);
    const spot = hex('0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3');
    for (let n = 0; n < spot.length; n++) expect(decodePlxSpotCheck(spot.subarray(0, n)).ok, `spot-check cut at ${n}`).toBe(false);
  });
});

describe('Battery Level 0x2A19', () => {
  it('decodes 0-100 and rejects the reserved range', () => {
    expect(decodeBatteryLevel(hex('00'))).toEqual({ ok: true, measurements: [{ metric: 'batteryPercent', value: 0 }] });
    expect(decodeBatteryLevel(hex('65')).ok).toBe(false);
    expect(decodeBatteryLevel(hex('')).ok).toBe(false);
  });
});

describe('any bytes', () => {
  it('never throw, and produce only finite numbers, booleans and strings', () => {
    const rand = prng(5);
    for (let i = 0; i < 5_000; i++) {
      const bytes = randomBytes(rand, Math.floor(rand() * 24));
      for (const uuid of Object.keys(gattDecoders)) {
        const r = decodeGattValue(uuid, bytes);
        if (!r.ok) continue;
        for (const m of r.measurements) {
          if (typeof m.value === 'number') expect(Number.isFinite(m.value), `${uuid} ${bytes.toString('hex')}`).toBe(true);
        }
      }
    }
  });
});

describe('UUIDs', () => {
  it('converts between the 16-bit and the 128-bit form BlueZ reports', () => {
    expect(fullUuid('2A37')).toBe('00002a37-0000-1000-8000-00805f9b34fb');
    expect(shortUuid('00002A37-0000-1000-8000-00805F9B34FB')).toBe('2a37');
    expect(shortUuid('6e400001-b5a3-f393-e0a9-e50e24dcca9e')).toBe('6e400001-b5a3-f393-e0a9-e50e24dcca9e');
    expect(decodeGattValue('00002a37-0000-1000-8000-00805f9b34fb', hex('06 48')).ok).toBe(true);
    expect(decodeGattValue('2a38', hex('01')).ok).toBe(false);
  });

  it('has no decoder for names of Object\'s prototype (fuzz counterexample, issue 17)', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(decodeGattValue(name, new Uint8Array(4))).toEqual({ ok: false, error: `no decoder for characteristic ${name}` });
    }
  });
});
