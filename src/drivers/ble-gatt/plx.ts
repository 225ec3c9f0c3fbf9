import type { Measurement } from '../../core/reading.js';
import { parseDeviceSensorStatus, parseMeasurementStatus, type DeviceSensorStatus, type MeasurementStatus } from './plx-status.js';
import { LeReader } from './reader.js';
import { decodeSfloat, type Sfloat } from './sfloat.js';
import { decoded, rejected, type GattDecodeResult, type ParseResult } from './types.js';

/**
 * Pulse Oximeter Service 0x1822 measurements (Bluetooth SIG, Pulse Oximeter Service 1.0.1, and the
 * GATT Specification Supplement). Values are SFLOAT (sfloat.ts); status words in plx-status.ts.
 *
 * PLX Continuous Measurement 0x2A5F (notified, typically about once a second):
 *   Flags (uint8): bit 0 SpO2PR-Fast present, bit 1 SpO2PR-Slow present, bit 2 Measurement Status
 *   present, bit 3 Device and Sensor Status present, bit 4 Pulse Amplitude Index present.
 *   SpO2PR-Normal: SpO2 (SFLOAT, %), PR (SFLOAT, bpm); then, if flagged, SpO2PR-Fast (2 x SFLOAT),
 *   SpO2PR-Slow (2 x SFLOAT), Measurement Status (uint16), Device and Sensor Status (uint24),
 *   Pulse Amplitude Index (SFLOAT, %).
 *
 * PLX Spot-check Measurement 0x2A5E (indicated once per completed spot check):
 *   Flags (uint8): bit 0 Timestamp present, bit 1 Measurement Status present, bit 2 Device and
 *   Sensor Status present, bit 3 Pulse Amplitude Index present, bit 4 Device Clock is Not Set.
 *   SpO2PR-Spot-Check: SpO2, PR (SFLOAT); Timestamp (Date Time, 7 bytes: year uint16, month, day,
 *   hours, minutes, seconds); Measurement Status (uint16); Device and Sensor Status (uint24);
 *   Pulse Amplitude Index (SFLOAT).
 *
 * Bytes after the last flagged field are ignored: the SIG appends fields in later versions and
 * says a client shall ignore what it does not know (Core Specification Vol 3, Part G, 3.3.3.5).
 */
export interface PlxReading {
  readonly spo2: Sfloat;
  readonly pulseRate: Sfloat;
}

export interface PlxContinuousMeasurement {
  readonly normal: PlxReading;
  readonly fast: PlxReading | null;
  readonly slow: PlxReading | null;
  readonly measurementStatusWord: number | null;
  readonly measurementStatus: MeasurementStatus | null;
  readonly deviceSensorStatusWord: number | null;
  readonly deviceSensorStatus: DeviceSensorStatus | null;
  readonly pulseAmplitudeIndex: Sfloat | null;
}

export interface PlxDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

export interface PlxSpotCheckMeasurement {
  readonly spotCheck: PlxReading;
  readonly timestamp: PlxDateTime | null;
  /** Flags bit 4: the oximeter's clock was never set, so its timestamp is not a real date. */
  readonly deviceClockNotSet: boolean;
  readonly measurementStatusWord: number | null;
  readonly measurementStatus: MeasurementStatus | null;
  readonly deviceSensorStatusWord: number | null;
  readonly deviceSensorStatus: DeviceSensorStatus | null;
  readonly pulseAmplitudeIndex: Sfloat | null;
}

const readPair = (r: LeReader): PlxReading | null => {
  const spo2 = r.u16();
  const pr = r.u16();
  return spo2 === null || pr === null ? null : { spo2: decodeSfloat(spo2), pulseRate: decodeSfloat(pr) };
};

interface Tail {
  measurementStatusWord: number | null;
  deviceSensorStatusWord: number | null;
  pulseAmplitudeIndex: Sfloat | null;
}

/** Measurement Status, Device and Sensor Status and PAI come in the same order in both characteristics. */
function readTail(r: LeReader, status: boolean, device: boolean, pai: boolean, what: string): ParseResult<Tail> {
  const t: Tail = { measurementStatusWord: null, deviceSensorStatusWord: null, pulseAmplitudeIndex: null };
  if (status) {
    t.measurementStatusWord = r.u16();
    if (t.measurementStatusWord === null) return { ok: false, error: `${what}: measurement status flagged but missing` };
  }
  if (device) {
    t.deviceSensorStatusWord = r.u24();
    if (t.deviceSensorStatusWord === null) return { ok: false, error: `${what}: device and sensor status flagged but missing` };
  }
  if (pai) {
    const raw = r.u16();
    if (raw === null) return { ok: false, error: `${what}: pulse amplitude index flagged but missing` };
    t.pulseAmplitudeIndex = decodeSfloat(raw);
  }
  return { ok: true, value: t };
}

const statusFields = (t: Tail) => ({
  measurementStatusWord: t.measurementStatusWord,
  measurementStatus: t.measurementStatusWord === null ? null : parseMeasurementStatus(t.measurementStatusWord),
  deviceSensorStatusWord: t.deviceSensorStatusWord,
  deviceSensorStatus: t.deviceSensorStatusWord === null ? null : parseDeviceSensorStatus(t.deviceSensorStatusWord),
  pulseAmplitudeIndex: t.pulseAmplitudeIndex,
});

export function parsePlxContinuous(bytes: Uint8Array): ParseResult<PlxContinuousMeasurement> {
  const what = 'PLX continuous measurement';
  const r = new LeReader(bytes);
  const flags = r.u8();
  if (flags === null) return { ok: false, error: `${what}: empty value` };
  const normal = readPair(r);
  if (!normal) return { ok: false, error: `${what}: too short for SpO2 and pulse rate` };
  const fast = flags & 0x01 ? readPair(r) : null;
  if (flags & 0x01 && !fast) return { ok: false, error: `${what}: SpO2PR-Fast flagged but missing` };
  const slow = flags & 0x02 ? readPair(r) : null;
  if (flags & 0x02 && !slow) return { ok: false, error: `${what}: SpO2PR-Slow flagged but missing` };
  const tail = readTail(r, (flags & 0x04) !== 0, (flags & 0x08) !== 0, (flags & 0x10) !== 0, what);
  if (!tail.ok) return tail;
  return { ok: true, value: { normal, fast, slow, ...statusFields(tail.value) } };
}

export function parsePlxSpotCheck(bytes: Uint8Array): ParseResult<PlxSpotCheckMeasurement> {
  const what = 'PLX spot-check measurement';
  const r = new LeReader(bytes);
  const flags = r.u8();
  if (flags === null) return { ok: false, error: `${what}: empty value` };
  const spotCheck = readPair(r);
  if (!spotCheck) return { ok: false, error: `${what}: too short for SpO2 and pulse rate` };
  let timestamp: PlxDateTime | null = null;
  if (flags & 0x01) {
    const year = r.u16();
    const rest = [r.u8(), r.u8(), r.u8(), r.u8(), r.u8()];
    if (year === null || rest.includes(null)) return { ok: false, error: `${what}: timestamp flagged but missing` };
    const [month, day, hours, minutes, seconds] = rest as number[];
    timestamp = { year, month: month!, day: day!, hours: hours!, minutes: minutes!, seconds: seconds! };
  }
  const tail = readTail(r, (flags & 0x02) !== 0, (flags & 0x04) !== 0, (flags & 0x08) !== 0, what);
  if (!tail.ok) return tail;
  return { ok: true, value: { spotCheck, timestamp, deviceClockNotSet: (flags & 0x10) !== 0, ...statusFields(tail.value) } };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * The Date Time as ISO 8601 local time without an offset ("2024-11-29T23:08:57"): the oximeter's
 * clock has no time zone. Null when a field is 0 ("not known", GSS "Date Time": year 0, month 0 and
 * day 0 mean unknown) or out of range, so no reading carries a date that is not one.
 */
export function plxDateTimeIso(t: PlxDateTime): string | null {
  const ok = t.year >= 1582 && t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31
    && t.hours <= 23 && t.minutes <= 59 && t.seconds <= 59;
  return ok ? `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hours)}:${pad(t.minutes)}:${pad(t.seconds)}` : null;
}

function pushNumber(out: Measurement[], metric: string, s: Sfloat | null | undefined): void {
  // NaN / NRes / +-INF mean "no valid value": no reading, rather than a number nobody can plot.
  if (s && s.kind === 'value') out.push({ metric, value: s.value });
}

/**
 * Status readings come before the values they qualify (like `skinContact` before `heartRateBpm`),
 * one boolean per flag every time its status field is present, so a consumer can latch a flag
 * until it is reported false (src/detectors/artefact-gates.ts expects exactly this).
 */
function pushStatus(out: Measurement[], m: { measurementStatusWord: number | null; measurementStatus: MeasurementStatus | null; deviceSensorStatusWord: number | null; deviceSensorStatus: DeviceSensorStatus | null }): void {
  if (m.measurementStatus) {
    out.push({ metric: 'oximeterMeasurementStatus', value: m.measurementStatusWord! });
    out.push({ metric: 'oximeterQuestionable', value: m.measurementStatus.questionableMeasurementDetected });
    out.push({ metric: 'oximeterInvalid', value: m.measurementStatus.invalidMeasurementDetected });
    out.push({ metric: 'oximeterUnavailable', value: m.measurementStatus.measurementUnavailable });
  }
  if (m.deviceSensorStatus) {
    const d = m.deviceSensorStatus;
    out.push({ metric: 'oximeterDeviceStatus', value: m.deviceSensorStatusWord! });
    out.push({ metric: 'lowPerfusion', value: d.lowPerfusionDetected });
    out.push({ metric: 'sensorDisplaced', value: d.sensorDisplaced });
    out.push({ metric: 'sensorNotOnUser', value: d.sensorUnconnectedToUser });
    out.push({ metric: 'sensorDisconnected', value: d.sensorDisconnected });
    out.push({ metric: 'oximeterMalfunction', value: d.equipmentMalfunctionDetected || d.sensorMalfunctioning });
  }
}

export function plxContinuousToMeasurements(m: PlxContinuousMeasurement): Measurement[] {
  const out: Measurement[] = [];
  pushStatus(out, m);
  pushNumber(out, 'spo2Percent', m.normal.spo2);
  pushNumber(out, 'pulseRateBpm', m.normal.pulseRate);
  pushNumber(out, 'spo2FastPercent', m.fast?.spo2);
  pushNumber(out, 'pulseRateFastBpm', m.fast?.pulseRate);
  pushNumber(out, 'spo2SlowPercent', m.slow?.spo2);
  pushNumber(out, 'pulseRateSlowBpm', m.slow?.pulseRate);
  pushNumber(out, 'pulseAmplitudeIndexPercent', m.pulseAmplitudeIndex);
  return out;
}

export function plxSpotCheckToMeasurements(m: PlxSpotCheckMeasurement): Measurement[] {
  const out: Measurement[] = [];
  pushStatus(out, m);
  const at = m.timestamp && !m.deviceClockNotSet ? plxDateTimeIso(m.timestamp) : null;
  if (at) out.push({ metric: 'spotCheckMeasuredAt', value: at });
  pushNumber(out, 'spo2Percent', m.spotCheck.spo2);
  pushNumber(out, 'pulseRateBpm', m.spotCheck.pulseRate);
  pushNumber(out, 'pulseAmplitudeIndexPercent', m.pulseAmplitudeIndex);
  return out;
}

export function decodePlxContinuous(bytes: Uint8Array): GattDecodeResult {
  const p = parsePlxContinuous(bytes);
  return p.ok ? decoded(plxContinuousToMeasurements(p.value)) : rejected(p.error);
}

export function decodePlxSpotCheck(bytes: Uint8Array): GattDecodeResult {
  const p = parsePlxSpotCheck(bytes);
  return p.ok ? decoded(plxSpotCheckToMeasurements(p.value)) : rejected(p.error);
}
