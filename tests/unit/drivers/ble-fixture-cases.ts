/**
 * The BLE half of the generic fixture test (fixtures.test.ts): a BLE fixture case is one
 * characteristic value (`characteristic`: 16-bit UUID, `hex`: the value), decoded through the
 * model's registry entry. Kept apart so the serial loop in fixtures.test.ts stays as it is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bleCharacteristicsWithoutDecoder, bleModels, decodeBleValue, isBleModel } from '../../../src/drivers/ble-registry.js';
import { hex } from '../../helpers/hex.js';

export { bleModels, isBleModel };

interface BleFixtureFile {
  model: string;
  cases: Array<{ name: string; characteristic: string; hex: string; expect: Array<{ metric: string; value: unknown }> }>;
}

export function describeBleFixture(model: string, file: string): void {
  const fx = JSON.parse(readFileSync(file, 'utf8')) as BleFixtureFile;
  describe(`${model}: ${file.split('/devices/')[1]}`, () => {
    it('names its model, and every characteristic it uses has a decoder', () => {
      expect(fx.model).toBe(model);
      expect(bleCharacteristicsWithoutDecoder()).toEqual([]);
    });
    for (const c of fx.cases) {
      it(`decodes "${c.name}" (${c.characteristic})`, () => {
        if (!isBleModel(model)) throw new Error(`${model} is not a BLE model`);
        expect(decodeBleValue(model, c.characteristic, hex(c.hex))).toEqual({ ok: true, measurements: c.expect });
      });
    }
  });
}
