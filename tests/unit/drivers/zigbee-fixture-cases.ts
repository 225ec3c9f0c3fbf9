/**
 * The Zigbee half of the generic fixture test (fixtures.test.ts): a Zigbee fixture case is one ZCL
 * message as the transport hands it to the driver (cluster, herdsman message type, parsed data:
 * a zone status word, an attribute report), decoded through the model's profile.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeZigbeeModelMessage, zigbeeModels, isZigbeeModel } from '../../../src/drivers/zigbee-registry.js';

export { zigbeeModels, isZigbeeModel };

interface ZigbeeFixtureFile {
  model: string;
  cases: Array<{ name: string; cluster: string; type: string; data: Record<string, unknown>; expect: Array<{ metric: string; value: unknown }> }>;
}

export function describeZigbeeFixture(model: string, file: string): void {
  const fx = JSON.parse(readFileSync(file, 'utf8')) as ZigbeeFixtureFile;
  describe(`${model}: ${file.split('/devices/')[1]}`, () => {
    it('names its model, has cases, and its profile names a supervision class', () => {
      expect(fx.model).toBe(model);
      expect(fx.cases.length).toBeGreaterThan(0);
      if (!isZigbeeModel(model)) throw new Error(`${model} is not a Zigbee model`);
      expect(zigbeeModels[model]!.supervisionClass).toMatch(/^[a-z]+$/);
    });
    for (const c of fx.cases) {
      it(`decodes "${c.name}" (${c.cluster} ${c.type})`, () => {
        if (!isZigbeeModel(model)) throw new Error(`${model} is not a Zigbee model`);
        expect(decodeZigbeeModelMessage(model, { cluster: c.cluster, type: c.type, data: c.data })).toEqual({ ok: true, measurements: c.expect });
      });
    }
  });
}
