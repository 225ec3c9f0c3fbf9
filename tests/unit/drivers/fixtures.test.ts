/**
 * One generic test for every device model: each devices/<model>/fixtures/*.json case must decode
 * to exactly its expected readings, alone, all in one stream, and fed one byte at a time.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serialModels, type SerialModel } from '../../../src/drivers/registry.js';
import { hex } from '../../helpers/hex.js';
import { bleModels, describeBleFixture, isBleModel } from './ble-fixture-cases.js';
import { modbusModels, describeModbusFixture, isModbusModel } from './modbus-fixture-cases.js';
import { zigbeeModels, describeZigbeeFixture, isZigbeeModel } from './zigbee-fixture-cases.js';
import { modemModels, describeModemFixture, isModemModel } from './modem-fixture-cases.js';

interface FixtureFile {
  model: string;
  cases: Array<{ name: string; hex: string; expect: Array<{ metric: string; value: unknown }> }>;
}

const devicesDir = join(import.meta.dirname, '../../../devices');
/** Model folders (devices/README.md sits next to them). */
const modelDirs = readdirSync(devicesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const fixtureFiles = modelDirs.flatMap((model) => {
  const dir = join(devicesDir, model, 'fixtures');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ model, file: join(dir, f) })) : [];
});

describe('device fixtures', () => {
  it('every device folder has fixtures, a README and a profile', () => {
    const models = modelDirs;
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) {
      expect(existsSync(join(devicesDir, m, 'profile.json')), `${m}/profile.json`).toBe(true);
      expect(existsSync(join(devicesDir, m, 'README.md')), `${m}/README.md`).toBe(true);
      expect(fixtureFiles.some((f) => f.model === m), `${m}/fixtures`).toBe(true);
      expect([...Object.keys(serialModels), ...Object.keys(bleModels), ...Object.keys(modbusModels), ...Object.keys(zigbeeModels), ...Object.keys(modemModels)], `${m} is registered in src/drivers/registry.ts, ble-registry.ts, modbus-registry.ts or zigbee-registry.ts, or is a modem`).toContain(m);
    }
  });

  for (const { model, file } of fixtureFiles) {
    if (isBleModel(model)) { describeBleFixture(model, file); continue; }
    if (isModbusModel(model)) { describeModbusFixture(model, file); continue; }
    if (isZigbeeModel(model)) { describeZigbeeFixture(model, file); continue; }
    if (isModemModel(model)) { describeModemFixture(model, file); continue; }
    const fx = JSON.parse(readFileSync(file, 'utf8')) as FixtureFile;
    const create = () => serialModels[model as SerialModel]!.createDriver();
    describe(`${model}: ${file.split('/devices/')[1]}`, () => {
      it('names its model', () => expect(fx.model).toBe(model));

      for (const c of fx.cases) {
        it(`decodes "${c.name}"`, () => {
          const d = create();
          expect(d.push(hex(c.hex))).toEqual(c.expect);
          expect(d.stats().checksumErrors + d.stats().framingErrors + d.stats().garbageBytes).toBe(0);
        });
      }

      it('decodes every case in one stream, and byte by byte', () => {
        const all = Buffer.concat(fx.cases.map((c) => hex(c.hex)));
        const expected = fx.cases.flatMap((c) => c.expect);
        expect(create().push(all)).toEqual(expected);
        const d = create();
        const out = [...all].flatMap((b) => d.push(Uint8Array.of(b)));
        expect(out).toEqual(expected);
        expect(d.stats().frames).toBe(fx.cases.length);
      });
    });
  }
});
