/**
 * The walk test's kind of each model comes from its profile (supervision class and roles), never from
 * its name: every shipped model gets the kind a technician expects, and a new model folder of a known
 * kind gets it with no code change.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../src/drivers/catalogue.js';
import { KINDS, kindOf } from '../../../src/cli/walktest-kinds.js';

describe('walk test kinds', () => {
  it('every shipped model has the kind its profile says', () => {
    // Modems (transport modem, issue 15) are no devices: never walked as one.
    const kinds = Object.fromEntries(loadCatalogue().entries.filter((e) => e.transport !== 'modem').map((e) => [e.model, kindOf(e)]));
    expect(kinds).toEqual({
      'aqara-mccgq11lm': 'contact',
      'ble-heart-rate': 'band',
      'ble-pulse-oximeter': 'oximeter',
      'gas-detector-4000x': 'modbus-gas',
      'gas-module-6000h': 'modbus-gas',
      'heiman-hs1ca-e': 'gas',
      'heiman-hs1cg': 'gas',
      'heiman-hs1eb': 'sos', // the SOS button: one press must raise alarm.sos and reach the cloud
      'heiman-hs1sa': 'smoke',
      'heiman-hs2wd-e': 'siren', // the hub sounds it; the technician says whether it was heard
      'heiman-hs3cg': 'gas',
      'hilink-ld2410': 'radar-presence',
      'modbus-generic': 'modbus-gas',
      'seeed-mr60bha1': 'radar-vitals',
      'seeed-mr60bha2': 'radar-vitals',
      'sonoff-snzb-03': 'motion',
    });
  });

  it('a presence radar is not asked to lie on a bed; a bed monitor is', () => {
    expect(KINDS[kindOf({ supervisionClass: 'radar', roles: [] })].instruction).toBe('wtDoPresence');
    expect(KINDS[kindOf({ supervisionClass: 'radar', roles: ['bed-monitor'] })].instruction).toBe('wtDoRadar');
  });

  it('a siren is sounded by the hub, not waited for: no reading proves it', () => {
    const siren = KINDS[kindOf({ supervisionClass: 'default', roles: ['siren'] })];
    expect(siren.sounded).toBe(true);
    expect(siren.proven({ last: new Map([['batteryPercent', 100]]), seen: new Map(), readings: 1 })).toBe(false);
    expect(KINDS[kindOf({ supervisionClass: 'default', roles: [] })].sounded).toBeUndefined();
  });
});
