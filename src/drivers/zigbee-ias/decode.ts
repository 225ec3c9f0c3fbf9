import type { Measurement } from '../../core/reading.js';
import type { ZigbeeProfile } from './profile-schema.js';
import { decodeZoneStatus, isZoneStatusWord, type ZoneStatus } from './zone-status.js';

/**
 * One ZCL message from a device as the transport hands it over, independent of zigbee-herdsman:
 * the cluster by name (herdsman's names: ssIasZone, genPowerCfg, genOnOff, msOccupancySensing),
 * herdsman's message type (attributeReport, readResponse, commandStatusChangeNotification, ...)
 * and the parsed payload.
 */
export interface ZigbeeMessage {
  readonly cluster: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type ZigbeeDecodeResult = { ok: true; measurements: Measurement[] } | { ok: false; error: string };

const ok = (measurements: Measurement[]): ZigbeeDecodeResult => ({ ok: true, measurements });
const bad = (error: string): ZigbeeDecodeResult => ({ ok: false, error });

/** The measurements a zone status word means for this model, in a fixed order (alarm first). */
export function zoneStatusMeasurements(ias: NonNullable<ZigbeeProfile['ias']>, s: ZoneStatus): Measurement[] {
  const set = ias.alarm.bit === 'either' ? s.alarm1 || s.alarm2 : s[ias.alarm.bit];
  const out: Measurement[] = [{ metric: ias.alarm.metric, value: set ? ias.alarm.whenSet : !ias.alarm.whenSet }];
  if (ias.tamper) out.push({ metric: 'tamper', value: s.tamper });
  if (ias.batteryLow) out.push({ metric: 'batteryLow', value: s.batteryLow });
  // One fault flag for the detector (METRICS.md): any of the three says the zone cannot be trusted.
  out.push({ metric: 'sensorFault', value: s.trouble || s.acMainsFault || s.batteryDefect });
  // The test bit never becomes an alarm (a test press is not a fire); it is reported on its own.
  if (ias.test) out.push({ metric: 'selfTest', value: s.test });
  return out;
}

function decodeIas(p: ZigbeeProfile, m: ZigbeeMessage): ZigbeeDecodeResult {
  if (!p.ias) return ok([]);
  // The notification carries `zonestatus`; a report or read of the attribute carries `zoneStatus`.
  const word = m.type === 'commandStatusChangeNotification' ? m.data['zonestatus'] : m.data['zoneStatus'];
  if (word === undefined) {
    // A notification without a status is broken; a report of other attributes (zoneState) is normal.
    return m.type === 'commandStatusChangeNotification' ? bad('zone status change notification without zonestatus') : ok([]);
  }
  if (!isZoneStatusWord(word)) return bad(`zone status ${JSON.stringify(word)} is not a 16-bit word`);
  return ok(zoneStatusMeasurements(p.ias, decodeZoneStatus(word)));
}

function decodeBinary(spec: { metric: string; whenOn: boolean } | null, v: unknown, mask: number, what: string): ZigbeeDecodeResult {
  if (!spec || v === undefined) return ok([]);
  const n = typeof v === 'boolean' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xff) return bad(`${what} ${JSON.stringify(v)} is not a boolean or 8-bit map`);
  const on = (n & mask) !== 0;
  return ok([{ metric: spec.metric, value: on ? spec.whenOn : !spec.whenOn }]);
}

function decodePower(p: ZigbeeProfile, data: Readonly<Record<string, unknown>>): ZigbeeDecodeResult {
  if (!p.battery) return ok([]);
  const out: Measurement[] = [];
  const pct = data['batteryPercentageRemaining'];
  if (pct !== undefined) {
    if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 0 || pct > 0xff) return bad(`batteryPercentageRemaining ${JSON.stringify(pct)} is not a uint8`);
    // 0xFF is "invalid or unknown" (ZCL 3.3.2.2.3.1): no reading rather than a made-up 100 %.
    if (pct !== 0xff) out.push({ metric: 'batteryPercent', value: Math.min(100, Math.round(pct * p.battery.percentPerUnit)) });
  }
  const volt = data['batteryVoltage'];
  if (p.battery.voltage && volt !== undefined) {
    if (typeof volt !== 'number' || !Number.isInteger(volt) || volt < 0 || volt > 0xff) return bad(`batteryVoltage ${JSON.stringify(volt)} is not a uint8`);
    if (volt !== 0xff) out.push({ metric: 'batteryVoltageMv', value: volt * 100 });
  }
  return ok(out);
}

/**
 * Decodes one message of a model into measurements. Pure and total: never throws; a value of the
 * wrong shape is `{ ok: false }` (counted by the transport); a cluster the model does not use, or an
 * attribute we do not need, gives no measurements.
 */
export function decodeZigbeeMessage(p: ZigbeeProfile, m: ZigbeeMessage): ZigbeeDecodeResult {
  if (m.data === null || typeof m.data !== 'object' || Array.isArray(m.data)) return ok([]);
  switch (m.cluster) {
    case 'ssIasZone': return decodeIas(p, m);
    case 'genPowerCfg': return m.type === 'attributeReport' || m.type === 'readResponse' ? decodePower(p, m.data) : ok([]);
    case 'genOnOff': return m.type === 'attributeReport' || m.type === 'readResponse' ? decodeBinary(p.onOff, m.data['onOff'], 0x01, 'onOff') : ok([]);
    case 'msOccupancySensing': return m.type === 'attributeReport' || m.type === 'readResponse' ? decodeBinary(p.occupancy, m.data['occupancy'], 0x01, 'occupancy') : ok([]);
    default: return ok([]);
  }
}
