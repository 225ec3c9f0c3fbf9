import { describe, expect, it } from 'vitest';
import { decodeZoneStatus, isZoneStatusWord, parseZoneType, planEnrolment, zoneTypeName } from '../../../src/drivers/zigbee-ias/index.js';
import { decodeZigbeeModelMessage, zigbeeModels, zigbeeSupervisionClass } from '../../../src/drivers/zigbee-registry.js';
import { ZigbeeDeviceConfigSchema, ZigbeeSettingsSchema } from '../../../src/transports/zigbee/config.js';
import { Zigbee2MqttSettingsSchema } from '../../../src/transports/zigbee2mqtt/config.js';

describe('IAS Zone decoding', () => {
  it('names every defined bit and ignores reserved ones', () => {
    expect(decodeZoneStatus(0x03ff)).toEqual({ alarm1: true, alarm2: true, tamper: true, batteryLow: true, supervisionReports: true, restoreReports: true, trouble: true, acMainsFault: true, test: true, batteryDefect: true });
    expect(Object.values(decodeZoneStatus(0xfc00)).some(Boolean)).toBe(false);
    expect([isZoneStatusWord(0), isZoneStatusWord(0xffff), isZoneStatusWord(0x10000), isZoneStatusWord(-1), isZoneStatusWord(1.5), isZoneStatusWord('1')]).toEqual([true, true, false, false, false, false]);
  });
  it('zone types', () => {
    expect([0x0028, 0x002b, 0x0015, 0x000d, 0x002a].map(zoneTypeName)).toEqual(['fire', 'carbonMonoxide', 'contact', 'motion', 'water']);
    expect(zoneTypeName(0x8001)).toBeNull();
    expect([parseZoneType('0x002B'), parseZoneType('fire'), parseZoneType(0x28)]).toEqual([0x2b, null, 0x28]);
  });
  it('enrolment plan: write CIE address then enroll response; nothing when already ours', () => {
    const cie = '0x00124B0012345678';
    expect(planEnrolment({ zoneState: 0 }, cie)).toEqual([
      { kind: 'write-cie-address', cluster: 'ssIasZone', attribute: 'iasCieAddr', value: '0x00124b0012345678' },
      { kind: 'enroll-response', cluster: 'ssIasZone', command: 'enrollRsp', payload: { enrollrspcode: 0, zoneid: 23 } },
    ]);
    expect(planEnrolment({ zoneState: 1, iasCieAddr: '0x00124b0012345678' }, cie)).toEqual([]);
    // Enrolled, but with another coordinator (moved from another hub): enrol again.
    expect(planEnrolment({ zoneState: 1, iasCieAddr: '0x00124b00ffffffff' }, cie)).toHaveLength(2);
  });
  it('never throws on odd payloads', () => {
    expect(decodeZigbeeModelMessage('heiman-hs1sa', { cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: {} })).toMatchObject({ ok: false });
    expect(decodeZigbeeModelMessage('heiman-hs1sa', { cluster: 'genPowerCfg', type: 'attributeReport', data: { batteryPercentageRemaining: 'lots' } })).toMatchObject({ ok: false });
    expect(decodeZigbeeModelMessage('heiman-hs1sa', { cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 1 } })).toEqual({ ok: true, measurements: [] });
    expect(decodeZigbeeModelMessage('heiman-hs1sa', { cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: null as never })).toEqual({ ok: true, measurements: [] });
  });
  it('every model has a supervision class the detector knows', () => {
    const classes = ['smoke', 'co', 'gas', 'water', 'contact', 'occupancy', 'default'];
    for (const m of Object.keys(zigbeeModels)) expect(classes).toContain(zigbeeSupervisionClass(m));
    expect(zigbeeSupervisionClass('heiman-hs1sa')).toBe('smoke');
    expect(zigbeeSupervisionClass('nope')).toBe('default');
  });
  it('the supervision class read from the raw profile (what the daemon uses, without zod) is the validated one', () => {
    for (const [m, profile] of Object.entries(zigbeeModels)) expect(zigbeeSupervisionClass(m)).toBe(profile.supervisionClass);
  });
});

describe('Zigbee config fragments', () => {
  it('a device has exactly one of zigbee / z2m; IEEE addresses are normalised', () => {
    expect(ZigbeeDeviceConfigSchema.parse({ model: 'heiman-hs1sa', zigbee: { ieee: '0x00158D0001A2B3C4' } }).zigbee!.ieee).toBe('0x00158d0001a2b3c4');
    expect(ZigbeeDeviceConfigSchema.safeParse({ model: 'heiman-hs1sa', z2m: { friendly_name: 'hall/smoke' } }).success).toBe(true);
    expect(ZigbeeDeviceConfigSchema.safeParse({ model: 'heiman-hs1sa' }).success).toBe(false);
    expect(ZigbeeDeviceConfigSchema.safeParse({ model: 'heiman-hs1sa', zigbee: { ieee: '0x1' } }).success).toBe(false);
    expect(ZigbeeDeviceConfigSchema.safeParse({ model: 'heiman-hs1sa', z2m: { friendly_name: 'a/#' } }).success).toBe(false);
    expect(ZigbeeDeviceConfigSchema.safeParse({ model: 'heiman-hs1sa', z2m: { friendly_name: 'bridge/state' } }).success).toBe(false);
  });
  it('settings: defaults, and no way to configure a network key', () => {
    expect(ZigbeeSettingsSchema.parse({ serial: { path: '/dev/ttyUSB0', adapter: 'ember' } })).toMatchObject({ channel: 15, serial: { baud_rate: 115200 } });
    expect(ZigbeeSettingsSchema.safeParse({ serial: { path: '/dev/ttyUSB0', adapter: 'ember' }, network_key: '0x01' }).success).toBe(false);
    expect(Zigbee2MqttSettingsSchema.parse({})).toEqual({ url: 'mqtt://127.0.0.1:1883', base_topic: 'zigbee2mqtt', battery_interval_min: 60, reconnect_s: 5 });
  });
});
