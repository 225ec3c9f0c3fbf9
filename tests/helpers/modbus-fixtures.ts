import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Measurement } from '../../src/core/reading.js';
import type { RegisterRead } from '../../src/drivers/modbus-profile/index.js';

/**
 * devices/<model>/fixtures/registers.json of a Modbus model: the register words of each read the
 * transport makes, and the measurements they must decode to. Words may be written as numbers or as
 * "0x1234" (manuals give them in hex).
 */
export interface RegisterFixtureFile {
  model: string;
  cases: Array<{ name: string; source: string; registers: RegisterRead[]; expect: Measurement[] }>;
}

interface RawFixtureFile {
  model: string;
  cases: Array<{ name: string; source: string; registers: Array<{ function: 3 | 4; address: number; words: Array<number | string> }>; expect: Measurement[] }>;
}

const word = (w: number | string): number => (typeof w === 'number' ? w : Number.parseInt(w, 16));

export function parseRegisterFixture(json: unknown): RegisterFixtureFile {
  const f = json as RawFixtureFile;
  return {
    model: f.model,
    cases: f.cases.map((c) => ({
      ...c,
      registers: c.registers.map((r) => ({ function: r.function, address: r.address, count: r.words.length, words: r.words.map(word) })),
    })),
  };
}

export const devicesDir = join(import.meta.dirname, '../../devices');

export function loadRegisterFixture(model: string): RegisterFixtureFile {
  return parseRegisterFixture(JSON.parse(readFileSync(join(devicesDir, model, 'fixtures', 'registers.json'), 'utf8')));
}
