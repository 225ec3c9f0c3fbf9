/** IAS WD Start Warning against ZCL 07-5123 §8.4.2.3.1, and Zigbee2MQTT's warning payload. */
import { describe, expect, it } from 'vitest';
import { startWarningPayload, STOP_WARNING, warningFor, z2mWarningPayload } from '../../../src/escalation/ias-wd.js';

describe('IAS WD warning', () => {
  it('packs warning mode (bits 4-7), strobe (bits 2-3) and siren level (bits 0-1) as the spec lays them out', () => {
    // Fire (2), strobe, very high (3): 0010 01 11.
    expect(startWarningPayload({ mode: 'fire', level: 'very_high', strobe: true, durationS: 300 })).toEqual({ startwarninginfo: 0b0010_0111, warningduration: 300, strobedutycycle: 50, strobelevel: 0 });
    // Emergency (3), no strobe, low (0): 0011 00 00.
    expect(startWarningPayload({ mode: 'emergency', level: 'low', strobe: false, durationS: 10 }).startwarninginfo).toBe(0b0011_0000);
    // Emergency panic (6), strobe, medium (1).
    expect(startWarningPayload({ mode: 'emergency_panic', level: 'medium', strobe: true, durationS: 1 }).startwarninginfo).toBe(0b0110_0101);
    expect(startWarningPayload(STOP_WARNING)).toEqual({ startwarninginfo: 0, warningduration: 0, strobedutycycle: 0, strobelevel: 0 });
    expect(startWarningPayload({ mode: 'fire', level: 'high', strobe: false, durationS: 1e9 }).warningduration).toBe(0xffff); // uint16
  });

  it('says the same to Zigbee2MQTT, and picks the fire tone for fire-class hazards only', () => {
    expect(z2mWarningPayload({ mode: 'emergency', level: 'high', strobe: true, durationS: 60 })).toEqual({ warning: { mode: 'emergency', level: 'high', strobe: true, duration: 60 } });
    const s = { level: 'very_high' as const, strobe: true, durationS: 5 };
    expect(['alarm.smoke', 'alarm.gas', 'alarm.co', 'alarm.apnea', 'alarm.sos'].map((t) => warningFor(t, s).mode)).toEqual(['fire', 'fire', 'fire', 'emergency', 'emergency']);
  });
});
