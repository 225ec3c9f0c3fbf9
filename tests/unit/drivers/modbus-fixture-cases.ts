/**
 * The Modbus half of the generic fixture test (fixtures.test.ts): a Modbus model's fixtures are
 * register words (devices/<model>/fixtures/registers.json), not byte streams. Each case must list
 * exactly the reads the transport makes for the profile, and decode to exactly its measurements.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modbusModels, type ModbusModel } from '../../../src/drivers/modbus-registry.js';
import { decodeModbusProfile, planReads } from '../../../src/drivers/modbus-profile/index.js';
import { parseRegisterFixture } from '../../helpers/modbus-fixtures.js';

export { modbusModels, isModbusModel } from '../../../src/drivers/modbus-registry.js';

export function describeModbusFixture(model: ModbusModel, file: string): void {
  const fx = parseRegisterFixture(JSON.parse(readFileSync(file, 'utf8')));
  const profile = modbusModels[model]!.profile;
  describe(`${model}: ${file.split('/devices/')[1]}`, () => {
    it('names its model', () => expect(fx.model).toBe(model));
    it('has cases', () => expect(fx.cases.length).toBeGreaterThan(0));

    for (const c of fx.cases) {
      it(`decodes "${c.name}"`, () => {
        expect(c.registers.map(({ function: fn, address, count }) => ({ function: fn, address, count }))).toEqual(planReads(profile));
        expect(decodeModbusProfile(profile, c.registers)).toEqual(c.expect);
      });
    }
  });
}
