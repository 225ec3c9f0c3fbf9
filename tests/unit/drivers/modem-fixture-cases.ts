/**
 * The modem half of the generic fixture test (fixtures.test.ts): a modem model's fixtures are PDUs as
 * +CMGR / +CDS hand them over (devices/<model>/fixtures/pdus.json), each with what it must decode to;
 * and its profile's `modem` section must parse (src/transports/modem/profile.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deviceCatalogue } from '../../../src/drivers/catalogue.js';
import { decodePdu } from '../../../src/transports/modem/pdu.js';
import { parseModemProfile } from '../../../src/transports/modem/profile.js';

export const modemModels: Readonly<Record<string, true>> = Object.fromEntries(deviceCatalogue().models('modem').map((m) => [m, true]));
export const isModemModel = (m: string): boolean => m in modemModels;

export function describeModemFixture(model: string, file: string): void {
  const fx = JSON.parse(readFileSync(file, 'utf8')) as { model: string; cases: Array<{ name: string; pdu: string; expect: unknown }> };
  describe(`${model}: ${file.split('/devices/')[1]}`, () => {
    it('names its model, has cases, and its profile\'s modem section parses', () => {
      expect(fx.model).toBe(model);
      expect(fx.cases.length).toBeGreaterThan(0);
      expect(parseModemProfile(deviceCatalogue().get(model)!.profile)).toMatchObject({ ok: true });
    });
    for (const c of fx.cases) it(`decodes "${c.name}"`, () => expect(decodePdu(c.pdu)).toEqual({ ok: true, pdu: c.expect }));
  });
}
