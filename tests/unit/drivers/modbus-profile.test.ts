/** The Modbus profile decoder and schema beyond the fixtures: types, word order, masks, conditions, bad profiles. */
import { describe, expect, it } from 'vitest';
import { decodeModbusProfile, parseModbusProfile, planReads, type ModbusProfile } from '../../../src/drivers/modbus-profile/index.js';

const base = {
  model: 'test-device', vendor: 'test', name: 'test', driver: 'modbus-profile', transport: 'modbus', mapKind: 'template',
  serial: { baudRate: 9600 }, defaultUnitId: 1,
};

function profile(points: unknown[]): ModbusProfile {
  const r = parseModbusProfile({ ...base, points });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.profile;
}

const num = (metric: string, extra: object = {}) => ({ kind: 'number', metric, unit: 'x', meaning: 'm', ...extra });
const flag = (metric: string, mask: string, extra: object = {}) => ({ kind: 'flag', metric, mask, meaning: 'm', ...extra });

describe('modbus profile decoder', () => {
  it('decodes every register type and both word orders', () => {
    const p = profile([
      { name: 'a', function: 4, address: 0, type: 's16', outputs: [num('s16')] },
      { name: 'b', function: 4, address: 1, type: 'u32', outputs: [num('u32hi')] },
      { name: 'c', function: 4, address: 3, type: 'u32', wordOrder: 'low-first', outputs: [num('u32lo')] },
      { name: 'd', function: 4, address: 5, type: 's32', outputs: [num('s32')] },
      { name: 'e', function: 4, address: 7, type: 'float32', outputs: [num('f32')] },
      { name: 'f', function: 4, address: 9, type: 'float32', wordOrder: 'low-first', outputs: [num('f32lo', { decimals: 2 })] },
    ]);
    expect(planReads(p)).toEqual([{ function: 4, address: 0, count: 11 }]);
    const words = [0xfffe, 0x0001, 0x0002, 0x0002, 0x0001, 0xffff, 0xfff6, 0x4049, 0x0fdb, 0x5c29, 0x4148];
    expect(decodeModbusProfile(p, [{ function: 4, address: 0, count: 11, words }])).toEqual([
      { metric: 's16', value: -2 },
      { metric: 'u32hi', value: 0x0001_0002 },
      { metric: 'u32lo', value: 0x0001_0002 },
      { metric: 's32', value: -10 },
      { metric: 'f32', value: 3.141593 },
      { metric: 'f32lo', value: 12.52 },
    ]);
  });

  it('scales exactly, including offsets such as -10 % LEL at raw 0', () => {
    const p = profile([{ name: 'conc', function: 3, address: 0, type: 'u16', outputs: [num('gasLelPercent', { scale: 0.1, offset: -10 })] }]);
    const at = (w: number) => decodeModbusProfile(p, [{ function: 3, address: 0, count: 1, words: [w] }]);
    expect(at(0)).toEqual([{ metric: 'gasLelPercent', value: -10 }]);
    expect(at(100)).toEqual([{ metric: 'gasLelPercent', value: 0 }]);
    expect(at(223)).toEqual([{ metric: 'gasLelPercent', value: 12.3 }]);
  });

  it('extracts masked fields of 32-bit registers, including the top bit', () => {
    const p = profile([{ name: 'w', function: 3, address: 0, type: 'u32', outputs: [flag('top', '0x80000000'), num('field', { mask: '0x00FF0000' })] }]);
    expect(decodeModbusProfile(p, [{ function: 3, address: 0, count: 2, words: [0x80ab, 0x0000] }])).toEqual([
      { metric: 'top', value: true },
      { metric: 'field', value: 0xab },
    ]);
  });

  it('withholds outputs whose condition fails, also through a withheld flag', () => {
    const p = profile([{
      name: 'status', function: 3, address: 0, type: 'u16', outputs: [
        flag('ready', '0x8000'),
        flag('fault', '0x0001', { when: { ready: true } }),
        num('conc', { mask: '0x00F0', when: { fault: false } }),
      ],
    }]);
    const at = (w: number) => decodeModbusProfile(p, [{ function: 3, address: 0, count: 1, words: [w] }]);
    expect(at(0x8050)).toEqual([{ metric: 'ready', value: true }, { metric: 'fault', value: false }, { metric: 'conc', value: 5 }]);
    expect(at(0x8051)).toEqual([{ metric: 'ready', value: true }, { metric: 'fault', value: true }]);
    // Not ready: "fault" is withheld, so it cannot vouch for the concentration either.
    expect(at(0x0050)).toEqual([{ metric: 'ready', value: false }]);
  });

  it('yields nothing for missing or impossible words, and never throws', () => {
    const p = profile([{ name: 'a', function: 3, address: 5, type: 'u32', outputs: [num('a')] }]);
    expect(decodeModbusProfile(p, [])).toEqual([]);
    expect(decodeModbusProfile(p, [{ function: 4, address: 5, count: 2, words: [1, 2] }])).toEqual([]);
    expect(decodeModbusProfile(p, [{ function: 3, address: 5, count: 1, words: [1] }])).toEqual([]);
    expect(decodeModbusProfile(p, [{ function: 3, address: 5, count: 2, words: [1, 70_000] }])).toEqual([]);
    expect(decodeModbusProfile(p, [{ function: 3, address: 5, count: 2, words: [Number.NaN, 1] }])).toEqual([]);
  });

  it('never reads across a gap and splits reads at 125 registers', () => {
    const p = profile([
      { name: 'a', function: 3, address: 0, type: 'u16', outputs: [num('a')] },
      { name: 'b', function: 3, address: 2, type: 'u16', outputs: [num('b')] },
      ...Array.from({ length: 130 }, (_, i) => ({ name: `r${i}`, function: 4, address: 100 + i, type: 'u16', outputs: [num(`r${i}`)] })),
    ]);
    expect(planReads(p)).toEqual([
      { function: 3, address: 0, count: 1 },
      { function: 3, address: 2, count: 1 },
      { function: 4, address: 100, count: 125 },
      { function: 4, address: 225, count: 5 },
    ]);
  });
});

describe('modbus profile schema', () => {
  const errorsOf = (points: unknown[], extra: object = {}) => {
    const r = parseModbusProfile({ ...base, ...extra, points });
    return r.ok ? [] : r.errors;
  };

  it('names the key path of each mistake', () => {
    expect(errorsOf([{ name: 'f', function: 3, address: 0, type: 'float32', outputs: [flag('x', '0x1')] }])).toEqual([
      'points[0].outputs[0].mask: masks apply to integer registers, not float32',
    ]);
    expect(errorsOf([{ name: 'a', function: 5, address: 0, type: 'u16', outputs: [num('a')] }])[0]).toMatch(/^points\[0\]\.function: /);
    expect(errorsOf([{ name: 'a', function: 3, address: 0, type: 'u16', outputs: [num('a', { colour: 'red' })] }])[0]).toMatch(/^points\[0\]\.outputs\[0\]: .*colour/);
  });

  it('rejects overlapping registers, duplicate metrics, unknown or circular conditions, wide masks', () => {
    expect(errorsOf([
      { name: 'a', function: 3, address: 0, type: 'u32', outputs: [num('a')] },
      { name: 'b', function: 3, address: 1, type: 'u16', outputs: [num('a')] },
    ])).toEqual([
      'points[1].outputs[0].metric: metric a is already produced by another output',
      'points[1].address: function 3 register 1 is already read by point "a"',
    ]);
    expect(errorsOf([{ name: 'a', function: 3, address: 0, type: 'u16', outputs: [num('a', { when: { nope: true } })] }])).toEqual([
      'points[0].outputs[0].when.nope: when refers to nope, which is not a flag output of this profile',
    ]);
    expect(errorsOf([{ name: 'a', function: 3, address: 0, type: 'u16', outputs: [flag('x', '0x1', { when: { y: true } }), flag('y', '0x2', { when: { x: true } })] }])).toEqual([
      'points: the when conditions of flag x form a cycle',
    ]);
    expect(errorsOf([{ name: 'a', function: 3, address: 0, type: 'u16', outputs: [flag('x', '0x10000')] }])).toEqual([
      'points[0].outputs[0].mask: mask 10000 is wider than a 16-bit register',
    ]);
    expect(errorsOf([{ name: 'a', function: 3, address: 65535, type: 'u32', outputs: [num('a')] }])).toEqual([
      'points[0].address: a u32 at 65535 runs past the last register (65535)',
    ]);
  });
});
